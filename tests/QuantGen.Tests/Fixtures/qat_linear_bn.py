# Made with PyTorch 1.13 (Debian python3-torch), run as `/usr/bin/python3 qat_linear_bn.py > qat_linear_bn.json`.
#
# Quantization-aware training of a Linear with its BatchNorm1d fused (torch.nn.intrinsic.qat.LinearBn1d), engine
# qnnpack: Sequential(QuantStub, Linear(6, 5), BatchNorm1d(5), DeQuantStub) with seeded parameters and running
# statistics, fuse_modules_qat([["1", "2"]]), prepare_qat with each qconfig below, then
# - "steps": two training steps (forward, then backward of sum(output · grad_output)): the output, the gradients of
#   the input, the Linear's weight and bias and the BatchNorm's γ and β, and the running statistics after;
# - "frozen": LinearBn1d.freeze_bn_stats(), then one more training forward and backward (the running statistics do not
#   move). Called on the module: 1.13's model.apply(torch.nn.intrinsic.qat.freeze_bn_stats) skips LinearBn1d (its set
#   lists the ConvBn kinds only), which QuantGen's FreezeBatchNormStats does not;
# - "converted": convert in eval mode: the int8 Linear's weight bytes and qparams, its float bias, its output qparams,
#   and its quint8 output on a probe input quantized by the converted QuantStub.
# The qconfigs: default_qat_qconfig (per-tensor weights) and its per-channel form, default_fake_quant with
# default_per_channel_weight_fake_quant (QuantGen's QConfig.PerChannelQat). Not get_default_qat_qconfig('fbgemm'): its
# fused weight fake quantization (FusedMovingAvgObsFakeQuantize) trains with the C++ choose_qparams scale,
# max(|min|/128, max/127) per channel, where the observer that convert asks gives max(|min|, max)/127.5.
# Floats are lists (float32 values written exactly), bytes hex.
import json
import torch
import torch.nn as nn
import torch.nn.intrinsic.qat as nniqat
from torch.ao.quantization import QConfig, QuantStub, DeQuantStub, default_fake_quant, default_per_channel_weight_fake_quant, default_qat_qconfig
from torch.ao.quantization import prepare_qat, convert, fuse_modules_qat

torch.backends.quantized.engine = "qnnpack"
QCONFIGS = {
    "per_tensor": default_qat_qconfig,
    "per_channel": QConfig(activation=default_fake_quant, weight=default_per_channel_weight_fake_quant),
}
generator = torch.Generator().manual_seed(1413)


def floats(t):
    return t.detach().reshape(-1).tolist()


def uniform(*shape, low=-1.0, high=1.0):
    return torch.rand(shape, generator=generator) * (high - low) + low


def hexed(q):
    return bytes(q.int_repr().reshape(-1).to(torch.uint8).tolist()).hex()


def weight_qparams(w):
    if w.qscheme() in (torch.per_channel_affine, torch.per_channel_symmetric):
        return {"scales": w.q_per_channel_scales().tolist(), "zero_points": w.q_per_channel_zero_points().tolist()}
    return {"scales": [w.q_scale()], "zero_points": [w.q_zero_point()]}


parameters = {
    "linear.weight": uniform(5, 6, low=-0.6, high=0.6),
    "linear.bias": uniform(5, low=-0.3, high=0.3),
    "bn.weight": uniform(5, low=0.5, high=1.5),
    "bn.bias": uniform(5, low=-0.4, high=0.4),
    "bn.running_mean": uniform(5, low=-0.3, high=0.3),
    "bn.running_var": uniform(5, low=0.5, high=1.5),
}
inputs = [uniform(8, 6, low=-2.0, high=2.5) for _ in range(3)]
grad_outputs = [uniform(8, 5) for _ in range(3)]
probe = uniform(4, 6, low=-2.0, high=2.5)


def build():
    model = nn.Sequential(QuantStub(), nn.Linear(6, 5), nn.BatchNorm1d(5), DeQuantStub())
    with torch.no_grad():
        model[1].weight.copy_(parameters["linear.weight"])
        model[1].bias.copy_(parameters["linear.bias"])
        model[2].weight.copy_(parameters["bn.weight"])
        model[2].bias.copy_(parameters["bn.bias"])
        model[2].running_mean.copy_(parameters["bn.running_mean"])
        model[2].running_var.copy_(parameters["bn.running_var"])
    return model


def step(model, x, grad_output):
    x = x.clone().requires_grad_(True)
    qat = model[1]
    for p in (qat.weight, qat.bias, qat.bn.weight, qat.bn.bias):
        p.grad = None
    y = model(x)
    (y * grad_output).sum().backward()
    return {
        "output": floats(y),
        "grad_input": floats(x.grad),
        "grad_weight": floats(qat.weight.grad),
        "grad_bias": floats(qat.bias.grad),
        "grad_bn_weight": floats(qat.bn.weight.grad),
        "grad_bn_bias": floats(qat.bn.bias.grad),
        "running_mean": floats(qat.bn.running_mean),
        "running_var": floats(qat.bn.running_var),
    }


cases = {}
for name, qconfig in QCONFIGS.items():
    model = build()
    model.train()
    model.qconfig = qconfig
    model = fuse_modules_qat(model, [["1", "2"]])
    prepare_qat(model, inplace=True)
    assert type(model[1]) == nniqat.LinearBn1d, type(model[1])
    steps = [step(model, inputs[i], grad_outputs[i]) for i in range(2)]
    model[1].freeze_bn_stats()
    frozen = step(model, inputs[2], grad_outputs[2])
    model.eval()
    converted = convert(model)
    linear = converted[1]
    w = linear.weight()
    y = linear(converted[0](probe))
    cases[name] = {
        "steps": steps,
        "frozen": frozen,
        "converted": {
            "weight": bytes(w.int_repr().reshape(-1).to(torch.int8).view(torch.uint8).tolist()).hex(),
            "weight_qparams": weight_qparams(w),
            "bias": floats(linear.bias()),
            "scale": linear.scale,
            "zero_point": linear.zero_point,
            "input": {"scale": float(converted[0].scale), "zero_point": int(converted[0].zero_point)},
            "output": hexed(y),
        },
    }

print(json.dumps({
    "parameters": {k: floats(v) for k, v in parameters.items()},
    "inputs": [floats(x) for x in inputs],
    "grad_outputs": [floats(g) for g in grad_outputs],
    "probe": floats(probe),
    "cases": cases,
}))
