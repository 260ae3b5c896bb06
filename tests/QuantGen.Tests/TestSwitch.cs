namespace QuantGen.Tests;

/// <summary>Test-only switches of the library (forced paths and tiles, tuning flags), set for a scope.</summary>
internal static class TestSwitch
{
    /// <summary>Sets a switch to <paramref name="value"/>; disposing puts back what it held before.</summary>
    public static IDisposable Set<T>(Func<T> get, Action<T> set, T value)
    {
        T previous = get();
        set(value);
        return new Restore(() => set(previous));
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
