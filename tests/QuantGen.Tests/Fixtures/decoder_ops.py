# Made with PyTorch 1.13 (Debian python3-torch), run as `/usr/bin/python3 decoder_ops.py > decoder_ops.json`.
# Floats are float32 little-endian in base64; bytes are hex.
#
# The decoder-side ops of issue 14 as PyTorch 1.13's eager mode runs them, engine qnnpack, qconfig default_qconfig
# (MinMax activations over [0, 127], per-tensor symmetric qint8 weights):
# - ConvTranspose2d: QuantStub → ConvTranspose2d → DeQuantStub prepared, calibrated on the case's input, converted;
#   the state dict, float output, observed qparams, int8 weights, and the quint8 input and output bytes (NCHW hex);
# - Upsample (nearest, bilinear with and without align_corners, by scale factor or size): float output, and the
#   quint8 kernel's bytes on a quint8 input (channels-last, as a qnnpack convolution leaves it, and contiguous);
# - BatchNorm2d alone and BatchNorm2d+ReLU fused (BNReLU2d), converted as above;
# - SiLU, GELU, GroupNorm: float outputs, the MinMax observer's qparams on them, and, for GroupNorm, the bytes of
#   PyTorch's quantized GroupNorm on the quint8 input, which the float island must match within one step.
import base64
import json
import sys
import torch
import torch.nn as nn

torch.backends.quantized.engine = "qnnpack"
Q = torch.ao.quantization
torch.manual_seed(14)
generator = torch.Generator().manual_seed(14)


def hexbytes(t):
    return bytes(t.contiguous().flatten().to(torch.uint8).tolist()).hex()


def floats(t):
    """float32 values, little-endian, as base64."""
    return base64.b64encode(t.detach().contiguous().flatten().to(torch.float32).numpy().astype("<f4").tobytes()).decode()


def convert(layers, x, fuse=None):
    model = nn.Sequential(Q.QuantStub(), *layers, Q.DeQuantStub()).eval()
    if fuse:
        Q.fuse_modules(model, fuse, inplace=True)
    model.qconfig = Q.default_qconfig
    Q.prepare(model, inplace=True)
    model(x)
    Q.convert(model, inplace=True)
    qx = model[0](x)
    body = nn.Sequential(*list(model.children())[1:-1])
    qy = body(qx)
    return model, qx, qy


def qparams(prefix, t):
    return {prefix + "_scale": t.q_scale(), prefix + "_zero_point": t.q_zero_point()}


transposed = []
for args in [
    dict(in_channels=4, out_channels=6, kernel_size=3, stride=2, padding=1, output_padding=1),
    dict(in_channels=4, out_channels=6, kernel_size=3, stride=1, padding=0, groups=2, dilation=2),
    dict(in_channels=3, out_channels=5, kernel_size=2, stride=2, bias=False),
    dict(in_channels=8, out_channels=8, kernel_size=4, stride=2, padding=1),
    dict(in_channels=6, out_channels=4, kernel_size=3, stride=3, padding=2, output_padding=2, dilation=1),
]:
    layer = nn.ConvTranspose2d(**args).eval()
    x = torch.randn(2, args["in_channels"], 5, 6, generator=generator)
    y = layer(x)
    model, qx, qy = convert([layer], x)
    q = model[1]
    w = q.weight()
    transposed.append({
        "args": args,
        "weight": floats(layer.weight), "bias": floats(layer.bias) if layer.bias is not None else None,
        "input_shape": list(x.shape), "input": floats(x), "output_shape": list(y.shape), "output": floats(y),
        **qparams("input", qx), **qparams("output", qy),
        "weight_scale": w.q_scale(), "weight_zero_point": w.q_zero_point(),
        "weight_int8": [int(v) for v in w.int_repr().flatten().tolist()],
        "input_int8": hexbytes(qx.int_repr()), "output_int8": hexbytes(qy.int_repr()),
    })

