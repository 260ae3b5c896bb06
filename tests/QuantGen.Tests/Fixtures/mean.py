# Made with PyTorch 1.13 (Debian python3-torch), run as `/usr/bin/python3 mean.py > mean.json`.
#
# torch.mean(x, dim) of float32 tensors on the CPU, for QuantGen's Functional.Mean to reproduce bit for bit: 1.13's mean
# is the sum divided by the count, and its sum of float32 runs SumKernel.cpp's cascade, whose order depends on how many
# values are summed (the cases cross its levels at 16, 256 and 4,096 values), on how many columns sit beside them (in
# groups of four vectors of 8 floats, AVX2's, the rest four-way interleaved) and on whether they are contiguous (the
# last dimension: eight lanes).
# Inputs need no storing: value i of a tensor is float32(((i * 7919) % 1000 - 500) / 37), exact in both languages.
# Outputs are float32 hex, in PyTorch's order.
import json

import numpy as np
import torch

CASES = [
    ([1, 28, 128], 1),   # the sequence model: the mean over 28 tokens of 128 features
    ([3, 28, 5], 1),     # fewer features than a SIMD vector
    ([2, 300, 17], 1),   # 300 values: a carry into the cascade's second level
    ([1, 4100, 3], -2),  # 4100 values: into its third level
    ([3, 5, 7, 4], 2),   # a middle dimension of a 4-D tensor
    ([40, 6], 0),        # the first dimension
    ([2, 28, 40], 1),    # 32 columns in a group, 8 left over
    ([2, 50, 70], 1),    # 64 and 6
    ([3, 1000], -1),     # the last dimension: eight lanes
    ([4, 37], 1),        # eight lanes and a tail
    ([5, 7], -1),        # fewer than a vector: four-way interleaved
]


def values(shape):
    count = int(np.prod(shape))
    i = np.arange(count, dtype=np.int64)
    return torch.from_numpy((((i * 7919) % 1000 - 500) / 37.0).astype(np.float32).reshape(shape))


print(json.dumps({
    "torch": torch.__version__,
    "cases": [{"shape": shape, "dim": dim, "mean": torch.mean(values(shape), dim).numpy().astype("<f4").tobytes().hex()} for shape, dim in CASES],
}, indent=1))
