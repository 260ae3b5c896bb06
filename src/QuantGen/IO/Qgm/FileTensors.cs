namespace QuantGen.IO.Qgm;

/// <summary>
/// The tensors of a .qgm file as a loader takes them: each by name with the dtype and shape the model needs,
/// every mismatch an error that names the key, what it is for and what was expected; and, at the end, no tensor
/// left that the model has no place for.
/// </summary>
internal sealed class FileTensors(StateDict file, string path)
{
    private const string Advice = "The file does not match the model's converted layout (it was altered, or written by another QuantGen build): save the converted model again with QgmFile.Save.";

    private readonly HashSet<string> taken = new(StringComparer.Ordinal);

    /// <param name="key">The tensor's name in the file.</param>
    /// <param name="dtype">The dtype it must have.</param>
    /// <param name="role">What the tensor is for, e.g. <c>the int8 weight of 'conv1'</c>.</param>
    /// <param name="shapes">The shapes it may have (per-tensor or per-channel qparams allow two).</param>
    public TensorData Take(string key, DType dtype, string role, params Shape[] shapes)
    {
        string expected = string.Join(" or ", shapes.Select(s => $"{dtype} {s}"));
        if (!file.TryGetValue(key, out var tensor))
        {
            throw Error(key, $"the tensor is missing; expected {expected}, {role}. {Advice}");
        }
        if (tensor.DType != dtype || !shapes.Contains(tensor.Shape))
        {
            throw Error(key, $"it is {tensor.DType} {tensor.Shape}; expected {expected}, {role}. {Advice}");
        }
        taken.Add(key);
        return tensor;
    }

    public bool Contains(string key) => file.ContainsKey(key);

    /// <summary>Throws if the file holds a tensor that was not taken.</summary>
    public void RequireAllTaken()
    {
        foreach (string key in file.Keys)
        {
            if (!taken.Contains(key))
            {
                throw Error(key, $"the model has no place for this tensor. {Advice}");
            }
        }
    }

    /// <summary>An error about a tensor's values (a scale that is not positive, a zero point out of range).</summary>
    public QgmFormatException BadValue(string key, string problem) =>
        Error(key, $"{problem}. The file is damaged or was not written by QuantGen: save the converted model again with QgmFile.Save.");

    private QgmFormatException Error(string key, string problem) => new(path, key, problem);
}
