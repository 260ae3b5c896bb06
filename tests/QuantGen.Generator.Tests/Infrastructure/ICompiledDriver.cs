using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Generator.Tests.Infrastructure;

/// <summary>
/// What a driver class compiled along with a model in memory offers the tests, so that they call the generated
/// code through an interface rather than reflection or <c>dynamic</c>.
/// </summary>
public interface ICompiledDriver
{
    /// <summary>The model: float before <see cref="Quantize"/>, converted (eager int8) after it.</summary>
    Module Model { get; }

    /// <summary>The generated flow: <c>Calibrate(batches, qconfig)</c>, then <c>Convert()</c>.</summary>
    void Quantize(IEnumerable<Tensor> batches, QConfig? qconfig);

    /// <summary>The generated <c>Int8.From</c> on the (converted) model, replacing the one <see cref="Quantize"/> built.</summary>
    void RebuildFromModel();

    /// <summary>The generated <c>Int8.MaxThreads</c>.</summary>
    int MaxThreads { get; set; }

    /// <summary>The generated <c>Int8.Reserve(concurrentCalls)</c>.</summary>
    void Reserve(int concurrentCalls);

    /// <summary>A driver over the generated <c>Int8.Fork()</c> of this one's pass (the same model).</summary>
    ICompiledDriver Fork();

    void Forward(ReadOnlySpan<float> input, Span<float> output);

    void Forward(ReadOnlySpan<float> input, Span<float> output, int batch);
}
