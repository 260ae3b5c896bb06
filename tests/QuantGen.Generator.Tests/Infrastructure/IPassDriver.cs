using QuantGen.Nn;

namespace QuantGen.Generator.Tests.Infrastructure;

/// <summary>
/// What a driver of a model's generated float or dynamic pass offers the tests (see <see cref="Sources.PassDriver"/>),
/// so that they call the generated code through an interface.
/// </summary>
public interface IPassDriver
{
    /// <summary>The model, float; dynamically quantized in place by <see cref="Build"/> for a dynamic driver.</summary>
    Module Model { get; }

    /// <summary>The generated <c>Float.From(model)</c>, or <c>model.QuantizeDynamic()</c>.</summary>
    void Build();

    /// <summary>A driver over the generated pass's <c>Fork()</c> (the same model).</summary>
    IPassDriver Fork();

    int MaxThreads { get; set; }

    void Forward(ReadOnlySpan<float> input, Span<float> output);

    void Forward(ReadOnlySpan<float> input, Span<float> output, int batch);
}
