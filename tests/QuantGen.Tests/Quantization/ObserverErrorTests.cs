using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Tests.Quantization;

public class ObserverErrorTests
{
    /// <summary>A layer with an observer where PyTorch's prepare puts one: <c>conv1.activation_post_process</c>.</summary>
    private sealed class ObservedLayer(Observer observer) : Module
    {
        public readonly Observer activation_post_process = observer;
    }

    private sealed class Model(Observer observer) : Module
    {
        public readonly ObservedLayer conv1 = new(observer);
    }

    [Theory]
    [MemberData(nameof(ObserverKinds.Names), MemberType = typeof(ObserverKinds))]
    public void Non_finite_values_throw_a_CalibrationException_that_names_the_path_and_counts_them(string kind)
    {
        var observer = ObserverKinds.Create(kind);
        var model = new Model(observer);
        observer.Forward(Tensor.Full(0.5f, 2, 3));
        var before = model.StateDict();   // walking the model tree also sets each module's path
        var batch = Tensor.Full(1f, 2, 3);
        batch.Data[0] = float.NaN;
        batch.Data[2] = float.NaN;
        batch.Data[3] = float.PositiveInfinity;
        batch.Data[5] = float.NegativeInfinity;

        var error = Assert.Throws<CalibrationException>(() => observer.Forward(batch));

        Assert.Contains("'conv1.activation_post_process'", error.Message);
        Assert.Contains("4 non-finite values (2 NaN, 2 ±Inf)", error.Message);
        Assert.Contains("clean the calibration set", error.Message);
        Assert.Equal((2, 2, 4), (error.NanCount, error.InfinityCount, error.NonFiniteCount));
        Assert.IsAssignableFrom<QuantGenException>(error);
        foreach (var (key, value) in model.StateDict())
        {
            Assert.True(before[key].Bytes.SequenceEqual(value.Bytes), $"{key} changed although the batch was rejected");
        }
    }

    [Theory]
    [MemberData(nameof(ObserverKinds.Names), MemberType = typeof(ObserverKinds))]
    public void Calculating_qparams_before_any_observation_throws_NotCalibratedException(string kind)
    {
        var observer = ObserverKinds.Create(kind);

        Assert.False(observer.HasObserved);
        var error = Assert.Throws<NotCalibratedException>(() => observer.CalculateQParams());

        Assert.Contains("calibration has not run", error.Message);
        Assert.Contains(observer.GetType().Name, error.Message);
    }

    [Theory]
    [MemberData(nameof(ObserverKinds.Names), MemberType = typeof(ObserverKinds))]
    public void An_empty_batch_is_returned_and_records_nothing(string kind)
    {
        var observer = ObserverKinds.Create(kind);
        var empty = Tensor.Zeros(0, 3);

        Assert.Same(empty, observer.Forward(empty));
        Assert.False(observer.HasObserved);
    }

    [Fact]
    public void Constructor_arguments_PyTorch_rejects_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new MinMaxObserver(qscheme: QScheme.PerChannelAffine));
        Assert.Throws<ArgumentException>(() => new PerChannelMinMaxObserver(qscheme: QScheme.PerTensorAffine));
        Assert.Throws<ArgumentException>(() => new HistogramObserver(qscheme: QScheme.PerChannelSymmetric));
        Assert.Throws<ArgumentException>(() => new MinMaxObserver(qscheme: QScheme.PerTensorSymmetric, reduceRange: true));
        Assert.Throws<ArgumentException>(() => new MinMaxObserver(quantMin: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MovingAverageMinMaxObserver(averagingConstant: 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MinMaxObserver(eps: 0f));
    }
}
