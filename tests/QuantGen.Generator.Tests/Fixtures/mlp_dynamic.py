# Made with PyTorch 1.13 (Debian python3-torch), run here as `/usr/bin/python3 mlp_dynamic.py` (writes
# mlp_dynamic.safetensors and mlp_dynamic.json beside this file).
#
# An MLP on flattened MNIST (Flatten, Linear 784→64, ReLU, Linear 64→10), trained one epoch, then
# torch.ao.quantization.quantize_dynamic(model, {nn.Linear}) on the qnnpack engine: int8 per-tensor symmetric weights,
# each call's input quantized from its own min and max. Written out:
# - mlp_dynamic.safetensors: the float state_dict (fc1.weight, fc1.bias, fc2.weight, fc2.bias), float32;
# - mlp_dynamic.json: the dynamic model's logits for the first 64 MNIST test images, each run alone (a batch of one,
#   so each image is quantized from its own range, as QuantGen's generated dynamic pass does), as float32 hex; the
#   dynamic and float models' top-1 on the whole test set, each image alone.
# Images as torchvision's ToTensor + Normalize((0.1307,), (0.3081,)): (pixel / 255 - mean) / std in float32.
import gzip
import json
import os
import struct

import numpy as np
import torch
from torch import nn

torch.backends.quantized.engine = "qnnpack"
torch.manual_seed(18)
MNIST = "/work/shared/data/mnist"
HERE = os.path.dirname(os.path.abspath(__file__))


def idx(name):
    with gzip.open(os.path.join(MNIST, name), "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def images(name):
    x = torch.from_numpy(idx(name).copy()).float().div(255.0).unsqueeze(1)
    return (x - 0.1307) / 0.3081


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(784, 64)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(self.flatten(x))))


train_x, train_y = images("train-images-idx3-ubyte.gz"), torch.from_numpy(idx("train-labels-idx1-ubyte.gz").astype(np.int64))
test_x, test_y = images("t10k-images-idx3-ubyte.gz"), torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))

model = Mlp()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
order = torch.randperm(len(train_x))
for start in range(0, len(train_x), 128):
    batch = order[start:start + 128]
    optimizer.zero_grad()
    nn.functional.cross_entropy(model(train_x[batch]), train_y[batch]).backward()
    optimizer.step()
model.eval()

dynamic = torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)


def one_at_a_time(m, x):
    with torch.no_grad():
        return torch.cat([m(x[i:i + 1]) for i in range(len(x))])


def top1(m):
    return (one_at_a_time(m, test_x).argmax(1) == test_y).float().mean().item() * 100


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


safetensors(os.path.join(HERE, "mlp_dynamic.safetensors"), model.state_dict())
probes = one_at_a_time(dynamic, test_x[:64])
with open(os.path.join(HERE, "mlp_dynamic.json"), "w") as f:
    json.dump({
        "torch": torch.__version__,
        "engine": torch.backends.quantized.engine,
        "probes": 64,
        "probe_logits": probes.numpy().astype("<f4").tobytes().hex(),
        "dynamic_top1_percent": top1(dynamic),
        "float_top1_percent": top1(model),
    }, f, indent=1)
    f.write("\n")
