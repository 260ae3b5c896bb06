using QuantGen.Kernels;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>
/// What generated <c>Int8</c> classes and their <c>Calibrate</c> glue call on the eager model: fusing as
/// <c>[Fuse]</c> says, and finding each converted layer by its path, checking that it is what the generated code
/// was compiled for. Every failure is a <see cref="QuantizationException"/> that names the path and what differs.
/// </summary>
public static class CompiledModel
{
    /// <summary>
    /// Fuses each group (paths, head first) whose layers are not fused yet, so that calling <c>Calibrate</c> on a
    /// model fused by hand, or loaded fused, is not an error.
    /// </summary>
    public static void FuseUnfused(Module model, params string[][] groups)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(groups);
        var pending = new List<string[]>();
        foreach (string[] group in groups)
        {
            if (group.Length > 1 && model.GetSubmodule(group[1]) is Layer { Substitute: Identity }) continue;
            pending.Add(group);
        }
        if (pending.Count > 0) Fusion.FuseModules(model, [.. pending]);
    }

    /// <summary>The int8 form that convert put in place of the layer at <paramref name="path"/>.</summary>
    public static TSubstitute Substitute<TSubstitute>(Module model, string path, string kind)
        where TSubstitute : Module
    {
        Layer layer = LayerAt(model, path, kind);
        return layer.Substitute switch
        {
            TSubstitute found => found,
            null => throw new QuantizationException(
                $"'{path}' ({kind}) has no int8 form: convert the model (Calibrate, then Convert, or EagerQuantization.Convert) before building its Int8 forward pass."),
            Identity => throw new QuantizationException(
                $"'{path}' ({kind}) was fused into another layer, but the generated code runs it on its own: fuse the model as its [Fuse] attributes say."),
            var other => throw new QuantizationException(
                $"'{path}' ({kind}) was converted to {other.GetType().Name}, but the generated code expects {typeof(TSubstitute).Name}."),
        };
    }

    /// <summary>The layer at <paramref name="path"/>, which runs as it is in int8 (pooling, ReLU): it must not be fused away.</summary>
    public static TLayer Unfused<TLayer>(Module model, string path)
        where TLayer : Layer
    {
        var layer = (TLayer)LayerAt(model, path, typeof(TLayer).Name);
        if (layer.Substitute is not null)
        {
            throw new QuantizationException(
                $"'{path}' ({typeof(TLayer).Name}) was fused or converted into {layer.Substitute.GetType().Name}, but the generated code runs it on its own: fuse the model as its [Fuse] attributes say.");
        }
        return layer;
    }

    /// <summary>The layer at <paramref name="path"/>, whatever convert made of it; it must be a <typeparamref name="TLayer"/>.</summary>
    public static TLayer Layer<TLayer>(Module model, string path)
        where TLayer : Layer =>
        LayerAt(model, path, typeof(TLayer).Name) as TLayer
        ?? throw new QuantizationException($"'{path}' is a {model.GetSubmodule(path)!.GetType().Name}, but the generated code expects a {typeof(TLayer).Name}.");

    /// <summary>Checks that the layer at <paramref name="path"/> was folded into <paramref name="head"/> by fusion, as <c>[Fuse]</c> planned.</summary>
    public static void RequireFusedAway(Module model, string path, string head)
    {
        Layer layer = LayerAt(model, path, "layer");
        if (layer.Substitute is not Identity)
        {
            throw new QuantizationException(
                $"'{path}' ({layer.GetType().Name}) should be fused into '{head}' as [Fuse] says, but it was not: fuse the model as its [Fuse] attributes say (Calibrate does), then convert again.");
        }
    }

    /// <summary>Throws unless a property of the converted layer equals the constant the generated code was compiled with.</summary>
    public static void Check<T>(string path, string what, T expected, T actual)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new QuantizationException(
                $"'{path}': {what} is {actual} in the model but {expected} in the generated code; rebuild after changing the model class, or load a model of this class.");
        }
    }

    /// <summary>Throws unless the convolution has the geometry the generated code was compiled with (its batch aside).</summary>
    public static void CheckConv(string path, in ConvGeometry geometry, Conv2d source)
    {
        Check(path, "the input channels", geometry.InChannels, source.InChannels);
        Check(path, "the output channels", geometry.OutChannels, source.OutChannels);
        Check(path, "the kernel size", (geometry.KernelHeight, geometry.KernelWidth), source.KernelSize);
        Check(path, "the stride", (geometry.StrideHeight, geometry.StrideWidth), source.Stride);
        Check(path, "the padding", (geometry.PadHeight, geometry.PadWidth), source.Padding);
        Check(path, "the dilation", (geometry.DilationHeight, geometry.DilationWidth), source.Dilation);
        Check(path, "the groups", geometry.Groups, source.Groups);
    }

    private static Layer LayerAt(Module model, string path, string kind)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.GetSubmodule(path) switch
        {
            Layer layer => layer,
            null => throw new QuantizationException($"The model has no module '{path}' ({kind}), which the generated code was compiled for."),
            var other => throw new QuantizationException($"'{path}' is a {other.GetType().Name}, but the generated code expects a {kind}."),
        };
    }
}
