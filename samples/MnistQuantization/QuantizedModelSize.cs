using QuantGen.IO.Qgm;
using QuantGen.Nn;

namespace MnistQuantization;

/// <summary>A converted model's size: the bytes of its .qgm file, as PyTorch's table gives the size of its saved model.</summary>
internal static class QuantizedModelSize
{
    public static long Of(Module model)
    {
        string path = Path.Combine(Path.GetTempPath(), $"quantgen-{Guid.NewGuid():N}.qgm");
        try
        {
            QgmFile.Save(model, path);
            return new FileInfo(path).Length;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
