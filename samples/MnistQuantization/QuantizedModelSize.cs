using QuantGen;
using QuantGen.Nn;

namespace MnistQuantization;

/// <summary>Placeholder until the .qgm writer lands: the state dict's size.</summary>
internal static class QuantizedModelSize
{
    public static long Of(Module model) => QuantGen.IO.SafeTensors.Serialize(model.StateDict()).LongLength;
}
