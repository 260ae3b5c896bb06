# Made with PyTorch 1.13 (Debian python3-torch), run as `/usr/bin/python3 mnv3_small.py` in this folder; it writes
# mnv3_small.safetensors and mnv3_small.json (a minute or two on two cores).
#
# A small MobileNetV3-style network for MNIST, as a PyTorch user writes one: a Hardswish stem, an inverted residual
# block with squeeze-excite (Hardsigmoid gate, FloatFunctional.mul) and a residual FloatFunctional.add, MaxPool2d, two
# branches (LeakyReLU, ReLU) joined by FloatFunctional.cat, a Hardswish head. Trained 600 steps of Adam (batch 64,
# seed 14), then quantized in eager mode, engine qnnpack, with two qconfigs: default_qconfig (MinMax per-tensor) and
# get_default_qconfig('onednn') (Histogram, per-channel weights). Fusion as listed in FUSE; calibration on the first
# 512 training images in batches of 64. The JSON holds the 64 probe images (the first 64 test images, as raw bytes;
# normalised as (x/255 − 0.1307)/0.3081 in float32), PyTorch's float and int8 logits for them, every observer's
# qparams, and the int8 top-1 on the 10,000 test images.
import base64
import gzip
import json
import struct
import numpy as np
import torch
import torch.nn as nn
from torch.ao.nn.quantized import FloatFunctional
from torch.ao.quantization import QuantStub, DeQuantStub

torch.backends.quantized.engine = "qnnpack"
torch.manual_seed(14)
MNIST = "../../../../shared/data/mnist/"


def idx(name):
    with gzip.open(MNIST + name) as f:
        data = f.read()
    dims = struct.unpack(">" + "I" * data[3], data[4:4 + 4 * data[3]])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * data[3]).reshape(dims)


def normalise(images):
    return (torch.from_numpy(images.copy()).float().unsqueeze(1) / 255 - 0.1307) / 0.3081


class SqueezeExcite(nn.Module):
    def __init__(self, channels, squeezed):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeezed, 1)
        self.relu = nn.ReLU()
        self.fc2 = nn.Conv2d(squeezed, channels, 1)
        self.gate = nn.Hardsigmoid()
        self.scale = FloatFunctional()

    def forward(self, x):
        return self.scale.mul(x, self.gate(self.fc2(self.relu(self.fc1(self.pool(x))))))


class Block(nn.Module):
    def __init__(self, channels, expanded):
        super().__init__()
        self.expand = nn.Conv2d(channels, expanded, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(expanded)
        self.act1 = nn.ReLU()
        self.dw = nn.Conv2d(expanded, expanded, 3, padding=1, groups=expanded, bias=False)
        self.bn2 = nn.BatchNorm2d(expanded)
        self.act2 = nn.ReLU()
        self.se = SqueezeExcite(expanded, expanded // 4)
        self.project = nn.Conv2d(expanded, channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(channels)
        self.skip = FloatFunctional()

    def forward(self, x):
        y = self.act1(self.bn1(self.expand(x)))
        y = self.se(self.act2(self.bn2(self.dw(y))))
        return self.skip.add(x, self.bn3(self.project(y)))


class Mnv3Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.stem = nn.Conv2d(1, 8, 3, stride=2, padding=1, bias=False)
        self.stem_bn = nn.BatchNorm2d(8)
        self.stem_act = nn.Hardswish()
        self.block = Block(8, 24)
        self.pool = nn.MaxPool2d(2)
        self.left = nn.Conv2d(8, 16, 3, padding=1)
        self.left_act = nn.LeakyReLU(0.1)
        self.right = nn.Conv2d(8, 16, 1)
        self.right_act = nn.ReLU()
        self.join = FloatFunctional()
        self.head = nn.Conv2d(32, 64, 1)
        self.head_act = nn.Hardswish()
        self.avg = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.stem_act(self.stem_bn(self.stem(self.quant(x))))
        x = self.pool(self.block(x))
        x = self.join.cat([self.left_act(self.left(x)), self.right_act(self.right(x))], dim=1)
        x = self.avg(self.head_act(self.head(x)))
        return self.dequant(self.fc(torch.flatten(x, 1)))


FUSE = [["stem", "stem_bn"], ["block.expand", "block.bn1", "block.act1"], ["block.dw", "block.bn2", "block.act2"],
        ["block.se.fc1", "block.se.relu"], ["block.project", "block.bn3"], ["right", "right_act"]]


def save_safetensors(path, state):
    header, offset, blobs = {}, 0, []
    for name, tensor in state.items():
        array = tensor.detach().contiguous().numpy()
        dtype = {"float32": "F32", "int64": "I64"}[str(array.dtype)]
        blob = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


train_images, train_labels = idx("train-images-idx3-ubyte.gz"), idx("train-labels-idx1-ubyte.gz")
test_images, test_labels = idx("t10k-images-idx3-ubyte.gz"), idx("t10k-labels-idx1-ubyte.gz")

model = Mnv3Small()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
order = torch.randperm(len(train_images))
model.train()
for step in range(600):
    batch = order[step * 64:(step + 1) * 64].numpy()
    loss = nn.functional.cross_entropy(model(normalise(train_images[batch])), torch.from_numpy(train_labels[batch].astype(np.int64)))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
model.eval()
save_safetensors("mnv3_small.safetensors", model.state_dict())

probes = normalise(test_images[:64])
test = normalise(test_images)
labels = torch.from_numpy(test_labels.astype(np.int64))
calibration = normalise(train_images[:512])
with torch.no_grad():
    float_logits = model(probes)
    float_top1 = (model(test).argmax(1) == labels).float().mean().item() * 100

configs = {}
for name, qconfig in [("minmax_per_tensor", torch.ao.quantization.default_qconfig),
                      ("histogram_per_channel", torch.ao.quantization.get_default_qconfig("onednn"))]:
    q = Mnv3Small()
    q.load_state_dict(model.state_dict())
    q.eval()
    torch.ao.quantization.fuse_modules(q, FUSE, inplace=True)
    q.qconfig = qconfig
    torch.ao.quantization.prepare(q, inplace=True)
    with torch.no_grad():
        for start in range(0, 512, 64):
            q(calibration[start:start + 64])
    observers = {}
    for path, module in q.named_modules():
        if hasattr(module, "activation_post_process") and hasattr(module.activation_post_process, "calculate_qparams"):
            scale, zero_point = module.activation_post_process.calculate_qparams()
            observers[path] = {"scale": float(scale), "zero_point": int(zero_point)}
    torch.ao.quantization.convert(q, inplace=True)
    with torch.no_grad():
        int8_logits = q(probes)
        top1 = (q(test).argmax(1) == labels).float().mean().item() * 100
    configs[name] = {"observers": observers, "int8_logits": int8_logits.tolist(), "int8_top1": top1}

json.dump({
    "torch": torch.__version__, "engine": torch.backends.quantized.engine,
    "fuse": FUSE, "calibration": "the first 512 training images, normalised, in batches of 64",
    "probes": base64.b64encode(test_images[:64].tobytes()).decode(),
    "float_logits": float_logits.tolist(), "float_top1": float_top1, "configs": configs,
}, open("mnv3_small.json", "w"))
print("float top-1", float_top1, {k: v["int8_top1"] for k, v in configs.items()})
