using System.Security.Cryptography;
using System.Text;
using QuantGen.Nn;

namespace QuantGen.IO.Qgm;

/// <summary>
/// A SHA-256 of what the model's constructor decided: every module's path and type, every parameter's name and
/// shape. Two models of one class built with other arguments (class count, widths) differ in it, so a file is
/// not loaded into a model it does not fit. Computed on the converted model it gives the float model's value:
/// substitutes and observers are left out, and so is a bias that only a BatchNorm fold added.
/// </summary>
internal static class StructureSignature
{
    public static string Of(Module model)
    {
        var text = new StringBuilder();
        var addedBiases = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, module) in FloatTree.Modules(model))
        {
            text.Append("module ").Append(path).Append(' ').Append(module.GetType().FullName).Append('\n');
            if (module is Conv2d { BiasAddedByFolding: true } or Linear { BiasAddedByFolding: true } or ConvTranspose2d { BiasAddedByFolding: true }) addedBiases.Add(QgmFormat.Key(path, QgmFormat.Bias));
        }
        foreach (var (name, parameter) in model.NamedParameters())
        {
            if (addedBiases.Contains(name)) continue;
            text.Append("parameter ").Append(name).Append(' ').Append(parameter.Shape).Append('\n');
        }
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
