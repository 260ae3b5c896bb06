using QuantGen.Training;

namespace QuantGen.Tests.Training;

/// <summary>
/// Optimizer steps against PyTorch's update formulas computed by hand in double. The optimizers work in float32,
/// so each step rounds a handful of times: 1e-6 relative is a few ulps, far below any formula difference.
/// </summary>
public sealed class OptimizerTests
{
    private static readonly float[][] Gradients = [[0.5f, -1.5f, 0.25f], [0.1f, -0.2f, 2f], [-0.7f, 0.3f, 0.05f]];
    private static readonly float[] Start = [1f, -2f, 0.5f];

    [Fact]
    public void PlainSgdSubtractsTheScaledGradient()
    {
        var p = Parameter();
        var sgd = new Sgd([p], learningRate: 0.1f);
        p.Grad = Tensor.FromArray([.. Gradients[0]], 3);
        sgd.Step();
        Assert.Equal([1f - 0.1f * 0.5f, -2f + 0.1f * 1.5f, 0.5f - 0.1f * 0.25f], p.Data);
    }

    [Theory]
    [InlineData(0.9f, 0f, 0f, false)]
    [InlineData(0.9f, 0.3f, 0.01f, false)]
    [InlineData(0.8f, 0f, 0.05f, true)]
    public void SgdWithMomentumDampeningAndWeightDecay(float momentum, float dampening, float weightDecay, bool nesterov)
    {
        const double lr = 0.05;
        var p = Parameter();
        var sgd = new Sgd([p], (float)lr, momentum, dampening, weightDecay, nesterov);
        double[] expected = Array.ConvertAll(Start, v => (double)v);
        var buffer = new double[3];
        for (int step = 0; step < Gradients.Length; step++)
        {
            p.Grad = Tensor.FromArray([.. Gradients[step]], 3);
            sgd.Step();
            for (int i = 0; i < 3; i++)
            {
                double g = Gradients[step][i] + weightDecay * expected[i];
                buffer[i] = step == 0 ? g : momentum * buffer[i] + (1 - dampening) * g;
                double direction = nesterov ? g + momentum * buffer[i] : buffer[i];
                expected[i] -= lr * direction;
                Assert.Equal(expected[i], p.Data[i], 1e-6 * Math.Max(1, Math.Abs(expected[i])));
            }
        }
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void AdamFollowsPyTorchsFormulas(float weightDecay)
    {
        const double lr = 0.01, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        var p = Parameter();
        var adam = new Adam([p], (float)lr, (float)beta1, (float)beta2, (float)eps, weightDecay);
        double[] expected = Array.ConvertAll(Start, v => (double)v);
        var m = new double[3];
        var v = new double[3];
        for (int step = 1; step <= Gradients.Length; step++)
        {
            p.Grad = Tensor.FromArray([.. Gradients[step - 1]], 3);
            adam.Step();
            for (int i = 0; i < 3; i++)
            {
                double g = Gradients[step - 1][i] + weightDecay * expected[i];
                m[i] = beta1 * m[i] + (1 - beta1) * g;
                v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                double mHat = m[i] / (1 - Math.Pow(beta1, step)), vHat = v[i] / (1 - Math.Pow(beta2, step));
                expected[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
                Assert.Equal(expected[i], p.Data[i], 1e-6 * Math.Max(1, Math.Abs(expected[i])));
            }
        }
    }

    [Fact]
    public void AdamsFirstStepMovesEachWeightByTheLearningRate()
    {
        // With m̂ = g and v̂ = g², the first update is lr·g/(|g| + ε): lr against the gradient's sign.
        var p = Parameter();
        var adam = new Adam([p], learningRate: 0.01f);
        p.Grad = Tensor.FromArray([.. Gradients[0]], 3);
        adam.Step();
        for (int i = 0; i < 3; i++) Assert.Equal(Start[i] - 0.01 * Math.Sign(Gradients[0][i]), p.Data[i], 1e-6);
    }

    [Fact]
    public void ParametersWithoutAGradientAreLeftAlone()
    {
        var p = Parameter();
        var q = Parameter();
        var sgd = new Sgd([p, q], 0.1f, momentum: 0.9f);
        p.Grad = Tensor.FromArray([.. Gradients[0]], 3);
        sgd.Step();
        Assert.Equal(Start, q.Data);
        sgd.ZeroGrad();
        Assert.Null(p.Grad);
    }

    [Fact]
    public void BadSettingsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new Sgd([], 0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([Parameter()], -0.1f));
        Assert.Throws<ArgumentException>(() => new Sgd([Parameter()], 0.1f, momentum: 0, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([Parameter()], beta1: 1f));
    }

    private static Tensor Parameter()
    {
        var p = Tensor.FromArray([.. Start], 3);
        p.RequiresGrad = true;
        return p;
    }
}
