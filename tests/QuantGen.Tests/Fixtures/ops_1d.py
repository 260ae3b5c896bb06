# Made with PyTorch 1.13 (Debian python3-torch), run as `/usr/bin/python3 ops_1d.py > ops_1d.json`.
#
# The 1-D ops as PyTorch 1.13's eager mode runs them, engine qnnpack:
# - conv1d: nn.Conv1d's float forward; then Sequential(QuantStub, Conv1d, DeQuantStub) prepared with
#   default_qconfig (MinMax [0, 127], per-tensor weights) and with get_default_qconfig('onednn') (Histogram,
#   per-channel weights), calibrated on the float input, converted: the observers' qparams, the int8 weights, the
#   quint8 input and the converted nnq.Conv1d's quint8 output.
# - pools: MaxPool1d, AvgPool1d, AdaptiveAvgPool1d on float and on quint8 input (they keep the input's qparams),
#   the quint8 input in the layout a quantized Conv1d outputs.
# - batchnorm1d: eval over [N, C] and [N, C, L]; one training step (output, running statistics after).
# - linear_3d: Linear over [N, T, F]: float, static int8 (default_qconfig) and dynamic int8.
# - fusion: fuse_modules' folded weights for Conv1d+BatchNorm1d(+ReLU) and Linear+BatchNorm1d, and the int8 output
#   of the fused ConvReLU1d.
# Floats are lists (float32 values written exactly), bytes hex.
import json
import sys
import torch
import torch.nn as nn
from torch.ao.quantization import QuantStub, DeQuantStub, default_qconfig, get_default_qconfig, prepare, convert, fuse_modules

torch.backends.quantized.engine = "qnnpack"
torch.manual_seed(14)
QCONFIGS = {"minmax_per_tensor": default_qconfig, "histogram_per_channel": get_default_qconfig("onednn")}


def floats(t):
    return t.detach().reshape(-1).tolist()


def hexed(q):
    return bytes(q.int_repr().reshape(-1).to(torch.uint8).tolist()).hex()


def qparams(q):
    return {"scale": q.q_scale(), "zero_point": q.q_zero_point()}


def weight_qparams(w):
    if w.qscheme() in (torch.per_channel_affine, torch.per_channel_symmetric):
        return {"scales": w.q_per_channel_scales().tolist(), "zero_points": w.q_per_channel_zero_points().tolist()}
    return {"scales": [w.q_scale()], "zero_points": [w.q_zero_point()]}


def static_int8(layer, x, qconfig):
    """The layer between stubs, prepared, calibrated on x and converted; what PyTorch's converted layer gives."""
    model = nn.Sequential(QuantStub(), layer, DeQuantStub()).eval()
    model.qconfig = qconfig
    prepare(model, inplace=True)
    model(x)
    observed = {"input": model[0].activation_post_process.calculate_qparams(),
                "output": model[1].activation_post_process.calculate_qparams()}
    convert(model, inplace=True)
    qx = model[0](x)
    qy = model[1](qx)
    w = model[1].weight()
    return {
        "input_qparams": {"scale": float(observed["input"][0]), "zero_point": int(observed["input"][1])},
        "output_qparams": {"scale": float(observed["output"][0]), "zero_point": int(observed["output"][1])},
        "weight_int8": bytes((w.int_repr().reshape(-1) & 0xFF).to(torch.uint8).tolist()).hex(),
        "weight_qparams": weight_qparams(w),
        "input": hexed(qx), "output": hexed(qy), "output_shape": list(qy.shape),
    }


def conv1d_cases():
    configs = [  # in, out, kernel, stride, padding, dilation, groups, bias, length
        (4, 6, 3, 1, 1, 1, 1, True, 17),
        (6, 6, 5, 2, 2, 1, 6, False, 23),
        (4, 8, 3, 1, 2, 2, 2, True, 19),
        (28, 16, 3, 1, 1, 1, 1, True, 28),
        (3, 5, 1, 1, 0, 1, 1, True, 9),
        (8, 16, 7, 3, 0, 1, 1, True, 40),
        (8, 8, 3, 1, 1, 1, 8, True, 12),
    ]
    cases = []
    for cin, cout, k, s, p, d, g, bias, length in configs:
        conv = nn.Conv1d(cin, cout, k, stride=s, padding=p, dilation=d, groups=g, bias=bias).eval()
        x = torch.randn(2, cin, length) * 1.5 + 0.2
        case = {"args": {"in_channels": cin, "out_channels": cout, "kernel_size": k, "stride": s, "padding": p,
                         "dilation": d, "groups": g, "bias": bias},
                "weight": floats(conv.weight), "bias": floats(conv.bias) if bias else None,
                "input_shape": list(x.shape), "input": floats(x), "output": floats(conv(x)), "output_shape": list(conv(x).shape)}
        for name, qconfig in QCONFIGS.items():
            copy = nn.Conv1d(cin, cout, k, stride=s, padding=p, dilation=d, groups=g, bias=bias)
            copy.load_state_dict(conv.state_dict())
            case[name] = static_int8(copy.eval(), x, qconfig)
        cases.append(case)
    return cases


def quantized_input(shape, scale, zero_point):
    """Random quint8 [N, C, L] laid out as a quantized Conv1d's output is (its [N, C, 1, L] channels-last): the
    layout a pool meets in a network, which decides ties in ATen's generic average pooling."""
    q = torch.randint(0, 256, shape).to(torch.uint8)
    qx = torch._make_per_tensor_quantized_tensor(q, scale, zero_point)
    return qx.unsqueeze(2).contiguous(memory_format=torch.channels_last).squeeze(2)


