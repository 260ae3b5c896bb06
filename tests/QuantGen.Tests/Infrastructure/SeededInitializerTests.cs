using QuantGen.Nn;

namespace QuantGen.Tests.Infrastructure;

/// <summary>The assembly-wide seed is in force when a test starts, whatever ran on its thread before.</summary>
public sealed class SeededInitializerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_test_starts_from_the_same_initializer_seed(int layersBuiltFirst)
    {
        float[] first = new Linear(4, 3).Weight.Data.ToArray();
        for (int i = 0; i < layersBuiltFirst; i++) _ = new Linear(4, 3);   // moves this thread's generator on

        Init.ManualSeed(SeededInitializerAttribute.Seed);
        Assert.Equal(first, new Linear(4, 3).Weight.Data.ToArray());
    }
}
