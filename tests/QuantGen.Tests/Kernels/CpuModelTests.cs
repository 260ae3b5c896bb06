using QuantGen.Kernels;

namespace QuantGen.Tests.Kernels;

/// <summary><see cref="CpuModel"/> decodes CPUID signatures as the vendors' manuals do, and knows Zen 4 from its neighbours.</summary>
public sealed class CpuModelTests
{
    [Theory]
    [InlineData(true, 0x00A10F11, 0x19, 0x11, true)]    // EPYC 9004 (Genoa), Zen 4
    [InlineData(true, 0x00A60F12, 0x19, 0x61, true)]    // Ryzen 7000 (Raphael), Zen 4
    [InlineData(true, 0x00AA0F01, 0x19, 0xA0, true)]    // EPYC 97x4 (Bergamo), Zen 4c
    [InlineData(true, 0x00A00F11, 0x19, 0x01, false)]   // EPYC 7003 (Milan), Zen 3
    [InlineData(true, 0x00B00F21, 0x1A, 0x02, false)]   // EPYC 9005 (Turin), Zen 5
    [InlineData(true, 0x00830F10, 0x17, 0x31, false)]   // EPYC 7002 (Rome), Zen 2
    [InlineData(false, 0x000806F8, 0x06, 0x8F, false)]  // Xeon 4th gen (Sapphire Rapids)
    [InlineData(false, 0x00A10F11, 0x19, 0x11, false)]  // Zen 4's signature from another vendor
    public void DecodesFamilyAndModel(bool isAmd, int signature, int family, int model, bool isZen4)
    {
        CpuModel cpu = CpuModel.Decode(isAmd, signature);
        Assert.Equal(family, cpu.Family);
        Assert.Equal(model, cpu.Model);
        Assert.Equal(isZen4, cpu.IsZen4);
    }
}
