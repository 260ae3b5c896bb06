namespace QuantGen.Generator;

/// <summary>The pipeline's step names, for <c>WithTrackingName</c> and the incrementality tests.</summary>
public static class TrackingNames
{
    /// <summary>Symbols and syntax of one annotated class read into a model.</summary>
    public const string Parse = "QuantGen.Parse";

    /// <summary>Shapes inferred and fusions found.</summary>
    public const string Plan = "QuantGen.Plan";

    /// <summary>The int8 program: which steps quantize, fuse, alias or run in float, and the arena offsets.</summary>
    public const string Int8Plan = "QuantGen.Int8Plan";

    /// <summary>The float pass every class gets and a dynamic class's dynamic pass: their steps and arena offsets.</summary>
    public const string FloatPlan = "QuantGen.FloatPlan";

    /// <summary>Whether the compilation allows unsafe code (for [SkipLocalsInit]).</summary>
    public const string AllowUnsafe = "QuantGen.AllowUnsafe";

    /// <summary>The diagnostics of one class, reported from their own output.</summary>
    public const string Diagnostics = "QuantGen.Diagnostics";

    /// <summary>The plans that can be emitted.</summary>
    public const string Emittable = "QuantGen.Emittable";

    /// <summary>The generated C# text.</summary>
    public const string Emit = "QuantGen.Emit";

    /// <summary>One module class's child fields in declaration order (the child-order generator).</summary>
    public const string ChildOrder = "QuantGen.ChildOrder";

    /// <summary>Every module class's child order, deduplicated and sorted, for the one registration file.</summary>
    public const string ChildOrderEmit = "QuantGen.ChildOrderEmit";
}
