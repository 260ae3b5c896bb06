using Microsoft.CodeAnalysis;

namespace QuantGen.Generator.Diagnostics;

/// <summary>
/// Every QuantGen diagnostic, the generator's and the analyzers'; docs/diagnostics.md has a section per ID.
/// Each ID is reported by exactly one of them (<see cref="ReportedByAnalyzers"/>), so none is reported twice.
/// </summary>
internal static class DiagnosticDescriptors
{
    public const string AttributeMisuseCategory = "QuantGen.AttributeMisuse";
    public const string ShapeCategory = "QuantGen.Shape";
    public const string UnreadableCategory = "QuantGen.Unreadable";
    public const string Int8Category = "QuantGen.Int8";
    public const string FusionCategory = "QuantGen.Fusion";
    public const string SetupCategory = "QuantGen.Setup";

    // Relative to the repository root until the package has a public home.
    private const string HelpBase = "docs/diagnostics.md#";

    /// <summary>QG0001: the annotated class must be partial, so that the generated half can join it.</summary>
    public static readonly DiagnosticDescriptor ClassNotPartial = new(
        id: "QG0001",
        title: "A [Quantize] class must be partial",
        messageFormat: "'{0}' has [Quantize] but is not partial; add 'partial' so that the generated code can extend it",
        category: AttributeMisuseCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "qg0001");

    /// <summary>QG0002: without [InputShape] no shape can be inferred.</summary>
    public static readonly DiagnosticDescriptor MissingInputShape = new(
        id: "QG0002",
        title: "A [Quantize] class needs [InputShape]",
        messageFormat: "'{0}' has [Quantize] but no [InputShape]; add the shape of one sample without the batch dimension, for example [InputShape(1, 28, 28)]",
        category: AttributeMisuseCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "qg0002");

    /// <summary>QG0003: an attribute of the model (or the class itself) is not what the generator can use.</summary>
    public static readonly DiagnosticDescriptor InvalidAttribute = new(
        id: "QG0003",
        title: "Invalid QuantGen attribute",
        messageFormat: "{0}",
        category: AttributeMisuseCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "qg0003");

    /// <summary>QG0004: a layer's input does not have the shape the layer expects.</summary>
    public static readonly DiagnosticDescriptor ShapeMismatch = new(
        id: "QG0004",
        title: "Shape mismatch",
        messageFormat: "'{0}' ({1}) expects {2}, but its input has {3} ({4})",
        category: ShapeCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "qg0004");

    /// <summary>QG0005: a construct the generator cannot read; that part keeps running through the eager path.</summary>
    public static readonly DiagnosticDescriptor UnreadableConstruct = new(
        id: "QG0005",
        title: "Construct the generator cannot read",
        messageFormat: "The generator cannot read {0}; this part runs through the eager path",
        category: UnreadableCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "qg0005");

    /// <summary>QG0006: a layer's constant arguments describe no valid layer (PyTorch would raise when building it).</summary>
    public static readonly DiagnosticDescriptor InvalidLayerArgument = new(
        id: "QG0006",
        title: "Invalid layer argument",
        messageFormat: "'{0}' ({1}) cannot be built: {2}",
        category: ShapeCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "qg0006");

    /// <summary>
    /// QG0007: a block's constructor, run at compile time with its constant arguments, throws (bad block
    /// arguments) or never ends (a block that builds itself); it would fail the same way at run time.
    /// </summary>
    public static readonly DiagnosticDescriptor BlockCannotBeBuilt = new(
        id: "QG0007",
        title: "Block cannot be built",
        messageFormat: "'{0}' cannot be built: {1}",
        category: ShapeCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "qg0007");

    /// <summary>QG0008: a static model whose Forward the int8 program cannot express; only its shapes are generated.</summary>
    public static readonly DiagnosticDescriptor NoInt8Forward = new(
        id: "QG0008",
        title: "No generated int8 forward pass",
        messageFormat: "No Int8 forward for '{0}': {1}; only the shapes are generated, and the model still runs through the eager path",
        category: Int8Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "qg0008");

    /// <summary>QG0009: a layer with no int8 kernel runs in float between a dequantize and a quantize (a float island).</summary>
    public static readonly DiagnosticDescriptor FloatIsland = new(
        id: "QG0009",
        title: "Float island",
        messageFormat: "'{0}' ({1}) has no int8 kernel and runs in float: a dequantize + quantize round trip of {2} values per sample",
        category: Int8Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "qg0009");

