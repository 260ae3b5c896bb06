using Microsoft.CodeAnalysis.CSharp;
using QuantGen.Generator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace QuantGen.Generator.Tests;

/// <summary>
/// Thousands of models as users write them and as no one should, beyond the broken ones of <see cref="NeverThrowsTests"/>:
/// fields renamed in every identifier style, classes and namespaces of every kind, nesting and recursion far past any
/// model, huge arguments. Each through the generator and the analyzers: no exception, no CS8785 or AD0001, and
/// generated code that compiles, or a QG diagnostic that says why not. Deep cases run on the stack csc compiles on.
/// </summary>
public sealed class GeneratorFuzzTests(ITestOutputHelper output)
{
    private static readonly (string Source, string[] Fields)[] Models =
    [
        (Sources.SmallCnn, ["quant", "conv1", "bn1", "relu1", "pool1", "conv2", "relu2", "pool2", "fc1", "relu3", "fc2", "dequant"]),
        (Sources.ResidualAdd, ["quant", "stem", "stemBn", "stemRelu", "conv", "bn", "skip", "pool", "fc", "dequant"]),
        (Sources.Islands, ["quant", "conv", "relu", "flatten", "norm", "fc", "softmax", "dequant"]),
    ];

    /// <summary>Names a field may have, as C# writes them: styles, keywords, scripts, and the names the generated code uses.</summary>
    private static IEnumerable<string> FieldNames()
    {
        string[] styles =
        [
            "_x", "__x", "_", "__", "x_", "_x_", "m_x", "_0", "_1x", "X", "XX", "xY", "ALLCAPS", "snake_case_name", "A1", "a1b2",
            "卷积", "全连接层", "слой", "επίπεδο", "ß", "ǅx", "İx", "ıx", "\u212Aab", "Ωmega", "ﬁx", "x\u0301", "x\u200Dy", "\\u0061bc", "@\\u0063lass",
            new string('x', 512),
            "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize", "ReferenceEquals",
            "Fork", "MaxThreads", "ConcurrentWorkers", "Run", "Bytes", "Scratch", "CreateFork", "Layout", "Arena", "From", "Length", "MaxBatch",
            "Input", "Output", "Int8", "n", "N", "input", "output", "model", "source", "converted", "layout", "arena", "shapes", "int8",
            "Eval", "Train", "Training", "Parameters", "NamedModules", "GetSubmodule", "StateDict",
            "fc", "Fc", "Conv1", "Fc2Length", "conv1Length", "Quant", "Dequant", "DequantLength", "Relu3_0", "Step_x",
        ];
        IEnumerable<string> keywords = SyntaxFacts.GetKeywordKinds().Select(SyntaxFacts.GetText).Select(k => "@" + k);
        IEnumerable<string> contextual = SyntaxFacts.GetContextualKeywordKinds().Select(SyntaxFacts.GetText).Where(k => k.Length > 0 && k != "_");
        return styles.Concat(keywords).Concat(contextual).Distinct();
    }

    private static IEnumerable<(string Name, string Source)> RenamedFields()
    {
        string[] names = [.. FieldNames()];
        // Each name on three SmallCnn fields and one of each other model's, the fields taken in turn: every field
        // meets every kind of name, and every lowering (conv, pool, linear, add, float islands) a field of each kind.
        for (int i = 0; i < names.Length; i++)
        {
            for (int k = 0; k < 3; k++)
            {
                string field = Models[0].Fields[(3 * i + k) % Models[0].Fields.Length];
                yield return ($"SmallCnn: {field} → {names[i]}", Mutations.Rename(Models[0].Source, field, names[i]));
            }

            foreach ((string source, string[] fields) in Models.Skip(1))
            {
                string field = fields[i % fields.Length];
                yield return ($"{fields[1]}…: {field} → {names[i]}", Mutations.Rename(source, field, names[i]));
            }
        }
    }