def pool_cases():
    ops = [
        ("MaxPool1d", {"kernel_size": 2}, nn.MaxPool1d(2)),
        ("MaxPool1d", {"kernel_size": 3, "stride": 2, "padding": 1}, nn.MaxPool1d(3, 2, 1)),
        ("MaxPool1d", {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 2, "ceil_mode": True}, nn.MaxPool1d(3, 2, 1, dilation=2, ceil_mode=True)),
        ("AvgPool1d", {"kernel_size": 2}, nn.AvgPool1d(2)),
        ("AvgPool1d", {"kernel_size": 3, "stride": 2, "padding": 1}, nn.AvgPool1d(3, 2, 1)),
        ("AvgPool1d", {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False},
         nn.AvgPool1d(3, 2, 1, ceil_mode=True, count_include_pad=False)),
        ("AdaptiveAvgPool1d", {"output_size": 1}, nn.AdaptiveAvgPool1d(1)),
        ("AdaptiveAvgPool1d", {"output_size": 5}, nn.AdaptiveAvgPool1d(5)),
        ("AdaptiveAvgPool1d", {"output_size": 7}, nn.AdaptiveAvgPool1d(7)),
    ]
    cases = []
    for length in (13, 28):
        for name, args, module in ops:
            x = torch.randn(2, 3, length)
            qx = quantized_input((2, 3, length), 0.037, 121)
            qy = module(qx)
            cases.append({"op": name, "args": args, "input_shape": list(x.shape), "input": floats(x),
                          "output": floats(module(x)), "output_shape": list(module(x).shape),
                          "input_qparams": qparams(qx), "output_qparams": qparams(qy),
                          "qinput": hexed(qx), "qoutput": hexed(qy)})
    return cases


def random_batchnorm(features, affine=True):
    bn = nn.BatchNorm1d(features, eps=1e-3, momentum=0.2, affine=affine)
    bn.running_mean.uniform_(-0.5, 0.5)
    bn.running_var.uniform_(0.3, 2.0)
    if affine:
        bn.weight.data.uniform_(0.5, 1.5)
        bn.bias.data.uniform_(-0.5, 0.5)
    return bn


def batchnorm_state(bn):
    return {k: floats(v) for k, v in bn.state_dict().items() if k != "num_batches_tracked"}


def batchnorm_cases():
    cases = []
    for shape in ((5, 6), (3, 6, 11)):
        for affine in (True, False):
            bn = random_batchnorm(6, affine)
            state = batchnorm_state(bn)
            x = torch.randn(*shape) * 2 + 0.3
            bn.eval()
            evaluated = floats(bn(x))
            bn.train()
            trained = floats(bn(x))
            cases.append({"args": {"num_features": 6, "eps": 1e-3, "momentum": 0.2, "affine": affine}, "state": state,
                          "input_shape": list(shape), "input": floats(x), "eval_output": evaluated, "train_output": trained,
                          "running_mean_after": floats(bn.running_mean), "running_var_after": floats(bn.running_var)})
    return cases


def linear_3d_cases():
    cases = []
    for relu in (False, True):
        linear = nn.Linear(12, 7)
        x = torch.randn(2, 5, 12) * 1.3
        float_out = torch.relu(linear(x)) if relu else linear(x)
        copy = nn.Linear(12, 7)
        copy.load_state_dict(linear.state_dict())
        if relu:
            layer = torch.ao.nn.intrinsic.LinearReLU(copy, nn.ReLU())
        else:
            layer = copy
        static = static_int8(layer.eval(), x, default_qconfig)
        dynamic_model = torch.ao.quantization.quantize_dynamic(nn.Sequential(layer), {nn.Linear, torch.ao.nn.intrinsic.LinearReLU})
        cases.append({"relu": relu, "weight": floats(linear.weight), "bias": floats(linear.bias), "input_shape": list(x.shape),
                      "input": floats(x), "output": floats(float_out), "minmax_per_tensor": static,
                      "dynamic_output": floats(dynamic_model(x))})
    return cases


def fusion_cases():
    cases = []
    for pattern in (["conv", "bn"], ["conv", "bn", "relu"], ["conv", "relu"], ["linear", "bn"]):
        is_linear = pattern[0] == "linear"
        head = nn.Linear(10, 6) if is_linear else nn.Conv1d(4, 6, 3, padding=1, bias=False)
        modules = {"conv" if not is_linear else "linear": head, "bn": random_batchnorm(6), "relu": nn.ReLU()}
        model = nn.Sequential()
        for name in pattern:
            model.add_module(name, modules[name])
        model.eval()
        state = {k: floats(v) for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
        x = torch.randn(3, 10) if is_linear else torch.randn(2, 4, 15)
        fused = fuse_modules(model, [pattern])
        head = fused[0] if isinstance(fused[0], (nn.Linear, nn.Conv1d)) else fused[0][0]
        case = {"pattern": pattern, "state": state, "input_shape": list(x.shape), "input": floats(x),
                "output": floats(fused(x)), "fused_weight": floats(head.weight), "fused_bias": floats(head.bias) if head.bias is not None else None}
        if not is_linear:
            case["minmax_per_tensor"] = static_int8(fused[0], x, default_qconfig)
        cases.append(case)
    return cases


json.dump({"torch": torch.__version__, "engine": torch.backends.quantized.engine, "conv1d": conv1d_cases(),
           "pools": pool_cases(), "batchnorm1d": batchnorm_cases(), "linear_3d": linear_3d_cases(),
           "fusion": fusion_cases()}, sys.stdout)
