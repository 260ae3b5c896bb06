using System.CodeDom.Compiler;
using System.Collections.Generic;
using Microsoft.CodeAnalysis.CSharp;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Emitting;

/// <summary>
/// Writes the user's flow on the model class: <c>Calibrate</c> (eval, the planned fusions, observers from the
/// attribute's QConfig, the batches) or, for QAT, <c>PrepareQat</c> (training mode, fusions kept trainable, fake
/// quantization); then <c>Convert</c> (eager convert, then the generated <c>Int8</c>).
/// </summary>
internal static class GlueEmitter
{
    /// <summary>The model as a Module, for Module's methods: a member of the model's may take their name (a layer named <c>Eval</c>).</summary>
    private const string AsModule = "((global::QuantGen.Nn.Module)this)";

    public static void Write(IndentedTextWriter writer, ModelPlan plan, string generatedCode)
    {
        ModelSpec model = plan.Model;
        string self = TypeNames.Global(model);
        string qconfig = $"global::QuantGen.Quantization.QConfig.For(global::QuantGen.WeightScheme.{model.Options.Weights}, global::QuantGen.ObserverKind.{model.Options.Activations})";

        bool qat = model.Options.Mode == "Qat";
        if (qat) WritePrepareQat(writer, plan, self, generatedCode);
        else WriteCalibrate(writer, plan, self, qconfig, generatedCode);

        writer.WriteLine($"/// <summary>Converts this {(qat ? "trained" : "calibrated")} model to int8 in place (eager convert), then builds its generated <see cref=\"Int8\"/> forward pass.</summary>");
        writer.WriteLine(generatedCode);
        writer.WriteLine("public Int8 Convert()");
        writer.WriteLine("{");
        writer.Indent++;
        if (qat) writer.WriteLine($"{AsModule}.Eval(); // BatchNorm folds with its running statistics");
        writer.WriteLine("global::QuantGen.Quantization.EagerQuantization.Convert(this);");
        writer.WriteLine("return Int8.From(this);");
        writer.Indent--;
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);
    }

    /// <summary>
    /// A dynamic class's one step, as PyTorch's <c>fuse_modules</c> then <c>quantize_dynamic(model, {nn.Linear})</c>: eval
    /// mode, the planned fusions (a BatchNorm folded into its Linear's float weights before they are quantized, a ReLU
    /// on its output), <c>EagerQuantization.QuantizeDynamic</c> in place, then the generated <c>Dynamic</c> pass.
    /// </summary>
    public static void WriteQuantizeDynamic(IndentedTextWriter writer, ModelPlan plan, string generatedCode)
    {
        writer.WriteLine("/// <summary>");
        writer.WriteLine("/// Quantizes this model dynamically in place, as PyTorch's <c>quantize_dynamic(model, {nn.Linear})</c>: eval mode;");
        if (plan.Fusions.Count > 0)
        {
            writer.WriteLine("/// the fusions [Fuse] plans");
            foreach (PlannedFusion fusion in plan.Fusions) writer.WriteLine($"/// ({string.Join(" + ", fusion.Layers)}),");
            writer.WriteLine("/// unless already fused;");
        }

        writer.WriteLine("/// int8 Linear weights (<c>EagerQuantization.QuantizeDynamic</c>), activations quantized on every call; then builds");
        writer.WriteLine("/// its generated <see cref=\"Dynamic\"/> forward pass.");
        writer.WriteLine("/// </summary>");
        writer.WriteLine(generatedCode);
        writer.WriteLine("public Dynamic QuantizeDynamic()");
        writer.WriteLine("{");
        writer.Indent++;
        writer.WriteLine($"{AsModule}.Eval();");
        if (plan.Fusions.Count > 0) writer.WriteLine($"global::QuantGen.Compiled.CompiledModel.FuseUnfused(this, {Groups(plan)});");
        writer.WriteLine("global::QuantGen.Quantization.EagerQuantization.QuantizeDynamic(this);");
        writer.WriteLine("return Dynamic.From(this);");
        writer.Indent--;
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);
    }

    /// <summary>
    /// QAT's first step, as PyTorch's <c>prepare_qat</c>: training mode, the planned fusions with Conv+BN kept
    /// unfolded for training, fake quantization from the qconfig.
    /// </summary>
    private static void WritePrepareQat(IndentedTextWriter writer, ModelPlan plan, string self, string generatedCode)
    {
        string qconfig = "global::QuantGen.Quantization.QConfig." + (plan.Model.Options.Weights == "PerChannelSymmetric" ? "PerChannelQat" : "DefaultQat");
        writer.WriteLine("/// <summary>");
        writer.WriteLine("/// Prepares this model for quantization-aware training: training mode; the fusions [Fuse] plans" + (plan.Fusions.Count == 0 ? " (none)" : ""));
        foreach (PlannedFusion fusion in plan.Fusions) writer.WriteLine($"/// ({string.Join(" + ", fusion.Layers)}),");
        writer.WriteLine("/// with Conv+BN kept unfolded while training; fake quantization from <paramref name=\"qconfig\"/>, or else from [Quantize]:");
        writer.WriteLine($"/// <c>{qconfig.Substring("global::QuantGen.Quantization.".Length)}</c>. Train it, then <see cref=\"Convert\"/>.");
        writer.WriteLine("/// </summary>");
        writer.WriteLine(generatedCode);
        writer.WriteLine($"public {self} PrepareQat(global::QuantGen.Quantization.QConfig? qconfig = null)");
        writer.WriteLine("{");
        writer.Indent++;
        writer.WriteLine($"{AsModule}.Train();");
        if (plan.Fusions.Count > 0) writer.WriteLine($"global::QuantGen.Quantization.EagerQuantization.FuseModulesQat(this, {Groups(plan)});");
        writer.WriteLine($"global::QuantGen.Quantization.EagerQuantization.PrepareQat(this, qconfig ?? {qconfig});");
        writer.WriteLine("return this;");
        writer.Indent--;
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);
    }

    private static string Groups(ModelPlan plan)
    {
        var groups = new List<string>();
        foreach (PlannedFusion fusion in plan.Fusions)
        {
            var paths = new List<string>();
            foreach (string layer in fusion.Layers) paths.Add(SymbolDisplay.FormatLiteral(layer, quote: true));
            groups.Add("new[] { " + string.Join(", ", paths) + " }");
        }

        return string.Join(", ", groups);
    }

    /// <summary><c>, "features.18", "classifier"</c>: the [KeepFloat] paths for Prepare, so eager keeps what the int8 pass keeps.</summary>
    private static string KeepFloat(ModelSpec model)
    {
        var paths = new System.Text.StringBuilder();
        foreach (KeptPath keep in model.KeepFloat) paths.Append(", ").Append(StepText.Literal(keep.Path));
        return paths.ToString();
    }

    private static void WriteCalibrate(IndentedTextWriter writer, ModelPlan plan, string self, string qconfig, string generatedCode)
    {
        ModelSpec model = plan.Model;
        writer.WriteLine("/// <summary>");
        writer.WriteLine("/// Prepares this model for int8 and calibrates it: eval mode; the fusions [Fuse] plans" + (plan.Fusions.Count == 0 ? " (none)" : ""));
        foreach (PlannedFusion fusion in plan.Fusions) writer.WriteLine($"/// ({string.Join(" + ", fusion.Layers)}),");
        writer.WriteLine($"/// unless already fused; observers from <paramref name=\"qconfig\"/>, or else from [Quantize]:");
        writer.WriteLine($"/// <c>QConfig.For(WeightScheme.{model.Options.Weights}, ObserverKind.{model.Options.Activations})</c>; then every batch");
        writer.WriteLine("/// through the model. Returns this model, for <see cref=\"Convert\"/>.");
        writer.WriteLine("/// </summary>");
        writer.WriteLine("/// <param name=\"progress\">Called with the number of samples in each batch once it has run.</param>");
        writer.WriteLine(generatedCode);
        writer.WriteLine($"public {self} Calibrate(global::System.Collections.Generic.IEnumerable<global::QuantGen.Tensor> batches, " +
            "global::QuantGen.Quantization.QConfig? qconfig = null, global::System.Action<int>? progress = null)");
        writer.WriteLine("{");
        writer.Indent++;
        writer.WriteLine("global::System.ArgumentNullException.ThrowIfNull(batches);");
        writer.WriteLine($"{AsModule}.Eval();");
        if (plan.Fusions.Count > 0) writer.WriteLine($"global::QuantGen.Compiled.CompiledModel.FuseUnfused(this, {Groups(plan)});");

        writer.WriteLine($"global::QuantGen.Quantization.EagerQuantization.Prepare(this, qconfig ?? {qconfig}{KeepFloat(model)});");
        writer.WriteLine("global::QuantGen.Quantization.EagerQuantization.Calibrate(this, batches, progress);");
        writer.WriteLine("return this;");
        writer.Indent--;
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);
    }
}
