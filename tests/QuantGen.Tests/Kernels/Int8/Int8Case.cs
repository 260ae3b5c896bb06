using QuantGen.Kernels;
using QuantGen.Kernels.Reference;

namespace QuantGen.Tests.Kernels.Int8;

/// <summary>The kinds of numbers a case draws, each aimed at a different way a fast kernel could go wrong.</summary>
public enum Int8Regime
{
    /// <summary>Random bytes over the full range and a multiplier that spreads the outputs over the byte range.</summary>
    Typical,

    /// <summary>Activations in [0, 127] and the layer told so: the <c>vpmaddubsw</c> case.</summary>
    ReducedRange,

    /// <summary>
    /// Activations in [0, 127], as a reduce-range calibration leaves them, with a stray larger byte in about one of four
    /// runs of <c>depth</c> bytes, and the layer not told: row blocks on <c>vpmaddubsw</c> and on exact pairs in one call.
    /// </summary>
    MostlyReducedRange,

    /// <summary>All-255 activations (or 127 when reduced), all −128 weights, nonzero zero points: the largest products.</summary>
    Extreme,

    /// <summary>A multiplier far above 1 (tiny output scale): nearly every output clamps.</summary>
    HugeMultiplier,

    /// <summary>Multiplier exactly 0.5 and small sums: many products land on .5, so rounding must be half to even.</summary>
    Ties,

    /// <summary>Biases near ±2³¹, so the int32 accumulator wraps.</summary>
    Wraparound,
}

/// <summary>One random int8 layer's parameters and data, seeded so that a failure names a case that can be rerun.</summary>
public sealed class Int8Case
{
    public required ActivationQParams InputQ { get; init; }
    public required ActivationQParams OutputQ { get; init; }
    public required WeightQParams WeightQ { get; init; }
    public required sbyte[] Weight { get; init; }
    public required int[] Bias { get; init; }
    public required byte[] Input { get; init; }
    public required FusedActivation Activation { get; init; }
    public required OutputRange? InputRange { get; init; }
    public required string Description { get; init; }

