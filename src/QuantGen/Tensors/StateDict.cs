using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace QuantGen;

/// <summary>
/// Named tensors in insertion order, as PyTorch's <c>state_dict()</c>: dotted module paths
/// (<c>features.1.conv.0.0.weight</c>) to values of any dtype. Remembers the file it was read from so that
/// loading errors can name it.
/// </summary>
public sealed class StateDict : IReadOnlyDictionary<string, TensorData>
{
    private readonly Dictionary<string, TensorData> entries = new(StringComparer.Ordinal);
    private readonly List<string> order = [];

    public StateDict(string? source = null)
    {
        Source = source;
    }

    /// <summary>The file this came from, if any.</summary>
    public string? Source { get; }

    /// <summary>Optional free-form metadata (safetensors' <c>__metadata__</c>).</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    public int Count => order.Count;

    public IEnumerable<string> Keys => order;

    public IEnumerable<TensorData> Values => order.Select(k => entries[k]);

    public TensorData this[string key] =>
        entries.TryGetValue(key, out var value)
            ? value
            : throw new KeyNotFoundException($"No tensor named '{key}' in {Source ?? "the state dict"}.");

    public void Add(string key, TensorData value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (!entries.TryAdd(key, value))
        {
            throw new ArgumentException($"The state dict already has a tensor named '{key}'.", nameof(key));
        }
        order.Add(key);
    }

    public void Add(string key, Tensor value) => Add(key, TensorData.FromTensor(value));

    public bool ContainsKey(string key) => entries.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out TensorData value) => entries.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, TensorData>> GetEnumerator()
    {
        foreach (string key in order) yield return new(key, entries[key]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
