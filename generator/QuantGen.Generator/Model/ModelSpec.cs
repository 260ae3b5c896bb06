namespace QuantGen.Generator.Model;

/// <summary>The <c>[Quantize]</c> options, with the runtime enums' member names as text.</summary>
internal sealed record QuantizeOptions(string Mode, string Weights, string Activations, bool Strict);

/// <summary>One <c>[Fuse(...)]</c> pattern, its kinds in order ("Conv", "BN", "ReLU").</summary>
internal sealed record FusePattern(EquatableArray<string> Kinds, LocationInfo? Location);

/// <summary>
/// A constructor argument of a layer after binding: the parameter name, its constant value (an integer, a
/// boolean, a float or null, as C# text) and where it was written (null when the default was taken).
/// </summary>
internal sealed record LayerArg(string Name, string Text, long? Integer, LocationInfo? Location);

/// <summary>
/// A leaf module of the model: <c>readonly Conv2d conv1 = new(1, 8, kernelSize: 3)</c>. <see cref="Name"/> is its
/// path as the runtime's <c>NamedModules()</c> names it (<c>conv1</c>, <c>features.3.conv.1.0</c>), so that
/// <c>GetSubmodule(Name)</c> finds it at run time; <see cref="Location"/> is where it was constructed.
/// </summary>
internal sealed record LayerSpec(string Name, string Kind, EquatableArray<LayerArg> Args, LocationInfo? Location)
{
    public LayerArg? Arg(string name)
    {
        foreach (LayerArg arg in Args)
        {
            if (arg.Name == name) return arg;
        }

        return null;
    }

    public long? Int(string name) => Arg(name)?.Integer;
}

/// <summary>What one step of <c>Forward</c> does.</summary>
internal enum ForwardOp
{
    /// <summary><c>field.Forward(x)</c>; <see cref="ForwardStep.Target"/> is the field.</summary>
    Layer,

    /// <summary><c>Flatten(x, startDim)</c> or <c>Functional.Flatten</c>; the start dimension in <see cref="ForwardStep.Integer"/>.</summary>
    Flatten,

    /// <summary>An elementwise <c>Functional.X(x)</c> (Relu, Relu6); the method in <see cref="ForwardStep.Target"/>.</summary>
    Functional,

    /// <summary>
    /// A residual add: <c>a + b</c> or <c>Functional.Add(a, b)</c> (<see cref="ForwardStep.Target"/> is <c>"+"</c>), or
    /// <c>skipAdd.Forward(a, b)</c> on an <c>Add</c> module (the target is the module's path; eager quantization
    /// observes it there).
    /// </summary>
    Add,
}

/// <summary>
/// One step of <c>Forward</c>'s dataflow in single-assignment form: value 0 is the input, step <c>i</c> writes
/// value <c>i + 1</c> from <see cref="Inputs"/>. Blocks are inlined: <see cref="Block"/> is the path of the
/// innermost block instance the step came from (one of <see cref="ModelSpec.Blocks"/>), empty for the class itself.
/// </summary>
internal sealed record ForwardStep(ForwardOp Op, string Target, EquatableArray<int> Inputs, long Integer, LocationInfo? Location, string Block = "");

/// <summary>
/// One instance of a sub-module class used as a block (<c>features.3</c>, an <c>InvertedResidual(24, 24, 1, 6)</c>),
/// or a Sequential: its path, its class, its constructor arguments as written, and where it was constructed.
/// </summary>
internal sealed record BlockSpec(string Path, string ClassName, string Arguments, LocationInfo? Location);

/// <summary>Everything the generator read from one annotated class; equatable, no symbols or syntax.</summary>
internal sealed record ModelSpec(
    string Namespace,
    string ClassName,
    EquatableArray<int> InputShape,
    QuantizeOptions Options,
    EquatableArray<FusePattern> Fuses,
    EquatableArray<LayerSpec> Layers,
    EquatableArray<ForwardStep> Forward,
    int Output,
    EquatableArray<BlockSpec> Blocks = default)
{
    public LayerSpec? Layer(string name)
    {
        foreach (LayerSpec layer in Layers)
        {
            if (layer.Name == name) return layer;
        }

        return null;
    }
}

/// <summary>The transform's result: the model when it could be read, and the diagnostics either way.</summary>
internal sealed record ParseResult(ModelSpec? Model, EquatableArray<DiagnosticInfo> Diagnostics);
