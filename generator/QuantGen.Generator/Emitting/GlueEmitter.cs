using System.CodeDom.Compiler;
using System.Collections.Generic;
using Microsoft.CodeAnalysis.CSharp;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Emitting;

/// <summary>
/// Writes the user's flow on the model class: <c>Calibrate</c> (eval, the planned fusions, observers from the
/// attribute's QConfig, the batches) and <c>Convert</c> (eager convert, then the generated <c>Int8</c>).
/// </summary>
internal static class GlueEmitter
{
    public static void Write(IndentedTextWriter writer, ModelPlan plan, string generatedCode)
    {
        ModelSpec model = plan.Model;
        string self = "global::" + (model.Namespace.Length > 0 ? model.Namespace + "." : "") + model.ClassName;
        string qconfig = $"global::QuantGen.Quantization.QConfig.For(global::QuantGen.WeightScheme.{model.Options.Weights}, global::QuantGen.ObserverKind.{model.Options.Activations})";

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
        writer.WriteLine("Eval();");
        if (plan.Fusions.Count > 0)
        {
            var groups = new List<string>();
            foreach (PlannedFusion fusion in plan.Fusions)
            {
                var paths = new List<string>();
                foreach (string layer in fusion.Layers) paths.Add(SymbolDisplay.FormatLiteral(layer, quote: true));
                groups.Add("new[] { " + string.Join(", ", paths) + " }");
            }

            writer.WriteLine($"global::QuantGen.Compiled.CompiledModel.FuseUnfused(this, {string.Join(", ", groups)});");
        }

        writer.WriteLine($"global::QuantGen.Quantization.EagerQuantization.Prepare(this, qconfig ?? {qconfig});");
        writer.WriteLine("global::QuantGen.Quantization.EagerQuantization.Calibrate(this, batches, progress);");
        writer.WriteLine("return this;");
        writer.Indent--;
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);

        writer.WriteLine("/// <summary>Converts this calibrated model to int8 in place (eager convert), then builds its generated <see cref=\"Int8\"/> forward pass.</summary>");
        writer.WriteLine(generatedCode);
        writer.WriteLine("public Int8 Convert()");
        writer.WriteLine("{");
        writer.Indent++;
        writer.WriteLine("global::QuantGen.Quantization.EagerQuantization.Convert(this);");
        writer.WriteLine("return Int8.From(this);");
        writer.Indent--;
        writer.WriteLine("}");
        writer.WriteLineNoTabs(string.Empty);
    }
}
