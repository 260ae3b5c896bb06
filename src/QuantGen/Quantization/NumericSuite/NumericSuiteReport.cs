using System.Globalization;
using System.Text;

namespace QuantGen.Quantization;

/// <summary>
/// The numeric suite's answer for one model: every int8 layer in the order the model ran them, with its output, own and
/// weight errors. Immutable: safe to share between threads.
/// </summary>
public sealed class NumericSuiteReport
{
    internal NumericSuiteReport(string model, IReadOnlyList<LayerComparison> layers, long samples)
    {
        Model = model;
        Layers = layers;
        Samples = samples;
    }

    /// <summary>The compared model's type name.</summary>
    public string Model { get; }

    /// <summary>One entry per int8 layer, in the order of its first call.</summary>
    public IReadOnlyList<LayerComparison> Layers { get; }

    /// <summary>How many samples (the first dimension of the batches) were compared.</summary>
    public long Samples { get; }

    /// <summary>The layer at <paramref name="path"/>.</summary>
    /// <exception cref="KeyNotFoundException">No int8 layer has that path.</exception>
    public LayerComparison this[string path] =>
        Layers.FirstOrDefault(l => l.Path == path) ?? throw new KeyNotFoundException($"The numeric suite compared no int8 layer '{path}' in {Model}.");

    /// <summary>
    /// The layers ranked by the error they add by themselves, worst (lowest SQNR) first: where keeping a layer in float
    /// is likely to buy the most. Layers without a by-itself measure (FloatFunctional) rank by their output error.
    /// </summary>
    public IReadOnlyList<LayerComparison> MostSensitiveFirst() =>
        [.. Layers.OrderBy(l => (l.ByItself ?? l.Output).SqnrDb).ThenBy(l => l.Path, StringComparer.Ordinal)];

    /// <summary>The table as plain text, one layer a line (the samples render it with Spectre.Console instead).</summary>
    public override string ToString()
    {
        var text = new StringBuilder($"{Model}: {Layers.Count} int8 layers on {Samples} samples\n");
        text.Append(CultureInfo.InvariantCulture, $"{"layer",-28} {"kind",-16} {"SQNR dB",8} {"max |e|",9} {"mean |e|",9} {"own dB",8} {"weight dB",9}\n");
        foreach (var l in Layers)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{l.Path,-28} {l.Kind,-16} {l.Output.SqnrDb,8:F2} {l.Output.MaxAbsError,9:G4} {l.Output.MeanAbsError,9:G4} {Db(l.ByItself),8} {Db(l.Weight),9}\n");
        }
        return text.ToString();

        static string Db(ErrorSummary? e) => e is { } s ? s.SqnrDb.ToString("F2", CultureInfo.InvariantCulture) : "-";
    }
}
