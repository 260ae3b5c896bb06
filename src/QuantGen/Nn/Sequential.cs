namespace QuantGen.Nn;

/// <summary>Runs its modules in order; they are named 0, 1, 2… as in PyTorch's <c>nn.Sequential</c>.</summary>
public class Sequential : Module
{
    private readonly Module[] layers;

    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        this.layers = (Module[])layers.Clone();
        for (int i = 0; i < this.layers.Length; i++)
        {
            RegisterModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                this.layers[i] ?? throw new ArgumentNullException(nameof(layers), $"Sequential: layer {i} is null."));
        }
    }

    public int Count => layers.Length;

    public Module this[int index] => layers[index];

    public override Tensor Forward(Tensor input)
    {
        foreach (var layer in layers) input = layer.Forward(input);
        return input;
    }
}
