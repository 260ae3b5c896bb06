using Microsoft.CodeAnalysis;
using QuantGen.Generator.Model;
using QuantGen.Generator.Planning;
using QuantGen.Generator.Tests.Infrastructure;

namespace QuantGen.Generator.Tests;

/// <summary>The arena plan: values alive at the same time never share bytes; offsets are aligned; aliases share their source's.</summary>
public sealed class ArenaPlannerTests
{
    [Fact]
    public void Buffers_alive_at_the_same_time_never_overlap_and_dead_ones_are_reused()
    {
        var random = new Random(3);
        for (int trial = 0; trial < 200; trial++)
        {
            var buffers = new List<ArenaPlanner.Buffer>();
            for (int v = 1; v <= 12; v++)
            {
                int first = v - 1;
                buffers.Add(new ArenaPlanner.Buffer(v, random.Next(1, 5000), first, first + random.Next(1, 4)));
            }

            (EquatableArray<ArenaSlot> slots, long length) = ArenaPlanner.Place(buffers);
            foreach (ArenaSlot a in slots)
            {
                Assert.Equal(0, a.Offset % ArenaPlanner.Alignment);
                Assert.True(a.Offset + a.Length <= length);
                foreach (ArenaSlot b in slots)
                {
                    bool bothAlive = a.Value != b.Value && a.First <= b.Last && b.First <= a.Last;
                    bool overlap = a.Offset < b.Offset + b.Length && b.Offset < a.Offset + a.Length;
                    Assert.False(bothAlive && overlap, $"values {a.Value} and {b.Value} share bytes while both alive");
                }
            }
        }
    }

    [Fact]
    public void A_chain_of_layers_needs_two_buffers()
    {
        // Each value is read only by the next step: two buffers ping-pong.
        var buffers = Enumerable.Range(1, 6).Select(v => new ArenaPlanner.Buffer(v, 100, v - 1, v)).ToList();
        (EquatableArray<ArenaSlot> slots, long length) = ArenaPlanner.Place(buffers);
        Assert.Equal([0, 128, 0, 128, 0, 128], slots.Select(s => s.Offset));
        Assert.Equal(256, length);
    }

    [Fact]
    public void An_arena_past_the_largest_array_is_reported_by_its_length_not_wrapped()
    {
        // Two values of 1.5 GB alive at once: each offset fits an int, the second's end does not.
        var buffers = new List<ArenaPlanner.Buffer> { new(1, 1_500_000_000, 0, 1), new(2, 1_500_000_000, 1, 2) };

        (EquatableArray<ArenaSlot> slots, long length) = ArenaPlanner.Place(buffers);

        Assert.Empty(slots);
        Assert.Equal(3_000_000_000, length);
    }

    [Fact]
    public void A_model_whose_arena_would_pass_the_largest_array_gets_QG0008_and_shapes_only()
    {
        // [1, 46340, 46340] is 2,147,395,600 bytes, under 2³¹: quantized and then clamped, two such values live at once.
        GeneratorRun run = GeneratorHarness.Run(Sources.QuantizedClamp(46340), "Huge.cs");

        Assert.Null(run.Exception);
        Diagnostic diagnostic = Assert.Single(run.Qg);
        Assert.True(diagnostic.Id == "QG0008", diagnostic.ToString());
        Assert.Contains("need an arena of 4,294,791,296 bytes per sample, more than the 2,147,483,591 one .NET array holds", diagnostic.GetMessage());
        string text = Assert.Single(run.Sources).Text;
        Assert.DoesNotContain("class Int8", text);
        Assert.Contains("public const int ReluLength = 2147395600;", text);
        Assert.Empty(run.GeneratedCodeProblems);
    }

    [Fact]
    public void SmallCnn_aliases_share_their_sources_bytes_and_are_kept_alive_through_them()
    {
        string text = GeneratorHarness.Run(Sources.SmallCnn, "SmallCnn.cs").Source("Sample.SmallCnn.g.cs");

        Assert.Contains("public const int Bn1 = Conv1; // an alias: fused into 'conv1'", text);
        Assert.Contains("public const int Relu1 = Conv1; // an alias: fused into 'conv1'", text);
        // conv1's bytes are read through the Relu1 alias by pool1, so they stay alive until pool1.
        Assert.Contains("alive from 'conv1' to 'pool1'", text);
        Assert.Contains("private void Pool1(int n) => pool1.Forward(Bytes(Arena.Relu1, Shapes.Relu1Length, n), Bytes(Arena.Pool1, Shapes.Pool1Length, n), n);", text);
        // Flatten of [16, 7, 7] is no alias: channels-last bytes are reordered to NCHW once.
        Assert.Contains("flatten = global::QuantGen.Compiled.CompiledFlatten.Create(pool2.Output, channels: 16, pixels: 49);", text);
    }
}