    /// <summary>Two fields renamed to names that meet somewhere: in camelCase, in PascalCase, or with a step's suffix.</summary>
    private static IEnumerable<(string Name, string Source)> CollidingPairs()
    {
        (string, string)[] pairs =
        [
            ("K", "\u212A"), ("Kab", "\u212Aab"), ("İx", "Ix"), ("a", "A"), ("x1", "X1"), ("_fc", "Fc"), ("_fc", "StepFc"), ("fc", "Fc"),
            ("n", "N"), ("x_1", "x1"), ("ab", "aB"), ("卷积", "Step卷积"), ("_", "Step_"), ("conv", "Conv2"), ("relu", "Relu2"), ("flat", "FlatLength"),
        ];
        (string, string)[] fields = [("fc1", "fc2"), ("conv1", "conv2"), ("relu1", "relu2"), ("relu2", "relu3"), ("quant", "dequant")];
        foreach ((string a, string b) in pairs)
        {
            foreach ((string first, string second) in fields)
            {
                yield return ($"SmallCnn: {first} → {a}, {second} → {b}", Mutations.Rename(Mutations.Rename(Sources.SmallCnn, first, a), second, b));
            }
        }
    }

    /// <summary>The class under every name and in every namespace, with every modifier, nested, split in parts.</summary>
    private static IEnumerable<(string Name, string[] Files)> Classes()
    {
        string[] classNames =
        [
            "@class", "@record", "smallcnn", "var", "dynamic", "卷积网络", "_Model", "Model_", "M", "ÄModel", "@object", "Sample", "Module", "Sequential",
            "Tensor", "QuantGen", "System", "Int8", "Shapes", "Forward", "Global", "ǅModel",
        ];
        string[] namespaces = ["@class.@int", "@Sample", "", "A.B.C.D.E.F", "模型", "System", "QuantGen", "QuantGen.Nn", "Sample.SmallCnn", "_", "Σ.Ω", "global"];
        foreach (string className in classNames)
        {
            foreach (string ns in namespaces)
            {
                string source = Sources.SmallCnn.Replace("namespace Sample;", ns.Length > 0 ? $"namespace {ns};" : "").Replace("class SmallCnn", "class " + className);
                yield return ($"class {className} in namespace '{ns}'", [source]);
            }
        }

        string Wrap(string before, string after) => Sources.SmallCnn.Replace("namespace Sample;", "namespace Sample {").Replace("[Quantize(", before + "[Quantize(") + "\n" + after + "}\n";
        string[] modifiers = ["file sealed partial", "internal sealed partial", "partial", "sealed", "public abstract partial", "public static partial", "private partial", "public sealed partial unsafe", "public new partial"];
        foreach (string modifier in modifiers)
        {
            yield return ($"modifiers '{modifier}'", [Sources.SmallCnn.Replace("public sealed partial", modifier)]);
        }

        (string Before, string After)[] containers =
        [
            ("public partial class Outer { ", "}"), ("public partial struct Outer { ", "}"), ("public partial record Outer { ", "}"), ("public partial interface IOuter { ", "}"),
            ("public static partial class Outer<T> { ", "}"), ("namespace Inner { ", "}"), ("namespace Inner.Deeper { namespace Deepest { ", "} }"),
        ];
        foreach ((string before, string after) in containers) yield return ($"inside '{before}'", [Wrap(before, after)]);

        string second = "namespace Sample; public sealed partial class SmallCnn { }";
        string attributed = "namespace Sample; [QuantGen.Quantize(QuantGen.QuantMode.Static)] public sealed partial class SmallCnn { }";
        string fieldsElsewhere = "using QuantGen.Nn; namespace Sample; public sealed partial class SmallCnn { readonly Linear extra = new(10, 10); }";
        string shapeElsewhere = "namespace Sample; [QuantGen.InputShape(1, 28, 28)] public sealed partial class SmallCnn { }";
        yield return ("a second, empty part", [Sources.SmallCnn, second]);
        yield return ("[Quantize] on both parts", [Sources.SmallCnn, attributed]);
        yield return ("[Quantize] on both parts, the other file first", [attributed, Sources.SmallCnn]);
        yield return ("a field in another part", [Sources.SmallCnn, fieldsElsewhere]);
        yield return ("[InputShape] on both parts", [Sources.SmallCnn, shapeElsewhere]);
        yield return ("[InputShape] only on the other part", [Sources.SmallCnn.Replace("[InputShape(1, 28, 28)]", ""), shapeElsewhere]);
        yield return ("two classes differing in case", [Sources.SmallCnn, Sources.SmallCnn.Replace("SmallCnn", "smallCnn")]);
        yield return ("three classes differing in case", [Sources.SmallCnn, Sources.SmallCnn.Replace("SmallCnn", "smallCnn"), Sources.SmallCnn.Replace("SmallCnn", "SMALLCNN")]);
        yield return ("one class in two namespaces", [Sources.SmallCnn, Sources.SmallCnn.Replace("namespace Sample;", "namespace Other;")]);
        yield return ("namespace and class names that concatenate alike", [Sources.SmallCnn.Replace("namespace Sample;", "namespace A.B;").Replace("SmallCnn", "C"), Sources.SmallCnn.Replace("namespace Sample;", "namespace A;").Replace("SmallCnn", "B_C")]);
        string file = Sources.SmallCnn.Replace("public sealed partial class", "file sealed partial class");
        yield return ("two file-local classes of one name", [file, file]);
    }

