using QuantGen.Nn;

namespace QuantGen.Autograd;

/// <summary>
/// Whether operations record the graph that <see cref="Tensor.Backward()"/> walks, as PyTorch's grad mode.
/// Recording happens only when grad mode is on and a tensor that requires grad flows into an op, so plain
/// inference never builds a graph. Per thread, as in PyTorch.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static bool disabled;

    // The layer whose Forward is running: recorded ops are named by it when a loss turns NaN.
    [ThreadStatic] private static Module? currentLayer;

    public static bool IsEnabled => !disabled;

    /// <summary>Turns recording off until the scope is disposed, as <c>with torch.no_grad():</c>.</summary>
    public static GradScope NoGrad() => new(enabled: false, currentLayer);

    /// <summary>Turns recording back on inside a <see cref="NoGrad"/> scope, as <c>torch.enable_grad()</c>.</summary>
    public static GradScope EnableGrad() => new(enabled: true, currentLayer);

    internal static Module? CurrentLayer => currentLayer;

    /// <summary>The scope a layer runs in: its name for recorded ops, and no recording in eval mode unless the input asks.</summary>
    internal static GradScope ForLayer(Layer layer, bool inputRequiresGrad) =>
        new(enabled: !disabled && (layer.Training || inputRequiresGrad), layer);

    internal static bool Records(Tensor input) => !disabled && input.RequiresGrad;

    internal static bool Records(Tensor a, Tensor? b, Tensor? c = null) =>
        !disabled && (a.RequiresGrad || b?.RequiresGrad == true || c?.RequiresGrad == true);

    internal static void Set(bool enabled, Module? layer)
    {
        disabled = !enabled;
        currentLayer = layer;
    }
}

/// <summary>Restores the previous grad mode when disposed; use with <c>using</c>.</summary>
public readonly struct GradScope : IDisposable
{
    // Stored negated so that a default scope restores the default: grad mode on.
    private readonly bool previousDisabled;
    private readonly Module? previousLayer;

    internal GradScope(bool enabled, Module? layer)
    {
        previousDisabled = !GradMode.IsEnabled;
        previousLayer = GradMode.CurrentLayer;
        GradMode.Set(enabled, layer);
    }

    public void Dispose() => GradMode.Set(!previousDisabled, previousLayer);
}
