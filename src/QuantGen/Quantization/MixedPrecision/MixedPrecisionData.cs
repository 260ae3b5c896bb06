namespace QuantGen.Quantization;

/// <summary>
/// What <see cref="EagerQuantization.AutoMixedPrecision"/> measures with: calibration batches (each trial calibrates on
/// them, and the numeric suite compares on the first), and held-out labelled inputs that decide top-1.
/// </summary>
/// <remarks>An immutable record; the tensors are not copied: leave them unchanged while a search reads them.</remarks>
/// <param name="Calibration">Representative inputs, [N, …] each, as <see cref="EagerQuantization.Calibrate"/> takes.</param>
/// <param name="HeldOut">Inputs kept apart from calibration, [N, …].</param>
/// <param name="Labels">The class of each held-out input (N of them).</param>
public sealed record MixedPrecisionData(IReadOnlyList<Tensor> Calibration, Tensor HeldOut, IReadOnlyList<int> Labels);
