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

/// <summary>A module field or property of the model: <c>readonly Conv2d conv1 = new(1, 8, kernelSize: 3)</c>.</summary>
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

    /// <summary><c>a + b</c> or <c>Functional.Add(a, b)</c>.</summary>
    Add,
}

/// <summary>
/// One step of <c>Forward</c>'s dataflow in single-assignment form: value 0 is the input, step <c>i</c> writes
/// value <c>i + 1</c> from <see cref="Inputs"/>.
/// </summary>
internal sealed record ForwardStep(ForwardOp Op, string Target, EquatableArray<int> Inputs, long Integer, LocationInfo? Location);

/// <summary>Everything the generator read from one annotated class; equatable, no symbols or syntax.</summary>
internal sealed record ModelSpec(
    string Namespace,
    string ClassName,
    EquatableArray<int> InputShape,
    QuantizeOptions Options,
    EquatableArray<FusePattern> Fuses,
    EquatableArray<LayerSpec> Layers,
    EquatableArray<ForwardStep> Forward,
    int Output)
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
