#!/usr/bin/env python3
"""For each 1x1 convolution of a safetensors checkpoint: the largest input byte for which the int8 GEMM could add two
K steps' vpmaddubsw sums in int16 before widening them (bench/RESULTS.md, "The next lever").

Usage: python3 bench/two-step-limits.py ../shared/fixtures/mobilenetv2-224/mnv2_224_float.safetensors
Standard library only (CI never runs it). Weights are quantized per output channel, symmetric, scale max|w| / 127.5, as
PyTorch's per-channel symmetric observer does; K runs in the GEMM's packed order, steps of 4 bytes, pairs (0,1), (2,3).
A lane of two steps holds pair p of step 2t and pair p of step 2t + 1: four products, which must fit int16.
"""
import array
import json
import struct
import sys


def tensors(path):
    with open(path, "rb") as f:
        header_length = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(header_length))
        data = f.read()
    for name, entry in header.items():
        if name == "__metadata__" or entry["dtype"] != "F32":
            continue
        start, end = entry["data_offsets"]
        values = array.array("f")
        values.frombytes(data[start:end])
        yield name, entry["shape"], values


def byte_limit(weights):
    """The largest byte x with x * (sum of positive weights) <= 32767 and x * (sum of negative magnitudes) <= 32768."""
    positive = sum(w for w in weights if w > 0)
    negative = sum(-w for w in weights if w < 0)
    limit = 255
    if positive:
        limit = min(limit, 32767 // positive)
    if negative:
        limit = min(limit, 32768 // negative)
    return limit


def main(path, activation_max=127):
    print(f"{path}: pair limit (today's kernel), two-step limit, and groups below {activation_max}")
    for name, shape, values in tensors(path):
        if not name.endswith("weight") or len(shape) != 4 or shape[2:] != [1, 1]:
            continue
        outputs, depth = shape[0], shape[1]
        pair_limit = two_step_limit = 255
        groups = below = 0
        for o in range(outputs):
            row = values[o * depth:(o + 1) * depth]
            scale = (max(abs(w) for w in row) or 1.0) / 127.5
            q = [max(-128, min(127, round(w / scale))) for w in row]
            q += [0] * (-len(q) % 8)
            for k in range(0, len(q), 2):
                pair_limit = min(pair_limit, byte_limit(q[k:k + 2]))
            for k in range(0, len(q), 8):
                for p in (0, 2):
                    limit = byte_limit([q[k + p], q[k + p + 1], q[k + 4 + p], q[k + 4 + p + 1]])
                    two_step_limit = min(two_step_limit, limit)
                    groups += 1
                    below += limit < activation_max
        print(f"  {name:32s} {outputs:5d} x {depth:4d}  pair {pair_limit:3d}  two-step {two_step_limit:3d}"
              f"  {below}/{groups} groups ({100 * below / groups:.1f}%)")


if __name__ == "__main__":
    main(sys.argv[1])
