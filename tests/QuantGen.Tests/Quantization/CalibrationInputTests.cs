using QuantGen.IO;
using QuantGen.Models;
using QuantGen.Quantization;
using QuantGen.Tests.Infrastructure;
using static QuantGen.Quantization.EagerQuantization;

namespace QuantGen.Tests.Quantization;

/// <summary>
/// Calibration given nothing useful — no sequence, an empty one, a null or empty batch, inputs that are all zero — is a
/// typed error that names what was wrong and says what to pass, through the eager workflow and the generated
/// <c>Calibrate</c> alike; nothing of a refused calibration reaches Convert.
/// </summary>
public sealed class CalibrationInputTests
{
    private static SmallCnn Prepared()
    {
        var model = TrainedModels.SmallCnn();
        FuseModules(model, SmallCnn.FusionGroups);
        Prepare(model, QConfig.Default);
        return model;
    }

    [Fact]
    public void A_null_sequence_is_an_ArgumentNullException_naming_it()
    {
        var error = Assert.Throws<ArgumentNullException>(() => Calibrate(Prepared(), null!));
        Assert.Equal("batches", error.ParamName);
        Assert.Equal("batches", Assert.Throws<ArgumentNullException>(() => TrainedModels.SmallCnn().Calibrate(null!)).ParamName);
    }

    [Fact]
    public void An_empty_sequence_says_to_pass_representative_inputs_through_the_generated_Calibrate_too()
    {
        var eager = Assert.Throws<QuantizationException>(() => Calibrate(Prepared(), []));
        var generated = Assert.Throws<QuantizationException>(() => TrainedModels.SmallCnn().Calibrate([]));

        Assert.Contains("The calibration set is empty: pass representative inputs", eager.Message);
        Assert.Equal(eager.Message, generated.Message);
    }

    [Fact]
    public void A_null_batch_is_named_by_its_position()
    {
        var batch = MnistSet.LoadTest().ToTensor(0, 2);

        var error = Assert.Throws<QuantizationException>(() => Calibrate(Prepared(), [batch, null!]));

        Assert.Contains("Batch 1 of the calibration set is null", error.Message);
    }

    [Fact]
    public void Empty_batches_are_named_by_position_and_shape()
    {
        var batch = MnistSet.LoadTest().ToTensor(0, 2);

        var error = Assert.Throws<QuantizationException>(() => Calibrate(Prepared(), [batch, Tensor.Zeros(0, 1, 28, 28)]));

        Assert.Contains("Batch 1 of the calibration set has no samples (shape [0, 1, 28, 28])", error.Message);
    }

    [Fact]
    public void All_zero_inputs_are_refused_with_what_the_int8_model_would_do_and_what_to_pass()
    {
        var model = Prepared();

        var error = Assert.Throws<CalibrationException>(() => Calibrate(model, [Tensor.Zeros(8, 1, 28, 28), Tensor.Zeros(8, 1, 28, 28)]));

        Assert.Equal("'quant.activation_post_process' (MinMaxObserver)", error.Observer);
        Assert.Contains("every value it saw in 16 calibration samples lies in [0, 0]", error.Message);
        Assert.Contains("every input of the int8 model would quantize to the same few values", error.Message);
        Assert.Contains("pass real, representative inputs, normalised as in training", error.Message);
    }

    [Fact]
    public void Inputs_of_a_normal_range_calibrate_even_where_a_layer_only_ever_saw_a_constant()
    {
        // Black images, normalised as MNIST is: a constant −0.42, not zero, so the input range is usable.
        float black = (0f - 0.1307f) / 0.3081f;
        var batch = new Tensor(new Shape(4, 1, 28, 28), Enumerable.Repeat(black, 4 * 784).ToArray());

        Assert.Equal(4, Calibrate(Prepared(), [batch]));
    }
}