    /// <summary>QG0010: layers that could be fused by a [Fuse] pattern the class does not list.</summary>
    public static readonly DiagnosticDescriptor FusionOpportunity = new(
        id: "QG0010",
        title: "Fusion opportunity",
        messageFormat: "{0} of '{1}' could be fused with [Fuse({2})], which the class does not list (first: {3})",
        category: FusionCategory,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "qg0010");

    /// <summary>QG0011: a [Fuse] pattern that matches no run of layers in Forward.</summary>
    public static readonly DiagnosticDescriptor UnusedFusePattern = new(
        id: "QG0011",
        title: "[Fuse] pattern matches nothing",
        messageFormat: "[Fuse({0})] matches no layers of '{1}'",
        category: FusionCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "qg0011");

    /// <summary>QG0012: dynamic quantization converts Linear layers only; a model without one gains nothing.</summary>
    public static readonly DiagnosticDescriptor DynamicWithoutLinear = new(
        id: "QG0012",
        title: "Dynamic quantization of a model with no Linear layer",
        messageFormat: "'{0}' uses QuantMode.Dynamic but has no Linear layer; dynamic quantization converts only Linear layers, so nothing would be quantized",
        category: AttributeMisuseCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "qg0012");

    /// <summary>QG0013: the generated code is for the runtime of the generator's own version; another one is referenced.</summary>
    public static readonly DiagnosticDescriptor RuntimeVersionMismatch = new(
        id: "QG0013",
        title: "QuantGen runtime of another version",
        messageFormat: "'{0}' is compiled by QuantGen's generator {1}, but the project references the QuantGen runtime {2}; generated code needs the runtime of its own version. Reference one version of the QuantGen package ('dotnet add package QuantGen --version {1}') and no other QuantGen.dll.",
        category: SetupCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "qg0013");

    /// <summary>
    /// QG0014: a class gets no generated float (or, for <c>QuantMode.Dynamic</c>, dynamic) pass, because a step has no
    /// float lowering yet or the pass cannot express it; the model still runs through the eager path.
    /// </summary>
    public static readonly DiagnosticDescriptor NoFloatPass = new(
        id: "QG0014",
        title: "No generated float or dynamic pass",
        messageFormat: "No {0} pass for '{1}': {2}; the model still runs through the eager path",
        category: Int8Category,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "qg0014");

    /// <summary>QG0015: a <c>[KeepFloat]</c> path names no module of the class; the message names the closest one.</summary>
    public static readonly DiagnosticDescriptor UnknownKeepFloatPath = new(
        id: "QG0015",
        title: "[KeepFloat] names no module",
        messageFormat: "'{0}' has no module '{1}' to keep in float; did you mean '{2}'?",
        category: AttributeMisuseCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "qg0015");

    /// <summary>
    /// True for the IDs the analyzers report: advice that changes no generated code (QG0009–QG0012) and the runtime
    /// version check (QG0013). The generator
    /// reports the rest, everything that decides whether and what it generates (QG0001–QG0008, QG0014, QG0015), so that a build with
    /// the analyzers off still says why nothing was generated; its QG0001, QG0002, QG0004 and QG0015 carry what their code
    /// fixes write in <see cref="FixValueProperty"/>, as the analyzers' diagnostics do.
    /// </summary>
    public static bool ReportedByAnalyzers(string id) => id is "QG0009" or "QG0010" or "QG0011" or "QG0012" or "QG0013";

    /// <summary>The <see cref="Diagnostic.Properties"/> key of what a code fix writes (<see cref="Model.DiagnosticInfo.FixValue"/>).</summary>
    public const string FixValueProperty = "QuantGen.FixValue";

    /// <summary>The descriptor with this ID.</summary>
    public static DiagnosticDescriptor? ById(string id) => id switch
    {
        "QG0001" => ClassNotPartial,
        "QG0002" => MissingInputShape,
        "QG0003" => InvalidAttribute,
        "QG0004" => ShapeMismatch,
        "QG0005" => UnreadableConstruct,
        "QG0006" => InvalidLayerArgument,
        "QG0007" => BlockCannotBeBuilt,
        "QG0008" => NoInt8Forward,
        "QG0009" => FloatIsland,
        "QG0010" => FusionOpportunity,
        "QG0011" => UnusedFusePattern,
        "QG0012" => DynamicWithoutLinear,
        "QG0013" => RuntimeVersionMismatch,
        "QG0014" => NoFloatPass,
        "QG0015" => UnknownKeepFloatPath,
        _ => null,
    };
}
