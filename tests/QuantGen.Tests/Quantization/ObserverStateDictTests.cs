using QuantGen.Quantization;

namespace QuantGen.Tests.Quantization;

/// <summary>State dicts carry PyTorch's buffer names, in PyTorch's order and shapes, and restore an observer fully.</summary>
public class ObserverStateDictTests
{
    public static TheoryData<string, string[], string[]> NamesAndShapes() => new()
    {
        { "MinMax", ["eps", "min_val", "max_val"], ["[1]", "[]", "[]"] },
        { "MovingAverageMinMax", ["eps", "min_val", "max_val"], ["[1]", "[]", "[]"] },
        { "PerChannelMinMax", ["eps", "min_val", "max_val"], ["[1]", "[0]", "[0]"] },
        { "MovingAveragePerChannelMinMax", ["eps", "min_val", "max_val"], ["[1]", "[0]", "[0]"] },
        { "Histogram", ["eps", "histogram", "min_val", "max_val"], ["[1]", "[2048]", "[]", "[]"] },
    };

    [Theory]
    [MemberData(nameof(NamesAndShapes))]
    public void Before_observing_the_state_dict_has_PyTorch_s_names_and_shapes(string kind, string[] names, string[] shapes)
    {
        var state = ObserverKinds.Create(kind).StateDict();

        Assert.Equal(names, state.Keys.ToArray());
        Assert.Equal(shapes, state.Values.Select(v => v.Shape.ToString()).ToArray());
        Assert.Equal(QParamsCalculator.DefaultEps, state["eps"].ToFloat32()[0]);
    }

    [Fact]
    public void Per_channel_buffers_take_the_channel_count_from_the_first_batch()
    {
        var observer = new PerChannelMinMaxObserver();
        observer.Forward(Tensor.Zeros(10, 32));

        var state = observer.StateDict();

        Assert.Equal(new Shape(10), state["min_val"].Shape);
        Assert.Equal(new Shape(10), state["max_val"].Shape);
        Assert.Contains(observer.NamedBuffers(), b => b.Name == "min_val" && b.Buffer.Length == 10);
    }

    [Theory]
    [MemberData(nameof(ObserverKinds.Names), MemberType = typeof(ObserverKinds))]
    public void A_fresh_observer_loaded_with_a_state_dict_gives_the_same_qparams(string kind)
    {
        var random = new Random(7);
        var observer = ObserverKinds.Create(kind);
        for (int b = 0; b < 3; b++)
        {
            var batch = Tensor.Zeros(4, 50);
            for (int i = 0; i < batch.Length; i++) batch.Data[i] = (float)(random.NextDouble() * 6 * (b + 1) - 2);
            observer.Forward(batch);
        }

        var restored = ObserverKinds.Create(kind);
        restored.LoadStateDict(observer.StateDict());

        Assert.True(restored.HasObserved);
        Assert.Equal(observer.CalculateQParams(), restored.CalculateQParams());
    }
}
