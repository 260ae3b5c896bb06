namespace QuantGen.Generator.Tests.Infrastructure;

/// <summary>The annotated models the tests feed to the generator.</summary>
public static class Sources
{
    /// <summary>samples/QuantGen.Models/SmallCnn.cs in the annotated form.</summary>
    public const string SmallCnn = """
        using QuantGen;
        using QuantGen.Nn;
        using QuantGen.Quantization;

        namespace Sample;

        [Quantize(QuantMode.Static)]
        [Fuse("Conv", "BN", "ReLU")]
        [InputShape(1, 28, 28)]
        public sealed partial class SmallCnn : Module
        {
            readonly QuantStub quant = new();
            readonly Conv2d conv1 = new(1, 8, kernelSize: 3, padding: 1, bias: false);
            readonly BatchNorm2d bn1 = new(8);
            readonly ReLU relu1 = new();
            readonly MaxPool2d pool1 = new(2);
            readonly Conv2d conv2 = new(8, 16, kernelSize: 3, padding: 1);
            readonly ReLU relu2 = new();
            readonly MaxPool2d pool2 = new(2);
            readonly Linear fc1 = new(16 * 7 * 7, 32);
            readonly ReLU relu3 = new();
            readonly Linear fc2 = new(32, 10);
            readonly DeQuantStub dequant = new();

            public override Tensor Forward(Tensor x)
            {
                x = quant.Forward(x);
                x = pool1.Forward(relu1.Forward(bn1.Forward(conv1.Forward(x))));
                x = pool2.Forward(relu2.Forward(conv2.Forward(x)));
                x = Flatten(x);
                return dequant.Forward(fc2.Forward(relu3.Forward(fc1.Forward(x))));
            }
        }
        """;

    /// <summary>A model with strides, ceil-mode pooling, a property, locals, Functional.Relu and a residual add.</summary>
    public const string Residual = """
        using QuantGen;
        using QuantGen.Nn;

        namespace Sample;

        [Quantize(QuantMode.Static, Weights = WeightScheme.PerChannelSymmetric, Activations = ObserverKind.Histogram)]
        [Fuse("Conv", "ReLU")]
        [Fuse("Linear", "ReLU")]
        [InputShape(3, 32, 32)]
        public partial class Residual : Module
        {
            readonly Conv2d stem = new(3, 8, kernelSize: 3, stride: 2, padding: 1);
            readonly ReLU stemRelu = new();
            readonly Conv2d body = new(8, 8, kernelSize: 3, padding: 1);
            Conv2d Widen { get; } = new(8, 16, kernelSize: 1);
            readonly AvgPool2d pool = new(3, stride: 2, padding: 1, ceilMode: true);
            readonly AdaptiveAvgPool2d gap = new(1);
            readonly Linear fc = new(16, 10);
            readonly ReLU6 act = new();

            public override Tensor Forward(Tensor x)
            {
                var y = stemRelu.Forward(stem.Forward(x));
                var z = body.Forward(y) + y;
                return act.Forward(fc.Forward(Flatten(gap.Forward(pool.Forward(Widen.Forward(Functional.Relu(z)))))));
            }
        }
        """;

    /// <summary><see cref="SmallCnn"/> with the fusions of the PyTorch fixture (conv1+bn1+relu1, conv2+relu2, fc1+relu3).</summary>
    public static readonly string SmallCnnFixture = SmallCnn.Replace(
        "[Fuse(\"Conv\", \"BN\", \"ReLU\")]",
        "[Fuse(\"Conv\", \"BN\", \"ReLU\")]\n[Fuse(\"Conv\", \"ReLU\")]\n[Fuse(\"Linear\", \"ReLU\")]");

    /// <summary>A float-island model: conv → LayerNorm → linear → Softmax, between stubs.</summary>
    public const string Islands = """
        using QuantGen;
        using QuantGen.Nn;
        using QuantGen.Quantization;

        namespace Sample;

        [Quantize(QuantMode.Static, Weights = WeightScheme.PerChannelSymmetric, Activations = ObserverKind.Histogram)]
        [Fuse("Conv", "ReLU")]
        [InputShape(1, 8, 8)]
        public sealed partial class Islands : Module
        {
            readonly QuantStub quant = new();
            readonly Conv2d conv = new(1, 4, kernelSize: 3, padding: 1);
            readonly ReLU relu = new();
            readonly Flatten flatten = new();
            readonly LayerNorm norm = new(256);
            readonly Linear fc = new(256, 10);
            readonly Softmax softmax = new();
            readonly DeQuantStub dequant = new();

            public override Tensor Forward(Tensor x) =>
                dequant.Forward(softmax.Forward(fc.Forward(norm.Forward(flatten.Forward(relu.Forward(conv.Forward(quant.Forward(x))))))));
        }
        """;

