using System.Collections.Generic;
using System.Text;
using QuantGen.Generator.Model;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary>
/// Everything the generator and the analyzers know about one op kind, in one place: the runtime module it is
/// (<see cref="MetadataName"/>, the registry's key) and the functional calls that run it, how many tensors it reads,
/// its shape rule, its role in <c>[Fuse]</c> patterns, what eager convert turns it into (<see cref="Int8Form"/>) and
/// its lowerings — int8, float and dynamic — which carry the code the emitter writes for it. Descriptors are singletons in
/// <see cref="OpRegistry"/>; pipeline models hold them and compare them by kind.
/// </summary>
internal abstract class OpDescriptor : System.IEquatable<OpDescriptor>
{
    /// <summary>The runtime module's name (<c>Conv2d</c>): how messages and generated comments name the op.</summary>
    public abstract string Kind { get; }

    /// <summary>The runtime module type's metadata name, the registry's key.</summary>
    public virtual string MetadataName => "QuantGen.Nn." + Kind;

    /// <summary>The methods of <c>Functional</c> (and <c>Module</c>) that run this op on tensors, by name.</summary>
    public virtual IReadOnlyList<string> FunctionalNames => [];

    /// <summary>How many tensors it reads.</summary>
    public virtual int Arity => 1;

    /// <summary>Whether a call may pass it <paramref name="count"/> tensors (<see cref="Arity"/>, unless it takes a list).</summary>
    public virtual bool TakesInputs(int count) => count == Arity;

    /// <summary>
    /// For a module whose ops are its methods (<c>FloatFunctional</c>), the descriptor of the op a call of
    /// <paramref name="methodName"/> runs; null for any other name and any other module.
    /// </summary>
    public virtual OpDescriptor? Method(string methodName) => null;

    /// <summary>The kind a <c>[Fuse]</c> pattern names it by (<c>"Conv"</c>, <c>"BN"</c>…); null when it joins no fusion.</summary>
    public virtual string? FuseRole => null;

    /// <summary>What it does once fused into the head of its fusion, for the generated comment; null for a head.</summary>
    public virtual string? FusionEffect => null;

    /// <summary>The <c>FusedActivation</c> member that clamps in a fused head's requantize, for activations; else null.</summary>
    public virtual string? FusedActivation => null;

    /// <summary>What eager convert turns it into, which the generated int8 pass follows.</summary>
    public abstract Int8Form Int8Form { get; }

    /// <summary>
    /// What the generated int8 pass makes of the op with these arguments: <see cref="Int8Form"/>, unless its int8 kernel
    /// does not cover them and it runs as a float island instead (<see cref="IslandReason"/> says why).
    /// </summary>
    public virtual Int8Form Int8FormFor(OpArgs args) => Int8Form;

    /// <summary>Why an op that has an int8 kernel runs as a float island with these arguments (QG0009's wording); else null.</summary>
    public virtual string? IslandReason(OpArgs args) => null;

    /// <summary>True when dynamic quantization converts it (PyTorch's <c>quantize_dynamic</c> default set).</summary>
    public virtual bool HasDynamicForm => false;

    /// <summary>
    /// The <c>[InputShape]</c> arguments this op implies as a model's first layer, for QG0002's code fix; null when it
    /// implies none.
    /// </summary>
    public virtual string? InputShapeGuess(OpArgs args) => null;

    /// <summary>The output shape of one sample (no batch dimension); a shape that does not fit throws through the context.</summary>
    public abstract long[] InferShape(ShapeContext context);

    /// <summary>The int8 step; a step the int8 pass cannot run throws through the context (QG0008).</summary>
    public abstract Int8Lowering Lower(LoweringContext context);

    /// <summary>
    /// The step in the float pass; null while the op has no float lowering (its class then gets no float pass, and a
    /// diagnostic names the layer). A step the float pass cannot run throws through the context.
    /// </summary>
    public abstract FloatLowering? LowerFloat(LoweringContext context);

    /// <summary>
    /// The step in the dynamic pass: the float lowering, but for an op dynamic quantization converts
    /// (<see cref="HasDynamicForm"/>), which runs its dynamic int8 kernel.
    /// </summary>
    public abstract FloatLowering? LowerDynamic(LoweringContext context);

    /// <summary><c>Conv2d(inChannels: 1, outChannels: 8, …)</c>: the step as the docs of its shape constant show it.</summary>
    public string Describe(ForwardStep step, OpArgs args)
    {
        var text = new StringBuilder(step.IsModule ? Kind : step.Call).Append('(');
        for (int i = 0; i < args.All.Count; i++)
        {
            if (i > 0) text.Append(", ");
            text.Append(args.All[i].Name).Append(": ").Append(args.All[i].Text);
        }

        return text.Append(')').ToString();
    }

    public bool Equals(OpDescriptor? other) => other is not null && other.MetadataName == MetadataName;

    public override bool Equals(object? obj) => obj is OpDescriptor other && Equals(other);

    public override int GetHashCode() => MetadataName.GetHashCode();

    public override string ToString() => Kind;
}

/// <summary>A descriptor whose shape rule and lowering read its arguments as one typed record.</summary>
internal abstract class OpDescriptor<TArgs> : OpDescriptor
{
    /// <summary>The op's arguments, read once from the parser's bound constants.</summary>
    public abstract TArgs Read(OpArgs args);

    public sealed override long[] InferShape(ShapeContext context) => InferShape(context, Read(context.Args));

    public sealed override Int8Lowering Lower(LoweringContext context) => Lower(context, Read(context.Args));

    public sealed override FloatLowering? LowerFloat(LoweringContext context) => LowerFloat(context, Read(context.Args));

    public sealed override FloatLowering? LowerDynamic(LoweringContext context) => LowerDynamic(context, Read(context.Args));

    protected abstract long[] InferShape(ShapeContext context, TArgs args);

    protected abstract Int8Lowering Lower(LoweringContext context, TArgs args);

    /// <summary>None until the descriptor writes one: a class using the op then gets no float pass, and says why.</summary>
    protected virtual FloatLowering? LowerFloat(LoweringContext context, TArgs args) => null;

    protected virtual FloatLowering? LowerDynamic(LoweringContext context, TArgs args) => LowerFloat(context, args);
}

/// <summary>The arguments of an op that has none.</summary>
internal sealed record NoArgs
{
    public static readonly NoArgs Value = new();
}
