using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels;

/// <summary>
/// The x86 CPU's vendor, family and model (CPUID leaves 0 and 1), for the few tuning choices that measured differently
/// by microarchitecture rather than by instruction set; the kernels' paths follow the instruction sets alone.
/// </summary>
internal readonly record struct CpuModel(bool IsAmd, int Family, int Model)
{
    /// <summary>This machine's; all zero where there is no CPUID (not x86).</summary>
    public static CpuModel Current { get; } = Read();

    /// <summary>AMD Zen 4: family 19h, models 10h–1Fh (Genoa), 60h–7Fh (Raphael, Phoenix) and A0h–AFh (Bergamo).</summary>
    public bool IsZen4 => IsAmd && Family == 0x19 && Model is (>= 0x10 and <= 0x1F) or (>= 0x60 and <= 0x7F) or (>= 0xA0 and <= 0xAF);

    /// <summary>
    /// The display family and model of CPUID leaf 1's <paramref name="signature"/> (EAX): the extended family is added
    /// to a base family of 0Fh, and the extended model is the model's high nibble for base families 06h and 0Fh.
    /// </summary>
    public static CpuModel Decode(bool isAmd, int signature)
    {
        int baseFamily = (signature >> 8) & 0xF, baseModel = (signature >> 4) & 0xF;
        int family = baseFamily == 0xF ? baseFamily + ((signature >> 20) & 0xFF) : baseFamily;
        int model = baseFamily is 0x6 or 0xF ? ((signature >> 16) & 0xF) << 4 | baseModel : baseModel;
        return new CpuModel(isAmd, family, model);
    }

    private static CpuModel Read()
    {
        if (!X86Base.IsSupported) return default;
        (_, int ebx, int ecx, int edx) = X86Base.CpuId(0, 0);
        // "AuthenticAMD", in the order EBX, EDX, ECX.
        bool isAmd = ebx == 0x68747541 && edx == 0x69746E65 && ecx == 0x444D4163;
        return Decode(isAmd, X86Base.CpuId(1, 0).Eax);
    }
}
