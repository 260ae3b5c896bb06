# Made with PyTorch 1.13 (Debian python3-torch), run as `/usr/bin/python3 activations_int8.py > activations_int8.json`.
#
# The activations PyTorch 1.13's eager mode runs on quint8, engine qnnpack, as a converted model runs them:
# nnq.Hardswish, nnq.LeakyReLU and nnq.ELU with their observed output qparams; nn.Hardsigmoid, nn.Sigmoid and
# nn.Tanh left float by convert, so that the quantized tensor dispatches to the kernel with fixed output qparams.
# Each case: every byte 0..255 once (shuffled) then 44 random bytes, so the whole table is covered by the
# vectorised loop and the scalar tail is exercised too; inputs and outputs as hex. Also each op's float forward
# on 64 values in [-6, 6], for the float modules.
import json
import torch

torch.backends.quantized.engine = "qnnpack"
nnq = torch.ao.nn.quantized
generator = torch.Generator().manual_seed(14)

QPARAMS = [(0.05, 128), (0.0235, 17), (0.11, 240), (0.0039, 0), (0.5, 64)]
OUTPUTS = [(0.04, 100), (0.013, 5), (0.2, 200), (0.0078, 0), (0.3, 30)]


def ops(output_scale, output_zero_point):
    return [
        ("Hardswish", {}, nnq.Hardswish(output_scale, output_zero_point), torch.nn.Hardswish()),
        ("Hardsigmoid", {}, torch.nn.Hardsigmoid(), torch.nn.Hardsigmoid()),
        ("Sigmoid", {}, torch.nn.Sigmoid(), torch.nn.Sigmoid()),
        ("Tanh", {}, torch.nn.Tanh(), torch.nn.Tanh()),
        ("LeakyReLU", {"negative_slope": 0.1}, nnq.LeakyReLU(output_scale, output_zero_point, 0.1), torch.nn.LeakyReLU(0.1)),
        ("LeakyReLU", {"negative_slope": 0.37}, nnq.LeakyReLU(output_scale, output_zero_point, 0.37), torch.nn.LeakyReLU(0.37)),
        ("ELU", {"alpha": 1.0}, nnq.ELU(output_scale, output_zero_point, 1.0), torch.nn.ELU(1.0)),
        ("ELU", {"alpha": 0.6}, nnq.ELU(output_scale, output_zero_point, 0.6), torch.nn.ELU(0.6)),
    ]


cases = []
floats = []
for (scale, zero_point), (output_scale, output_zero_point) in zip(QPARAMS, OUTPUTS):
    for name, args, quantized, _ in ops(output_scale, output_zero_point):
        order = torch.randperm(256, generator=generator)
        extra = torch.randint(0, 256, (44,), generator=generator)
        q = torch.cat([order, extra]).to(torch.uint8)
        qx = torch._make_per_tensor_quantized_tensor(q, scale, zero_point)
        qy = quantized(qx)
        cases.append({
            "op": name, "args": args,
            "input_scale": scale, "input_zero_point": zero_point,
            "output_scale": qy.q_scale(), "output_zero_point": qy.q_zero_point(),
            "input": bytes(q.tolist()).hex(), "output": bytes(qy.int_repr().tolist()).hex(),
        })

x = torch.rand(64, generator=generator) * 12 - 6
for name, args, _, module in ops(1.0, 0):
    floats.append({"op": name, "args": args, "input": x.tolist(), "output": module(x).tolist()})

json.dump({"torch": torch.__version__, "engine": torch.backends.quantized.engine, "cases": cases, "float": floats}, __import__("sys").stdout)
