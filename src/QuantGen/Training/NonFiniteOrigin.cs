using QuantGen.Autograd;

namespace QuantGen.Training;

/// <summary>Finds where NaN or infinity entered a forward pass, from the graph recorded behind its loss.</summary>
internal static class NonFiniteOrigin
{
    public static string Find(Tensor loss, Tensor input, ReadOnlySpan<(string Name, Tensor Parameter)> parameters)
    {
        if (!AllFinite(input)) return "the input batch";
        foreach (var (name, parameter) in parameters)
        {
            if (!AllFinite(parameter)) return $"parameter '{name}'";
        }
        foreach (var tensor in Backpropagation.TopologicalOrder(loss))
        {
            if (!AllFinite(tensor)) return tensor.GradFn!.Describe();
        }
        return "the loss itself";
    }

    private static bool AllFinite(Tensor tensor)
    {
        foreach (float v in tensor.Data)
        {
            if (!float.IsFinite(v)) return false;
        }
        return true;
    }
}
