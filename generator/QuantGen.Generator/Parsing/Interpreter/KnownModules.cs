using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace QuantGen.Generator.Parsing.Interpreter;

/// <summary>The runtime's leaf modules the generator knows the shape rules of, by full name.</summary>
internal static class KnownModules
{
    private static readonly Dictionary<string, string> Kinds = new(StringComparer.Ordinal)
    {
        ["QuantGen.Nn.Conv2d"] = "Conv2d",
        ["QuantGen.Nn.BatchNorm2d"] = "BatchNorm2d",
        ["QuantGen.Nn.Linear"] = "Linear",
        ["QuantGen.Nn.ReLU"] = "ReLU",
        ["QuantGen.Nn.ReLU6"] = "ReLU6",
        ["QuantGen.Nn.MaxPool2d"] = "MaxPool2d",
        ["QuantGen.Nn.AvgPool2d"] = "AvgPool2d",
        ["QuantGen.Nn.AdaptiveAvgPool2d"] = "AdaptiveAvgPool2d",
        ["QuantGen.Nn.Flatten"] = "Flatten",
        ["QuantGen.Nn.Dropout"] = "Dropout",
        ["QuantGen.Nn.Identity"] = "Identity",
        ["QuantGen.Nn.LayerNorm"] = "LayerNorm",
        ["QuantGen.Nn.Softmax"] = "Softmax",
        ["QuantGen.Nn.Add"] = "Add",
        ["QuantGen.Quantization.QuantStub"] = "QuantStub",
        ["QuantGen.Quantization.DeQuantStub"] = "DeQuantStub",
    };

    /// <summary>"Conv2d" for <c>QuantGen.Nn.Conv2d</c>; null for a type that is not a known leaf.</summary>
    public static string? KindOf(ITypeSymbol type) => Kinds.TryGetValue(type.ToDisplayString(), out string? kind) ? kind : null;
}
