using QuantGen.Generator.Ops;

namespace QuantGen.Generator.Model;

/// <summary>The <c>[Quantize]</c> options, with the runtime enums' member names as text.</summary>
internal sealed record QuantizeOptions(string Mode, string Weights, string Activations, bool Strict);

/// <summary>One <c>[Fuse(...)]</c> pattern, its kinds in order ("Conv", "BN", "ReLU").</summary>
internal sealed record FusePattern(EquatableArray<string> Kinds, LocationInfo? Location);

/// <summary>One path of a <c>[KeepFloat]</c> attribute, and where its argument is written (QG0015 points there).</summary>
internal sealed record KeptPath(string Path, LocationInfo? Location);

/// <summary>
/// A constructor argument of a layer after binding: the parameter name, its constant value (an integer, a
/// boolean, a float or null, as C# text) and where it was written (null when the default was taken).
/// </summary>
internal sealed record LayerArg(string Name, string Text, long? Integer, LocationInfo? Location);

/// <summary>
/// A leaf module of the model: <c>readonly Conv2d conv1 = new(1, 8, kernelSize: 3)</c>. <see cref="Name"/> is its
/// path as the runtime's <c>NamedModules()</c> names it (<c>conv1</c>, <c>features.3.conv.1.0</c>), so that
/// <c>GetSubmodule(Name)</c> finds it at run time; <see cref="Op"/> is its kind's descriptor in the registry;
/// <see cref="Location"/> is where it was constructed.
/// </summary>
internal sealed record LayerSpec(string Name, OpDescriptor Op, EquatableArray<LayerArg> Args, LocationInfo? Location)
{
    public string Kind => Op.Kind;

    /// <summary>The integer value of a constructor argument, or null.</summary>
    public long? Int(string name) => new OpArgs(Args).Arg(name)?.Integer;
}

/// <summary>
/// One step of <c>Forward</c>'s dataflow in single-assignment form: value 0 is the input, step <c>i</c> writes
/// value <c>i + 1</c> from <see cref="Inputs"/>. <see cref="Op"/> is what runs: a leaf module's call
/// (<see cref="Layer"/> is its path, its arguments are the layer's) or a functional call such as
/// <c>Functional.Relu(x)</c>, <c>Flatten(x, 1)</c> or <c>a + b</c> (<see cref="Layer"/> is empty, <see cref="Call"/>
/// names the call and <see cref="Args"/> holds its constant arguments). Blocks are inlined: <see cref="Block"/> is
/// the path of the innermost block instance the step came from (one of <see cref="ModelSpec.Blocks"/>), empty for
/// the class itself.
/// </summary>
internal sealed record ForwardStep(
    OpDescriptor Op,
    string Layer,
    string Call,
    EquatableArray<int> Inputs,
    EquatableArray<LayerArg> Args,
    LocationInfo? Location,
    string Block = "")
{
    /// <summary>The module path, or the functional call's name: how the step is named in messages and output.</summary>
    public string Name => Layer.Length > 0 ? Layer : Call;

    public bool IsModule => Layer.Length > 0;
}

/// <summary>
/// One instance of a sub-module class used as a block (<c>features.3</c>, an <c>InvertedResidual(24, 24, 1, 6)</c>),
/// or a Sequential: its path, its class, its constructor arguments as written, and where it was constructed.
/// </summary>
internal sealed record BlockSpec(string Path, string ClassName, string Arguments, LocationInfo? Location)
{
    /// <summary>A Sequential container (<c>features</c>): it holds whole networks, and is no block of the user's.</summary>
    public bool IsContainer => ClassName == "Sequential";

    /// <summary>Whether a step whose innermost block is <paramref name="path"/> lies inside this block.</summary>
    public bool Contains(string path) => path == Path || path.StartsWith(Path + ".", System.StringComparison.Ordinal);
}

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
    EquatableArray<BlockSpec> Blocks = default,
    EquatableArray<KeptPath> KeepFloat = default)
{
    /// <summary>
    /// The constant arguments a step runs with: its layer's, or its call's — a functional call's, or a module method's
    /// (<c>join.Cat([a, b], 1)</c>).
    /// </summary>
    public OpArgs ArgsOf(ForwardStep step) => new(step.IsModule && step.Args.Count == 0 && Layer(step.Layer) is LayerSpec layer ? layer.Args : step.Args);

    public LayerSpec? Layer(string name)
    {
        foreach (LayerSpec layer in Layers)
        {
            if (layer.Name == name) return layer;
        }

        return null;
    }

    /// <summary>
    /// The outermost block of the user's whose path contains <paramref name="path"/> (a step's innermost block); null
    /// for the class itself. Sequential containers (<c>features</c>) hold whole networks and do not count.
    /// </summary>
    public BlockSpec? OutermostBlock(string path)
    {
        if (path.Length == 0) return null;
        BlockSpec? outermost = null;
        foreach (BlockSpec block in Blocks)
        {
            if (!block.IsContainer && block.Contains(path) && (outermost is null || block.Path.Length < outermost.Path.Length)) outermost = block;
        }

        return outermost;
    }
}

/// <summary>The transform's result: the model when it could be read, and the diagnostics either way.</summary>
internal sealed record ParseResult(ModelSpec? Model, EquatableArray<DiagnosticInfo> Diagnostics);
