namespace QuantGen.Quantization;

/// <summary>
/// How far int8 values are from the float values they stand for, over every element compared: PyTorch's SQNR
/// (<c>torch.ao.ns.fx.utils.compute_sqnr</c>, 20·log10(‖x‖/‖x − y‖) in dB, higher is better), and the largest and mean
/// absolute difference.
/// </summary>
/// <remarks>An immutable value: safe to share between threads.</remarks>
/// <param name="SqnrDb">Signal-to-quantization-noise ratio in dB; +∞ when the values are equal (PyTorch gives NaN or +∞ there).</param>
/// <param name="MaxAbsError">The largest |x − y|.</param>
/// <param name="MeanAbsError">The mean |x − y|.</param>
/// <param name="Count">How many elements were compared.</param>
public readonly record struct ErrorSummary(double SqnrDb, double MaxAbsError, double MeanAbsError, long Count);
