# Made with PyTorch 1.13 (Debian python3-torch), run as `/usr/bin/python3 float_functional.py > float_functional.json`.
#
# FloatFunctional as PyTorch 1.13's eager mode runs it, engine qnnpack:
# - "int8": QFunctional (the converted module) on random quint8 inputs: add / add_relu / mul of equal shapes and of
#   shapes that broadcast (the squeeze-excite gate [N, C, 1, 1] against [N, C, H, W], either order), cat along each
#   dimension in NCHW and channels-last layouts (the latter is PyTorch's NHWC fast path), and add_scalar / mul_scalar
#   over every branch of their qparams rule. Inputs and outputs as hex bytes, shapes in NCHW.
# - "float": FloatFunctional's float ops on random floats.
# - "observer": a FloatFunctional prepared with default_qconfig (MinMax, quint8 [0, 127]) and with
#   get_default_qconfig('qnnpack') (Histogram), run over the float cases' inputs; its output qparams per op.
import json
import sys
import torch

torch.backends.quantized.engine = "qnnpack"
nnq = torch.ao.nn.quantized
generator = torch.Generator().manual_seed(1413)


def uniform(low, high):
    return float(torch.rand(1, generator=generator)) * (high - low) + low


def quint8(shape, scale, zero_point):
    q = torch.randint(0, 256, shape, generator=generator).to(torch.uint8)
    return torch._make_per_tensor_quantized_tensor(q, scale, zero_point)


def qparams():
    return uniform(0.002, 0.1), int(torch.randint(0, 256, (1,), generator=generator))


def hexes(t):
    return bytes(t.contiguous().int_repr().flatten().tolist()).hex()


def tensor_case(t):
    return {"shape": list(t.shape), "scale": t.q_scale(), "zero_point": t.q_zero_point(), "data": hexes(t)}


def functional(scale, zero_point):
    f = nnq.QFunctional()
    f.scale, f.zero_point = scale, zero_point
    return f


cases = []
BINARY_SHAPES = [
    ((2, 5, 4, 3), (2, 5, 4, 3)),
    ((2, 5, 4, 3), (2, 5, 1, 1)),
    ((2, 5, 1, 1), (2, 5, 4, 3)),
    ((3, 70), (3, 70)),
    ((4, 6), (6,)),
]
for op in ["add", "add_relu", "mul"]:
    for a_shape, b_shape in BINARY_SHAPES:
        for trial in range(4):
            (sa, za), (sb, zb) = qparams(), qparams()
            # Output qparams that keep the outputs varied: a sum's scale near the inputs' (within qnnpack's add ratios),
            # a product's near their product's; add_relu's zero point low enough that ReLU keeps some values.
            so = (sa * sb * uniform(20, 120)) if op == "mul" else max(sa, sb) * uniform(0.7, 3)
            zo = int(torch.randint(0, 128 if op == "add_relu" else 256, (1,), generator=generator))
            a, b = quint8(a_shape, sa, za), quint8(b_shape, sb, zb)
            if trial % 2 == 1 and len(a_shape) == 4 and len(b_shape) == 4:
                a, b = a.contiguous(memory_format=torch.channels_last), b.contiguous(memory_format=torch.channels_last)
            y = getattr(functional(so, zo), op)(a, b)
            cases.append({"op": op, "inputs": [tensor_case(a), tensor_case(b)], "output": tensor_case(y)})

CAT_SHAPES = [
    ([(2, 3, 4, 5), (2, 7, 4, 5)], 1),
    ([(2, 40, 3, 3), (2, 24, 3, 3)], 1),
    ([(2, 3, 4, 5), (2, 3, 2, 5), (2, 3, 1, 5)], 2),
    ([(2, 3, 4, 5), (2, 3, 4, 2)], 3),
    ([(1, 3, 4, 5), (2, 3, 4, 5)], 0),
    ([(2, 30), (2, 20)], 1),
]
for shapes, dim in CAT_SHAPES:
    for trial in range(4):
        so, zo = qparams()
        inputs = []
        for i, shape in enumerate(shapes):
            # One case in four gives every input the output's qparams (a copy); the others requantize.
            s, z = (so, zo) if trial == 0 else qparams()
            inputs.append(quint8(shape, s, z))
        if trial % 2 == 1 and all(len(s) == 4 for s in shapes):
            inputs = [t.contiguous(memory_format=torch.channels_last) for t in inputs]
        y = functional(so, zo).cat(inputs, dim=dim)
        cases.append({"op": "cat", "dim": dim, "inputs": [tensor_case(t) for t in inputs], "output": tensor_case(y)})

for op, scalars in [("add_scalar", [0.3, -0.7, 2.5, -5.0, 0.0, 12.0, -12.0, 0.0123]), ("mul_scalar", [0.3, -0.7, 2.5, 0.0, -1.0, 1e-3])]:
    for c in scalars:
        s, z = qparams()
        x = quint8((3, 100), s, z)
        y = getattr(functional(1.0, 0), op)(x, c)
        cases.append({"op": op, "scalar": c, "inputs": [tensor_case(x)], "output": tensor_case(y)})

floats = []
float_inputs = {}
for op, shapes in [("add", [(2, 5, 4, 3), (2, 5, 1, 1)]), ("add_relu", [(2, 5, 4, 3), (2, 5, 4, 3)]), ("mul", [(2, 5, 1, 1), (2, 5, 4, 3)]),
                   ("cat", [(2, 3, 4, 5), (2, 6, 4, 5)]), ("add_scalar", [(2, 5, 4, 3)]), ("mul_scalar", [(2, 5, 4, 3)])]:
    xs = [torch.randn(shape, generator=generator) * 2 for shape in shapes]
    f = nnq.FloatFunctional()
    if op == "cat":
        y, extra = f.cat(xs, dim=1), {"dim": 1}
    elif op in ("add_scalar", "mul_scalar"):
        y, extra = getattr(f, op)(xs[0], -1.25), {"scalar": -1.25}
    else:
        y, extra = getattr(f, op)(*xs), {}
    float_inputs[op] = (xs, extra)
    floats.append({"op": op, **extra, "inputs": [{"shape": list(x.shape), "data": x.flatten().tolist()} for x in xs],
                   "output": {"shape": list(y.shape), "data": y.flatten().tolist()}})

observers = []
for name, qconfig in [("default", torch.ao.quantization.default_qconfig), ("qnnpack", torch.ao.quantization.get_default_qconfig("qnnpack"))]:
    for op in ["add", "add_relu", "mul", "cat"]:
        model = torch.nn.Module()
        model.f = nnq.FloatFunctional()
        model.qconfig = qconfig
        torch.ao.quantization.prepare(model, inplace=True)
        f = model.f
        xs, extra = float_inputs[op]
        f.cat(xs, dim=1) if op == "cat" else getattr(f, op)(*xs)
        scale, zero_point = f.activation_post_process.calculate_qparams()
        observers.append({"qconfig": name, "op": op, "scale": float(scale), "zero_point": int(zero_point)})

json.dump({"torch": torch.__version__, "engine": torch.backends.quantized.engine, "cases": cases, "float": floats, "observer": observers}, sys.stdout)
