namespace QuantGen.Generator.Model;

/// <summary>A step of the plan: its name in the output, what it is, and its input and output shapes.</summary>
internal sealed record PlannedStep(string Name, string Kind, string Source, EquatableArray<int> InputShape, EquatableArray<int> OutputShape);

/// <summary>A fusion that applies: the layers it joins and the pattern that matched.</summary>
internal sealed record PlannedFusion(EquatableArray<string> Layers, EquatableArray<string> Pattern);

/// <summary>The model with every shape known and its fusions found: what the emitter writes from.</summary>
internal sealed record ModelPlan(ModelSpec Model, EquatableArray<PlannedStep> Steps, EquatableArray<PlannedFusion> Fusions, EquatableArray<int> OutputShape);

/// <summary>The planning step's result: the plan when every shape is known, and all diagnostics so far.</summary>
internal sealed record PlanResult(ModelPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>One generated file.</summary>
internal sealed record GeneratedSource(string HintName, string Text);
