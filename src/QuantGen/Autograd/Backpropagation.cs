namespace QuantGen.Autograd;

/// <summary>
/// One backward pass: walks the graph behind a root tensor in reverse topological order, so each node runs
/// once, after every gradient for its output has arrived. Leaves accumulate into <see cref="Tensor.Grad"/>;
/// intermediate gradients live only for the pass. Everything runs in a fixed order, so the sums do too.
/// </summary>
internal sealed class Backpropagation
{
    private readonly Dictionary<Tensor, float[]> pending = new(ReferenceEqualityComparer.Instance);

    public static void Run(Tensor root, ReadOnlySpan<float> seed)
    {
        var pass = new Backpropagation();
        seed.CopyTo(pass.BufferFor(root));
        var order = TopologicalOrder(root);
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var tensor = order[i];
            if (!pass.pending.Remove(tensor, out var gradient)) continue;
            var node = tensor.GradFn!;
            node.Backward(gradient, new GradientSink(node, pass));
        }
    }

    /// <summary>
    /// Every recorded tensor the root depends on, inputs before the ops that read them (the forward order).
    /// Iterative, since a deep network would overflow a recursive walk.
    /// </summary>
    internal static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        if (root.GradFn is null) return order;
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance) { root };
        var stack = new Stack<(Tensor Tensor, int NextInput)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (tensor, next) = stack.Pop();
            var inputs = tensor.GradFn!.Inputs;
            while (next < inputs.Length && (inputs[next] is not { GradFn: not null } input || !visited.Add(input))) next++;
            if (next == inputs.Length)
            {
                order.Add(tensor);
                continue;
            }
            stack.Push((tensor, next + 1));
            stack.Push((inputs[next]!, 0));
        }
        return order;
    }

    /// <summary>A recorded tensor's pending gradient, or a leaf's <see cref="Tensor.Grad"/>; zeros when first asked for.</summary>
    public float[] BufferFor(Tensor tensor)
    {
        if (tensor.GradFn is null)
        {
            tensor.Grad ??= new Tensor(tensor.Shape);
            return tensor.Grad.Data;
        }
        if (!pending.TryGetValue(tensor, out var buffer))
        {
            buffer = new float[tensor.Length];
            pending.Add(tensor, buffer);
        }
        return buffer;
    }
}
