using System.Collections.Generic;
using QuantGen.Generator.Diagnostics;
using QuantGen.Generator.Model;

namespace QuantGen.Analyzers.Review;

/// <summary>QG0012: a dynamic model with no layer dynamic quantization converts (Linear, as PyTorch's quantize_dynamic by default).</summary>
internal static class DynamicMode
{
    public static IEnumerable<DiagnosticInfo> Check(ModelSpec model, LocationInfo? quantizeLocation)
    {
        if (model.Options.Mode != "Dynamic") yield break;
        foreach (LayerSpec layer in model.Layers)
        {
            if (layer.Op.HasDynamicForm) yield break;
        }

        yield return DiagnosticInfo.Create(DiagnosticDescriptors.DynamicWithoutLinear, quantizeLocation, model.ClassName);
    }
}