    /// <summary>A residual block with an Add module (as torchvision's quantizable models add), between stubs.</summary>
    public const string ResidualAdd = """
        using QuantGen;
        using QuantGen.Nn;
        using QuantGen.Quantization;

        namespace Sample;

        [Quantize(QuantMode.Static, Weights = WeightScheme.PerChannelSymmetric, Activations = ObserverKind.Histogram)]
        [Fuse("Conv", "BN", "ReLU")]
        [Fuse("Conv", "BN")]
        [InputShape(1, 28, 28)]
        public sealed partial class TinyResNet : Module
        {
            readonly QuantStub quant = new();
            readonly Conv2d stem = new(1, 16, kernelSize: 3, stride: 2, padding: 1, bias: false);
            readonly BatchNorm2d stemBn = new(16);
            readonly ReLU stemRelu = new();
            readonly Conv2d conv = new(16, 16, kernelSize: 3, padding: 1, bias: false);
            readonly BatchNorm2d bn = new(16);
            readonly Add skip = new();
            readonly AdaptiveAvgPool2d pool = new(1);
            readonly Linear fc = new(16, 10);
            readonly DeQuantStub dequant = new();

            public override Tensor Forward(Tensor x)
            {
                x = stemRelu.Forward(stemBn.Forward(stem.Forward(quant.Forward(x))));
                x = skip.Forward(x, bn.Forward(conv.Forward(x)));
                return dequant.Forward(fc.Forward(Flatten(pool.Forward(x))));
            }
        }
        """;

    /// <summary>
    /// quant → relu → dequant on a <c>[1, side, side]</c> input: each value fits an int, and the two alive at once
    /// (the quantized input and the clamp's output) need twice its bytes of arena.
    /// </summary>
    public static string QuantizedClamp(int side) => $$"""
        using QuantGen;
        using QuantGen.Nn;
        using QuantGen.Quantization;

        namespace Sample;

        [Quantize(QuantMode.Static)]
        [InputShape(1, {{side}}, {{side}})]
        public sealed partial class Huge : Module
        {
            readonly QuantStub quant = new();
            readonly ReLU relu = new();
            readonly DeQuantStub dequant = new();

            public override Tensor Forward(Tensor x) => dequant.Forward(relu.Forward(quant.Forward(x)));
        }
        """;

    /// <summary>The fixture's SmallCnn marked for quantization-aware training.</summary>
    public static readonly string SmallCnnQat = SmallCnnFixture.Replace("[Quantize(QuantMode.Static)]", "[Quantize(QuantMode.Qat)]");

    /// <summary>
    /// A driver for a QAT model: <c>Quantize</c> prepares it for QAT, runs the batches through it in training mode
    /// (the fake quantizers observe them; no optimizer step, so the weights stay the fixture's) and converts.
    /// </summary>
    public static string QatDriver(string model) => Driver(model).Replace(
        "public void Quantize(IEnumerable<Tensor> batches, QConfig? qconfig) => int8 = model.Calibrate(batches, qconfig).Convert();",
        "public void Quantize(IEnumerable<Tensor> batches, QConfig? qconfig) { model.PrepareQat(qconfig); foreach (Tensor batch in batches) model.Forward(batch); int8 = model.Convert(); }");

    /// <summary>A driver for a model class <paramref name="model"/> in namespace Sample (see <see cref="ICompiledDriver"/>).</summary>
    public static string Driver(string model) => $$"""
        using System;
        using System.Collections.Generic;
        using QuantGen;
        using QuantGen.Nn;
        using QuantGen.Quantization;
        using QuantGen.Generator.Tests.Infrastructure;

        namespace Sample;

        public sealed class Driver : ICompiledDriver
        {
            private readonly {{model}} model;
            private {{model}}.Int8? int8;

            public Driver() => model = new();

            private Driver({{model}} model, {{model}}.Int8 int8) => (this.model, this.int8) = (model, int8);

            public Module Model => model;

            public int MaxThreads { get => int8!.MaxThreads; set => int8!.MaxThreads = value; }

            public void Reserve(int concurrentCalls) => int8!.Reserve(concurrentCalls);

            public ICompiledDriver Fork() => new Driver(model, int8!.Fork());

            public void Quantize(IEnumerable<Tensor> batches, QConfig? qconfig) => int8 = model.Calibrate(batches, qconfig).Convert();

            public void RebuildFromModel() => int8 = {{model}}.Int8.From(model);

            public void Forward(ReadOnlySpan<float> input, Span<float> output) => int8!.Forward(input, output);

            public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch) => int8!.Forward(input, output, batch);
        }
        """;

    /// <summary>
    /// A driver (<c>Sample.PassDriver</c>) of the generated <paramref name="pass"/> (<c>Float</c> or <c>Dynamic</c>) of a
    /// model class <paramref name="model"/> in namespace Sample (see <see cref="IPassDriver"/>).
    /// </summary>
    public static string PassDriver(string model, string pass) => $$"""
        using System;
        using QuantGen;
        using QuantGen.Nn;
        using QuantGen.Generator.Tests.Infrastructure;

        namespace Sample;

        public sealed class PassDriver : IPassDriver
        {
            private readonly {{model}} model;
            private {{model}}.{{pass}}? pass;

            public PassDriver() => model = new();

            private PassDriver({{model}} model, {{model}}.{{pass}} pass) => (this.model, this.pass) = (model, pass);

            public Module Model => model;

            public void Build() => pass = {{(pass == "Dynamic" ? "model.QuantizeDynamic()" : $"{model}.Float.From(model)")}};

            public IPassDriver Fork() => new PassDriver(model, pass!.Fork());

            public int MaxThreads { get => pass!.MaxThreads; set => pass!.MaxThreads = value; }

            public void Forward(ReadOnlySpan<float> input, Span<float> output) => pass!.Forward(input, output);

            public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch) => pass!.Forward(input, output, batch);
        }
        """;
}
