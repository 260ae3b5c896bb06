# Made with PyTorch 1.13 (Debian python3-torch), run here as `/usr/bin/python3 seq_dynamic.py` (writes
# seq_dynamic.safetensors and seq_dynamic.json beside this file).
#
# A sequence model over the 28 rows of an MNIST image as 28 tokens of 28 pixels: a Linear 28→128 over [N, 28, 28], GELU,
# LayerNorm over the last dimension, the mean over the tokens, Linear 128→64, GELU, Linear 64→10. Trained three epochs,
# then torch.ao.quantization.quantize_dynamic(model, {nn.Linear}) on the qnnpack engine: int8 per-tensor symmetric
# weights, each call's input to a Linear quantized from its own min and max (the token Linear: all 28 tokens of the
# call together). Written out:
# - seq_dynamic.safetensors: the float state_dict, float32;
# - seq_dynamic.json: the dynamic model's logits for the first 64 MNIST test images, each run alone (a batch of one,
#   as QuantGen's generated dynamic pass quantizes each sample from its own range), and the float model's, as float32
#   hex; the dynamic and float models' top-1 on the whole test set, each image alone.
# Images as torchvision's ToTensor + Normalize((0.1307,), (0.3081,)): (pixel / 255 - mean) / std in float32, [N, 28, 28].
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
    x = torch.from_numpy(idx(name).copy()).float().div(255.0)
    return (x - 0.1307) / 0.3081


class SeqModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(28, 128)
        self.gelu1 = nn.GELU()
        self.norm = nn.LayerNorm(128)
        self.fc = nn.Linear(128, 64)
        self.gelu2 = nn.GELU()
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        x = self.norm(self.gelu1(self.embed(x)))
        x = torch.mean(x, dim=1)
        return self.head(self.gelu2(self.fc(x)))


train_x, train_y = images("train-images-idx3-ubyte.gz"), torch.from_numpy(idx("train-labels-idx1-ubyte.gz").astype(np.int64))
test_x, test_y = images("t10k-images-idx3-ubyte.gz"), torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))

model = SeqModel()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(3):
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


def hex_of(t):
    return t.numpy().astype("<f4").tobytes().hex()


safetensors(os.path.join(HERE, "seq_dynamic.safetensors"), model.state_dict())
with open(os.path.join(HERE, "seq_dynamic.json"), "w") as f:
    json.dump({
        "torch": torch.__version__,
        "engine": torch.backends.quantized.engine,
        "probes": 64,
        "probe_logits": hex_of(one_at_a_time(dynamic, test_x[:64])),
        "float_probe_logits": hex_of(one_at_a_time(model, test_x[:64])),
        "dynamic_top1_percent": top1(dynamic),
        "float_top1_percent": top1(model),
    }, f, indent=1)
    f.write("\n")