    /// <summary>Nesting and recursion in every form the interpreter meets, from shallow to far past its budgets.</summary>
    private static IEnumerable<(string Name, string Source)> Deep()
    {
        static string Nested(string open, string inner, string close, int depth) =>
            string.Concat(Enumerable.Repeat(open, depth)) + inner + string.Concat(Enumerable.Repeat(close, depth));

        const string fc1 = "readonly Linear fc1 = new(16 * 7 * 7, 32);";
        (string Name, Func<int, (string From, string To)> Edit)[] shapes =
        [
            ("nested Sequentials", d => ("readonly ReLU relu3 = new();", $"readonly Sequential relu3 = {Nested("new Sequential(", "new ReLU()", ")", d)};")),
            ("a Forward of nested calls", d => ("x = Flatten(x);", $"x = Flatten(x); x = {Nested("relu3.Forward(", "x", ")", d)};")),
            ("a Forward of chained statements", d => ("x = Flatten(x);", "x = Flatten(x); " + string.Concat(Enumerable.Repeat("x = relu3.Forward(x); ", d)))),
            ("nested blocks", d => ("x = quant.Forward(x);", Nested("{ ", "x = quant.Forward(x);", " }", d))),
            ("nested ifs", d => ("x = quant.Forward(x);", Nested("if (1 > 0) ", "x = quant.Forward(x);", "", d))),
            ("nested loops", d => ("x = quant.Forward(x);", Nested("for (int i = 0; i < 1; i++) ", "x = quant.Forward(x);", "", d))),
            ("a sum", d => ("new(16 * 7 * 7, 32)", $"new(16 * 7 * 7, ({string.Join(" + ", Enumerable.Repeat("1", d))}) * 0 + 32)")),
            ("parentheses", d => ("new(16 * 7 * 7, 32)", $"new(16 * 7 * 7, {Nested("(", "32", ")", d)})")),
            ("negations", d => ("new(16 * 7 * 7, 32)", $"new(16 * 7 * 7, {Nested("-(", "32", ")", d)} * {(d % 2 == 0 ? 1 : -1)})")),
            ("conditionals", d => ("new(16 * 7 * 7, 32)", $"new(16 * 7 * 7, {Nested("true ? ", "32", " : 0", d)})")),
            ("casts", d => ("new(16 * 7 * 7, 32)", $"new(16 * 7 * 7, {Nested("(int)(long)", "32", "", d)})")),
            ("static fields", d => (fc1, string.Concat(Enumerable.Range(0, d).Select(i => $"static readonly int S{i} = S{i + 1};\n")) + $"static readonly int S{d} = 32;\n" + fc1.Replace("32)", "S0)"))),
            ("helper calls", d => (fc1, string.Concat(Enumerable.Range(0, d).Select(i => $"static int H{i}() => H{i + 1}();\n")) + $"static int H{d}() => 32;\n" + fc1.Replace("32)", "H0())"))),
            ("properties", d => (fc1, string.Concat(Enumerable.Range(0, d).Select(i => $"static int P{i} => P{i + 1};\n")) + $"static int P{d} => 32;\n" + fc1.Replace("32)", "P0)"))),
            ("recursion with a base case", d => (fc1, $"static int R(int k) => k == 0 ? 32 : R(k - 1);\n" + fc1.Replace("32)", $"R({d}))"))),
            ("a tuple nested by a loop", d => (fc1, $"static int T() {{ object t = 1; for (int i = 0; i < {d}; i++) t = (t, 1); return $\"{{t}}\".Length * 0 + 32; }}\n" + fc1.Replace("32)", "T())"))),
            ("a string doubled by a loop", d => (fc1, $"static int D() {{ string s = \"a\"; for (int i = 0; i < {d}; i++) s += s; return s.Length * 0 + 32; }}\n" + fc1.Replace("32)", "D())"))),
            ("a loop of many turns", d => (fc1, $"static int L() {{ int k = 0; for (int i = 0; i < {d} * 1000; i++) k++; return k * 0 + 32; }}\n" + fc1.Replace("32)", "L())"))),
        ];
        int[] depths = [1, 16, 32, 50, 63, 64, 65, 66, 100, 150, 199, 200, 201, 300, 301, 500, 1000, 2000];
        foreach ((string name, Func<int, (string, string)> edit) in shapes)
        {
            foreach (int depth in depths)
            {
                (string from, string to) = edit(depth);
                Assert.Contains(from, Sources.SmallCnn);
                yield return ($"{name}, {depth} deep", Sources.SmallCnn.Replace(from, to));
            }
        }

        // Blocks inside blocks, each calling the next's Forward: construction and Forward both recurse per block.
        foreach (int depth in depths)
        {
            string blocks = string.Concat(Enumerable.Range(0, depth).Select(i => $"public sealed class B{i} : Module {{ readonly B{i + 1} inner = new(); public override Tensor Forward(Tensor x) => inner.Forward(x); }}\n"))
                + $"public sealed class B{depth} : Module {{ readonly ReLU relu = new(); public override Tensor Forward(Tensor x) => relu.Forward(x); }}\n";
            yield return ($"a chain of block classes, {depth} deep", Sources.SmallCnn.Replace("readonly ReLU relu3 = new();", "readonly B0 relu3 = new();") + "\n" + blocks);
        }

        string[] recursions =
        [
            "static int R(int k) => R(k + 1);", "static int R(int k) => Q(k); static int Q(int k) => R(k);", "static int R(int k) { while (true) k++; }",
            "static int R(int k) => k < 0 ? 0 : R(k) + R(k);", "int R(int k) => Self.R(k); SmallCnn Self => this;", "static int R(int k) => new SmallCnn().Forward(null!) is null ? 1 : 2;",
        ];
        foreach (string recursion in recursions)
        {
            yield return ($"recursion: {recursion}", Sources.SmallCnn.Replace(fc1, recursion + "\n" + fc1.Replace("32)", "R(1))")));
        }

        yield return ("a block that builds itself", Sources.SmallCnn.Replace("readonly ReLU relu3 = new();", "readonly Loop relu3 = new();")
            + "\npublic sealed class Loop : Module { readonly Loop inner = new(); public override Tensor Forward(Tensor x) => inner.Forward(x); }\n");
        yield return ("a Forward that calls itself", Sources.SmallCnn.Replace("x = Flatten(x);", "x = Flatten(x); x = Forward(x);"));
        yield return ("a Forward through a helper that calls Forward", Sources.SmallCnn.Replace("x = Flatten(x);", "x = Flatten(x); x = Again(x);").Replace(fc1, "Tensor Again(Tensor x) => Forward(x);\n" + fc1));
    }

