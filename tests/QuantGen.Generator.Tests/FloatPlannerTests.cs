using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;
using QuantGen.Generator.Planning;
using QuantGen.Generator.Tests.Infrastructure;

namespace QuantGen.Generator.Tests;

/// <summary>
/// The float planner when a descriptor has no float lowering yet (an op added with its int8 lowering only): the class
/// keeps its int8 pass and gets no float pass, and QG0014 names the layer and its kind, instead of a failure.
/// </summary>
public sealed class FloatPlannerTests
{
    /// <summary>An op as a descriptor added before its float lowering would be: shapes and int8 only.</summary>
    private sealed class Int8OnlyOp : OpDescriptor<NoArgs>
    {
        public override string Kind => "Mystery";

        public override Int8Form Int8Form => Int8Form.Kernel;

        public override NoArgs Read(OpArgs args) => NoArgs.Value;

        protected override long[] InferShape(ShapeContext context, NoArgs args) => context.Input;

        protected override Int8Lowering Lower(LoweringContext context, NoArgs args) => throw new NotSupportedException();
    }

    [Fact]
    public void A_step_with_no_float_lowering_means_no_float_pass_and_QG0014_naming_it()
    {
        ProgramResult planned = SampleSources.Programs(GeneratorHarness.Run(Sources.SmallCnn, "SmallCnn.cs"), TrackingNames.Int8Plan);
        ModelSpec model = planned.Plan!.Model;
        int relu2 = model.Forward.ToList().FindIndex(step => step.Layer == "relu2");
        var forward = model.Forward.ToArray();
        forward[relu2] = forward[relu2] with { Op = new Int8OnlyOp() };
        ModelPlan plan = planned.Plan with { Model = model with { Forward = forward.ToEquatableArray() } };

        ProgramResult result = FloatPlanner.Plan(planned with { Plan = plan, Float = null });

        Assert.Null(result.Float);
        Assert.NotNull(result.Program); // the int8 pass the int8 planner made stays
        DiagnosticInfo diagnostic = Assert.Single(result.Diagnostics, d => d.Id == "QG0014");
        Assert.Equal(["Float", "SmallCnn", "'relu2' (Mystery) has no float lowering yet"], diagnostic.MessageArgs.ToArray());
        Assert.NotNull(diagnostic.Location);
    }

    [Fact]
    public void Every_descriptor_in_the_registry_has_a_float_lowering_for_the_sample_models()
    {
        foreach ((string source, string path) in new[] { (Sources.SmallCnn, "SmallCnn.cs"), (Sources.Islands, "Islands.cs"), (Sources.ResidualAdd, "TinyResNet.cs") })
        {
            ProgramResult result = SampleSources.Programs(GeneratorHarness.Run(source, path), TrackingNames.FloatPlan);
            Assert.NotNull(result.Float);
            Assert.DoesNotContain(result.Diagnostics, d => d.Id == "QG0014");
            Assert.All(result.Float!.Dtypes, dtype => Assert.Equal(ValueDtype.Float, dtype));
        }
    }
}
