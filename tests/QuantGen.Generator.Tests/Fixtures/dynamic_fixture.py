# What the dynamic-quantization fixture scripts here share (mlp_dynamic.py, seq_dynamic.py): MNIST as torchvision's
# ToTensor + Normalize((0.1307,), (0.3081,)) gives it, and the two files each writes beside itself:
# - NAME.safetensors: the float state_dict, float32;
# - NAME.json: the dynamic model's logits for the first 64 MNIST test images, each run alone (a batch of one, so each
#   image is quantized from its own range, as QuantGen's generated dynamic pass does), as float32 hex (with the float
#   model's too when asked); the dynamic and float models' top-1 on the whole test set, each image alone.
import gzip
import json
import os
import struct

import numpy as np
import torch

MNIST = "/work/shared/data/mnist"
HERE = os.path.dirname(os.path.abspath(__file__))
PROBES = 64


def idx(name):
    with gzip.open(os.path.join(MNIST, name), "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def images(name):
    """[N, 28, 28]: (pixel / 255 - mean) / std in float32."""
    x = torch.from_numpy(idx(name).copy()).float().div(255.0)
    return (x - 0.1307) / 0.3081


def labels(name):
    return torch.from_numpy(idx(name).astype(np.int64))


def one_at_a_time(m, x):
    with torch.no_grad():
        return torch.cat([m(x[i:i + 1]) for i in range(len(x))])


def top1(m, x, y):
    return (one_at_a_time(m, x).argmax(1) == y).float().mean().item() * 100


def safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        blob = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def write(name, model, dynamic, test_x, test_y, float_probes=False):
    safetensors(os.path.join(HERE, name + ".safetensors"), model.state_dict())
    truth = {
        "torch": torch.__version__,
        "engine": torch.backends.quantized.engine,
        "probes": PROBES,
        "probe_logits": one_at_a_time(dynamic, test_x[:PROBES]).numpy().astype("<f4").tobytes().hex(),
    }
    if float_probes:
        truth["float_probe_logits"] = one_at_a_time(model, test_x[:PROBES]).numpy().astype("<f4").tobytes().hex()
    truth["dynamic_top1_percent"] = top1(dynamic, test_x, test_y)
    truth["float_top1_percent"] = top1(model, test_x, test_y)
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(truth, f, indent=1)
        f.write("\n")