upsample = []
for args, channels, size in [
    (dict(scale_factor=2, mode="nearest"), 3, (4, 5)),
    (dict(scale_factor=3, mode="nearest"), 16, (3, 4)),
    (dict(size=(7, 9), mode="nearest"), 11, (4, 4)),
    (dict(scale_factor=1.5, mode="nearest"), 5, (4, 6)),
    (dict(scale_factor=2, mode="bilinear", align_corners=False), 3, (4, 5)),
    (dict(scale_factor=2, mode="bilinear", align_corners=False), 16, (3, 4)),
    (dict(scale_factor=2, mode="bilinear", align_corners=True), 11, (4, 5)),
    (dict(size=(7, 9), mode="bilinear", align_corners=False), 19, (4, 4)),
    (dict(size=(10, 7), mode="bilinear", align_corners=True), 8, (4, 3)),
]:
    layer = nn.Upsample(**args)
    x = torch.randn(2, channels, *size, generator=generator)
    y = layer(x)
    case = {"args": args, "input_shape": list(x.shape), "input": floats(x), "output_shape": list(y.shape), "output": floats(y)}
    for layout in ["channels_last", "contiguous"]:
        qx = torch.quantize_per_tensor(x, 0.021, 113, torch.quint8)
        if layout == "channels_last":
            qx = qx.contiguous(memory_format=torch.channels_last)
        qy = layer(qx)
        assert qy.q_scale() == qx.q_scale() and qy.q_zero_point() == qx.q_zero_point()
        case["input_int8"] = hexbytes(qx.int_repr())
        case[layout + "_output_int8"] = hexbytes(qy.int_repr())
    case.update(qparams("input", qx))
    upsample.append(case)

batchnorm = []
for channels, relu in [(3, False), (8, False), (16, True), (40, False), (37, True), (64, False)]:
    bn = nn.BatchNorm2d(channels).eval()
    with torch.no_grad():
        bn.weight.copy_(torch.rand(channels, generator=generator) * 1.5 + 0.25)
        bn.bias.copy_(torch.randn(channels, generator=generator) * 0.3)
        bn.running_mean.copy_(torch.randn(channels, generator=generator) * 0.5)
        bn.running_var.copy_(torch.rand(channels, generator=generator) * 2 + 0.1)
    layers = [bn] + ([nn.ReLU()] if relu else [])
    x = torch.randn(2, channels, 4, 5, generator=generator) * 2 + 0.3
    y = nn.Sequential(*layers)(x)
    model, qx, qy = convert(layers, x, fuse=[["1", "2"]] if relu else None)
    batchnorm.append({
        "channels": channels, "relu": relu, "fused": type(model[1]).__name__,
        "state": {k: floats(v) for k, v in bn.state_dict().items() if k != "num_batches_tracked"},
        "input_shape": list(x.shape), "input": floats(x), "output": floats(y),
        **qparams("input", qx), **qparams("output", qy),
        "input_int8": hexbytes(qx.int_repr()), "output_int8": hexbytes(qy.int_repr()),
    })

islands = []
for name, layer, shape in [
    ("SiLU", nn.SiLU(), (2, 5, 3, 4)),
    ("GELU", nn.GELU(), (2, 5, 3, 4)),
    ("GroupNorm", nn.GroupNorm(4, 8), (2, 8, 3, 5)),
    ("GroupNorm", nn.GroupNorm(2, 6, eps=1e-3, affine=False), (3, 6, 4, 2)),
]:
    if isinstance(layer, nn.GroupNorm) and layer.affine:
        with torch.no_grad():
            layer.weight.copy_(torch.rand(layer.num_channels, generator=generator) + 0.5)
            layer.bias.copy_(torch.randn(layer.num_channels, generator=generator) * 0.2)
    x = torch.randn(*shape, generator=generator) * 2
    y = layer(x)
    observer = Q.default_qconfig.activation()
    observer(y)
    scale, zero_point = observer.calculate_qparams()
    case = {
        "op": name, "input_shape": list(x.shape), "input": floats(x), "output": floats(y),
        "observer_scale": float(scale), "observer_zero_point": int(zero_point),
        "args": {"num_groups": layer.num_groups, "num_channels": layer.num_channels, "eps": layer.eps, "affine": layer.affine} if isinstance(layer, nn.GroupNorm) else {},
        "state": {k: floats(v) for k, v in layer.state_dict().items()},
    }
    if isinstance(layer, nn.GroupNorm):
        model, qx, qy = convert([layer], x)
        assert type(model[1]).__name__ == "GroupNorm" and model[1].__module__.startswith("torch.ao.nn.quantized")
        case.update({**qparams("input", qx), **qparams("output", qy), "input_int8": hexbytes(qx.int_repr()), "output_int8": hexbytes(qy.int_repr())})
    islands.append(case)

json.dump({"torch": torch.__version__, "engine": torch.backends.quantized.engine,
           "conv_transpose2d": transposed, "upsample": upsample, "batch_norm2d": batchnorm, "islands": islands}, sys.stdout)