    /// <param name="outputs">Output channels (the weight's axis 0).</param>
    /// <param name="depth">Weights per output channel (terms in each sum).</param>
    public static Int8Case Create(Random random, Int8Regime regime, int outputs, int depth, int inputLength)
    {
        bool perChannel = random.Next(2) == 0, weightZeroPoints = regime == Int8Regime.Extreme || random.Next(3) == 0;
        bool reduced = regime == Int8Regime.ReducedRange || (regime == Int8Regime.Extreme && random.Next(2) == 0);
        var activation = (FusedActivation)random.Next(3);
        int inputMax = reduced || regime == Int8Regime.MostlyReducedRange ? 127 : 255;

        float inputScale = regime == Int8Regime.Ties ? 1f : 0.002f + random.NextSingle() * 0.05f;
        int inputZeroPoint = regime == Int8Regime.Ties ? 100 : random.Next(inputMax + 1);
        var scales = new float[perChannel ? outputs : 1];
        var zeroPoints = new int[scales.Length];
        for (int i = 0; i < scales.Length; i++)
        {
            scales[i] = regime == Int8Regime.Ties ? 0.5f : 0.001f + random.NextSingle() * 0.02f;
            zeroPoints[i] = !weightZeroPoints ? 0 : regime == Int8Regime.Extreme ? 127 - random.Next(3) : random.Next(-128, 128);
        }
        var weightQ = perChannel ? WeightQParams.PerChannel(scales, zeroPoints) : WeightQParams.PerTensor(scales[0], zeroPoints[0]);

        // Spread typical sums (σ ≈ 74·74·√K) over about ±60 output steps.
        float meanScale = scales.Average();
        float outputScale = regime switch
        {
            Int8Regime.Ties => 1f,
            Int8Regime.HugeMultiplier => inputScale * meanScale * 0.01f,
            _ => inputScale * meanScale * 5476f * MathF.Sqrt(depth) / 60f * (0.5f + random.NextSingle() * 1.5f),
        };
        var outputQ = new ActivationQParams(outputScale, random.Next(256));

        var weight = new sbyte[outputs * depth];
        var input = new byte[inputLength];
        for (int i = 0; i < weight.Length; i++)
        {
            weight[i] = regime switch
            {
                Int8Regime.Extreme => sbyte.MinValue,
                Int8Regime.Ties => (sbyte)random.Next(-3, 4),
                _ => (sbyte)random.Next(-128, 128),
            };
        }
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = regime switch
            {
                Int8Regime.Extreme => (byte)inputMax,
                Int8Regime.Ties => (byte)(inputZeroPoint + random.Next(-3, 4)),
                Int8Regime.MostlyReducedRange when random.Next(4 * depth) == 0 => (byte)random.Next(128, 256),
                _ => (byte)random.Next(inputMax + 1),
            };
        }
        int[] bias = random.Next(4) == 0 ? [] : new int[outputs];
        for (int i = 0; i < bias.Length; i++)
        {
            bias[i] = regime switch
            {
                Int8Regime.Wraparound => random.Next(2) == 0 ? int.MaxValue - random.Next(1000) : int.MinValue + random.Next(1000),
                Int8Regime.Ties => random.Next(-20, 21),
                _ => random.Next(-200_000, 200_001),
            };
        }
        return new Int8Case
        {
            InputQ = new ActivationQParams(inputScale, inputZeroPoint),
            OutputQ = outputQ,
            WeightQ = weightQ,
            Weight = weight,
            Bias = bias,
            Input = input,
            Activation = activation,
            InputRange = reduced ? new OutputRange(0, 127) : null,
            Description = $"{regime}, {(perChannel ? "per-channel" : "per-tensor")}, weight zero points {(weightZeroPoints ? "nonzero" : "0")}, " +
                $"bias {(bias.Length == 0 ? "none" : "yes")}, {activation}, input ≤ {inputMax}{(regime == Int8Regime.MostlyReducedRange ? " but a few" : "")}",
        };
    }

    /// <summary>
    /// This case onto the whole byte from a zero point of 0, as the expansions behind a ReLU6 calibrated from 0 are, with
    /// symmetric weights and a multiplier of at most ½: the zero-based requantize (and on AVX-VNNI the float-bits start
    /// where the sums allow it).
    /// </summary>
    public Int8Case ZeroBased()
    {
        WeightQParams symmetric = SymmetricWeightQ();
        float largestScale = Enumerable.Range(0, symmetric.Count).Max(symmetric.Scale);
        return new()
        {
            InputQ = InputQ, Weight = Weight, Bias = Bias, Input = Input, InputRange = InputRange, WeightQ = symmetric,
            OutputQ = new ActivationQParams(Math.Max(OutputQ.Scale, 2 * InputQ.Scale * largestScale), 0),
            Activation = FusedActivation.ReLU, Description = Description + ", zero-based output",
        };
    }

    /// <summary>This case with its weights' zero points 0 (scales kept) and the input's zero point <paramref name="inputZeroPoint"/>.</summary>
    public Int8Case WithSymmetricWeights(int inputZeroPoint) => new()
    {
        InputQ = new ActivationQParams(InputQ.Scale, inputZeroPoint), OutputQ = OutputQ, WeightQ = SymmetricWeightQ(),
        Weight = Weight, Bias = Bias, Input = Input, Activation = Activation, InputRange = InputRange,
        Description = Description + $", weight zero points made 0, input zero point {inputZeroPoint}",
    };

    /// <summary>The weights' quantization with every zero point 0, the scales kept.</summary>
    private WeightQParams SymmetricWeightQ()
    {
        float[] scales = Enumerable.Range(0, WeightQ.Count).Select(WeightQ.Scale).ToArray();
        return WeightQ.IsPerChannel ? WeightQParams.PerChannel(scales) : WeightQParams.PerTensor(scales[0]);
    }

    /// <summary>This case on other input bytes.</summary>
    public Int8Case WithInput(byte[] input) => new()
    {
        InputQ = InputQ, OutputQ = OutputQ, WeightQ = WeightQ, Weight = Weight, Bias = Bias, Input = input,
        Activation = Activation, InputRange = InputRange, Description = Description,
    };

    /// <summary>
    /// Overwrites the data with the largest products of both signs: bytes 0 or 255 (127 when the case promises a
    /// reduced range) against weights 127, −127 or −128.
    /// </summary>
    public void Saturate(Random random)
    {
        byte high = (byte)(InputRange?.Max ?? 255);
        for (int i = 0; i < Input.Length; i++) Input[i] = random.Next(2) == 0 ? (byte)0 : high;
        for (int i = 0; i < Weight.Length; i++) Weight[i] = (sbyte)(random.Next(3) switch { 0 => 127, 1 => -127, _ => -128 });
    }
}
