using System.Globalization;
using QuantGen.Generator.Emitting;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>An upsampling as <c>QuantGen.Kernels.UpsampleGeometry</c> takes it (Planes = channels).</summary>
internal sealed record UpsampleWindow(int Channels, int InHeight, int InWidth, int OutHeight, int OutWidth, bool Bilinear, bool AlignCorners, double? ScaleFactor)
{
    public string Geometry
    {
        get
        {
            string scale = ScaleFactor is double f ? f.ToString("R", CultureInfo.InvariantCulture) : "0";
            return $"new global::QuantGen.Kernels.UpsampleGeometry(Planes: {Channels}, InHeight: {InHeight}, InWidth: {InWidth}, OutHeight: {OutHeight}, OutWidth: {OutWidth}, " +
                $"Mode: global::QuantGen.Nn.UpsampleMode.{(Bilinear ? "Bilinear" : "Nearest")}, AlignCorners: {StepText.Bool(AlignCorners)}, ScaleHeight: {scale}, ScaleWidth: {scale})";
        }
    }

    public string Mode => Bilinear ? "bilinear" : "nearest";
}

/// <summary>An upsampling on quint8 bytes, as a module or as <c>Functional.Interpolate</c>; keeps its input's qparams.</summary>
internal sealed record UpsampleLowering(UpsampleWindow Window) : Int8Lowering
{
    public override string? RuntimeType => "CompiledUpsample";

    public override string Create(StepText step) => step.IsFunctional
        ? $"CompiledUpsample.Functional({step.InputQParams()},\n    {Window.Geometry})"
        : $"CompiledUpsample.Create(model, {step.Path}, {step.InputQParams()},\n    {Window.Geometry})";

    public override string Call(StepText step) => $"{step.Field}.Forward({step.Read()}, {step.Write}, n)";

    public override string Describe(StepText step) => $"{step.Subject}, {Window.Mode}: PyTorch's quantized kernel, keeps its input's qparams.";
}

/// <summary>Nearest upsampling by a non-integer factor, as a float island with the input's qparams at both ends.</summary>
internal sealed record UpsampleIslandLowering(EquatableArray<int> Shape, UpsampleWindow Window) : FloatIslandLowering(Shape)
{
    public override string? RuntimeType => "CompiledUpsampleIsland";

    public override string Create(StepText step) => $"CompiledUpsampleIsland.Create(model, {step.Path}, {step.InputQParams()},\n    {Window.Geometry})";

    /// <summary>The input's floats and the larger output's.</summary>
    public override long ScratchFloats(int inputLength) => inputLength + (long)inputLength / (Window.InHeight * Window.InWidth) * Window.OutHeight * Window.OutWidth;
}