    /// <summary>Arguments far outside any real layer: the largest ints, overflowing products, arenas past 2³¹ bytes.</summary>
    private static IEnumerable<(string Name, string Source)> HugeArguments()
    {
        string[] values = ["int.MaxValue", "int.MinValue", "1 << 30", "46341", "65536", "100000", "0", "-1", "unchecked((int)long.MaxValue)", "int.MaxValue / 2 + 1"];
        (string From, string Template)[] positions =
        [
            ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "new(1, {0}, kernelSize: 3, padding: 1, bias: false)"),
            ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "new(1, 8, kernelSize: {0}, padding: 1, bias: false)"),
            ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "new(1, 8, kernelSize: 3, stride: {0}, padding: 1, bias: false)"),
            ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "new(1, 8, kernelSize: 3, padding: {0}, bias: false)"),
            ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "new(1, 8, kernelSize: 3, padding: 1, dilation: {0}, bias: false)"),
            ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "new(1, 8, kernelSize: 3, padding: 1, groups: {0}, bias: false)"),
            ("new(8, 16, kernelSize: 3, padding: 1)", "new(8, {0}, kernelSize: 1)"),
            ("readonly MaxPool2d pool1 = new(2);", "readonly MaxPool2d pool1 = new({0});"),
            ("readonly MaxPool2d pool1 = new(2);", "readonly MaxPool2d pool1 = new(2, stride: {0});"),
            ("readonly MaxPool2d pool1 = new(2);", "readonly MaxPool2d pool1 = new(2, padding: {0});"),
            ("readonly MaxPool2d pool1 = new(2);", "readonly AdaptiveAvgPool2d pool1 = new({0});"),
            ("readonly BatchNorm2d bn1 = new(8);", "readonly BatchNorm2d bn1 = new({0});"),
            ("new(16 * 7 * 7, 32)", "new(16 * 7 * 7, {0})"),
            ("new(16 * 7 * 7, 32)", "new({0}, 32)"),
            ("new(32, 10)", "new(32, {0})"),
            ("[InputShape(1, 28, 28)]", "[InputShape(1, {0}, {0})]"),
            ("[InputShape(1, 28, 28)]", "[InputShape({0}, 28, 28)]"),
            ("[InputShape(1, 28, 28)]", "[InputShape(1, 28, {0})]"),
            ("x = Flatten(x);", "x = Flatten(x, {0});"),
            ("readonly ReLU relu3 = new();", "readonly LayerNorm relu3 = new({0});"),
        ];
        foreach ((string from, string template) in positions)
        {
            Assert.Contains(from, Sources.SmallCnn);
            foreach (string value in values) yield return ($"{template} with {value}", Sources.SmallCnn.Replace(from, string.Format(template, value)));
        }

        // Values the arena cannot hold: each fits an int, two alive at once do not.
        foreach (int side in new[] { 32768, 40000, 46340, 46341 }) yield return ($"an arena of two {side}² buffers", Sources.QuantizedClamp(side));
        yield return ("a float island of 2³⁰ values", Sources.QuantizedClamp(32768).Replace("readonly ReLU relu", "readonly Softmax relu"));
    }

    [Fact]
    public void Two_thousand_models_of_every_name_nesting_and_size_give_code_that_compiles_or_a_diagnostic()
    {
        var cases = new List<(string Name, string[] Files)>();
        cases.AddRange(RenamedFields().Select(c => (c.Name, new[] { c.Source })));
        cases.AddRange(CollidingPairs().Select(c => (c.Name, new[] { c.Source })));
        cases.AddRange(Classes());
        cases.AddRange(Deep().Select(c => (c.Name, new[] { c.Source })));
        cases.AddRange(HugeArguments().Select(c => (c.Name, new[] { c.Source })));
        Assert.True(cases.Count >= 2000, $"only {cases.Count} mutations");

        Mutations.Outcome outcome = Mutations.Check(cases, files => GeneratorHarness.Run(GeneratorHarness.NewDriver(),
            GeneratorHarness.Compilation([.. files.Select((source, i) => GeneratorHarness.Tree(source, $"Model{i}.cs"))])));

        output.WriteLine($"{outcome.Total} mutations: {outcome.Generated} generated code, {outcome.Diagnosed} got a QG diagnostic, {outcome.Failures.Count} failures; IDs {string.Join(", ", outcome.Ids)}.");
        Assert.True(outcome.Failures.Count == 0, string.Join("\n", outcome.Failures.Take(20)));
        // Not vacuous: most renamed models generate, and the budgets and limits are met.
        Assert.True(outcome.Generated > outcome.Total / 2, $"only {outcome.Generated} of {outcome.Total} generated code");
        Assert.Contains("QG0005", outcome.Ids);
        Assert.Contains("QG0008", outcome.Ids);
    }
}
