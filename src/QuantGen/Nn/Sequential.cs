namespace QuantGen.Nn;

/// <summary>Runs its modules in order; they are named 0, 1, 2… as in PyTorch's <c>nn.Sequential</c>.</summary>
public class Sequential : Module
{
    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        for (int i = 0; i < layers.Length; i++)
        {
            RegisterModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                layers[i] ?? throw new ArgumentNullException(nameof(layers), $"Sequential: layer {i} is null."));
        }
        Count = layers.Length;
    }

    public int Count { get; }

    public Module this[int index] =>
        (uint)index < (uint)Count
            ? ChildOrNull(index.ToString(System.Globalization.CultureInfo.InvariantCulture))!
            : throw new ArgumentOutOfRangeException(nameof(index), $"Sequential has {Count} layers; index {index} is out of range.");

    public override Tensor Forward(Tensor input)
    {
        foreach (var layer in RegisteredChildren()) input = layer.Forward(input);
        return input;
    }
}
