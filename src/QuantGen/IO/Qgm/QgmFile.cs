using QuantGen.Kernels;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.IO.Qgm;

/// <summary>
/// Saves a converted model to a .qgm file and loads it back into a freshly built model of the same class, which
/// then runs exactly as the converted model did (bit for bit). A .qgm file is a safetensors file: int8 weights
/// (I8), their scales (F32) and zero points (I32), float biases and output qparams under each layer's dotted path,
/// as in a PyTorch quantized state dict, and the float state of whatever still runs in float; its metadata says
/// what it is (format, version, architecture, structure, mode) and what each layer became.
/// </summary>
/// <example><code>
/// Convert(model);
/// QgmFile.Save(model, "mnv2.qgm");
/// var loaded = QgmFile.Load(new MobileNetV2(), "mnv2.qgm");   // no fusing, calibrating or float weights needed
/// </code></example>
public static class QgmFile
{
    /// <summary>Writes <paramref name="convertedModel"/> to <paramref name="path"/>, replacing any file there.</summary>
    /// <exception cref="QuantizationException">The model is not converted (call Convert or QuantizeDynamic first).</exception>
    public static void Save(Module convertedModel, string path)
    {
        ArgumentNullException.ThrowIfNull(convertedModel);
        ArgumentNullException.ThrowIfNull(path);
        SafeTensors.Save(path, QgmWriter.Write(convertedModel));
    }

    /// <summary>
    /// Puts <paramref name="model"/> — freshly constructed, with the arguments the saved model had — into the converted
    /// state the file holds, in eval mode; returns it. Everything is checked before the model is changed.
    /// </summary>
    /// <exception cref="QgmFormatException">The file is not a .qgm file, has another format version, holds another
    /// architecture or structure, is damaged, or lacks a tensor; the message says which and what to do.</exception>
    /// <exception cref="QuantizationException">The model is not freshly constructed (it is fused, prepared or converted).</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    public static TModel Load<TModel>(TModel model, string path) where TModel : Module
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        RequireFresh(model);
        return Restore(model, ReadContainer(path), path);
    }

    /// <summary>As <see cref="Load{TModel}(TModel, string)"/>, from the file's bytes; <paramref name="sourceName"/> names it in errors.</summary>
    internal static TModel Load<TModel>(TModel model, byte[] bytes, string sourceName) where TModel : Module
    {
        RequireFresh(model);
        return Restore(model, ReadContainer(() => SafeTensors.Read(bytes, sourceName), sourceName), sourceName);
    }

    private static TModel Restore<TModel>(TModel model, StateDict file, string path) where TModel : Module
    {
        var header = QgmHeader.Read(file, path);
        ModelFit.Require(header, file, model);
        RestorePlan.Create(model, header, file).Apply();
        return model;
    }

    /// <summary>What the file holds — architecture, format version, mode, layers — without a model.</summary>
    /// <exception cref="QgmFormatException">The file is not a .qgm file this QuantGen reads, or is damaged.</exception>
    public static QgmInfo Inspect(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return QgmHeader.Read(ReadContainer(path), path).Info;
    }

    /// <summary>Reads the safetensors container; its errors become .qgm errors that say what to do, with the original inside.</summary>
    private static StateDict ReadContainer(string path) => ReadContainer(() => SafeTensors.Load(path), path);

    private static StateDict ReadContainer(Func<StateDict> read, string path)
    {
        try
        {
            return read();
        }
        catch (SafeTensorsException e)
        {
            throw new QgmFormatException(path, e.Key,
                $"the file is damaged: its safetensors container cannot be read ({e.Problem}). It was truncated or corrupted " +
                "(an interrupted copy or download?): copy it again, or save the converted model again with QgmFile.Save.", e);
        }
    }

    private static void RequireFresh(Module model)
    {
        foreach (var (path, module) in model.NamedModules())
        {
            string? state = module switch
            {
                Layer { Substitute: not null and not Identity } => "converted",
                Layer { OutputObserver: not null } => "prepared",
                Layer { Substitute: Identity } or Conv2d { HasFoldedBatchNorm: true } or Conv2d { Activation: not FusedActivation.None }
                    or Linear { HasFoldedBatchNorm: true } or Linear { Activation: not FusedActivation.None } => "fused",
                _ => null,
            };
            if (state is not null)
            {
                string name = model.GetType().Name;
                throw new QuantizationException(
                    $"Load restores a saved model into a freshly constructed one, but '{path}' of this {name} is already {state}. " +
                    $"Pass a new {name}, built with the arguments the saved model had; the file supplies everything else.");
            }
        }
    }
}
