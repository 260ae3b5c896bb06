using System;
using System.Collections.Generic;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;

namespace QuantGen.Generator.Planning;

/// <summary>Why a static model has no int8 pass (QG0008). Thrown and caught inside the int8 planner only.</summary>
internal sealed class NoProgramException(string reason, LocationInfo? location) : Exception(reason)
{
    public LocationInfo? Location { get; } = location;
}

/// <summary>
/// What a descriptor's int8 lowering sees of one step: its arguments and shapes, its layer, and the fusion it heads
/// (the layers folded into it, the activation its requantize clamps to).
/// </summary>
internal sealed class LoweringContext(ModelPlan plan, int index, PlannedFusion? headed)
{
    public ForwardStep Step { get; } = plan.Model.Forward[index];

    /// <summary>The step's arguments: its layer's, or its functional call's (looked up once).</summary>
    public OpArgs Args { get; } = plan.Model.ArgsOf(plan.Model.Forward[index]);

    /// <summary>The module path; empty for a functional call.</summary>
    public string Path => Step.Layer;

    public LocationInfo? LayerLocation => plan.Model.Layer(Step.Layer)?.Location ?? Step.Location;

    public EquatableArray<int> InputShape => plan.Steps[index].InputShape;

    public EquatableArray<int> OutputShape => plan.Steps[index].OutputShape;

    /// <summary>The shape of input <paramref name="input"/> (<see cref="InputShape"/> is input 0's).</summary>
    public EquatableArray<int> InputShapeAt(int input)
    {
        int value = Step.Inputs[input];
        return value == 0 ? plan.Model.InputShape : plan.Steps[value - 1].OutputShape;
    }

    /// <summary>The <c>FusedActivation</c> member the step's requantize clamps to: its fusion's activation, else <c>None</c>.</summary>
    public string FusedActivation
    {
        get
        {
            if (headed is null) return "None";
            LayerSpec? last = plan.Model.Layer(headed.Layers[headed.Layers.Count - 1]);
            return last?.Op.FusedActivation ?? "None";
        }
    }

    /// <summary>
    /// For the head of a fusion, how the generated comment describes it: <c>with 'bn1' (BatchNorm2d) and 'relu1'
    /// (ReLU) fused in ([Fuse("Conv", "BN", "ReLU")]): BatchNorm folded into the weights and bias, ReLU as the
    /// requantize clamp</c>; empty for a step that heads none.
    /// </summary>
    public string FusionText
    {
        get
        {
            if (headed is null) return "";
            var absorbed = new List<string>();
            var effects = new List<string>();
            for (int i = 1; i < headed.Layers.Count; i++)
            {
                LayerSpec? layer = plan.Model.Layer(headed.Layers[i]);
                absorbed.Add($"'{headed.Layers[i]}' ({layer?.Kind})");
                if (layer?.Op.FusionEffect is string effect) effects.Add(effect);
            }

            return $"with {string.Join(" and ", absorbed)} fused in ([Fuse({FusionPatterns.Quoted(headed.Pattern)})]): " +
                (effects.Count > 0 ? string.Join(", ", effects) : "nothing else to run");
        }
    }

    public NoProgramException NoProgram(string reason) => new(reason, LayerLocation);

    public NoProgramException NoProgramAtCall(string reason) => new(reason, Step.Location);
}
