# Made with PyTorch 1.13 (Debian python3-torch), run as `/usr/bin/python3 row_conv_net.py` (about a minute); writes
# row_conv_net.safetensors and row_conv_net.json beside it.
#
# The zoo's 1-D network: each MNIST image read as 28 row signals (channels) of 28 pixels (length), [N, 28, 28].
# Conv1d+BatchNorm1d+ReLU → MaxPool1d → depthwise Conv1d+BatchNorm1d+ReLU → pointwise Conv1d+BatchNorm1d+ReLU →
# AdaptiveAvgPool1d(1) → Flatten → Linear. Trained 400 steps of Adam (batch 64, lr 2e-3, seed 14) on the training
# set, normalised as (x/255 - 0.1307) / 0.3081 in float32.
# Then for default_qconfig (MinMax, [0, 127], per-tensor weights) and get_default_qconfig('onednn') (Histogram,
# per-channel weights), engine qnnpack: fuse (conv+bn+relu ×3), prepare, calibrate on the first 1024 training images
# in batches of 64, convert. The json holds the float and int8 logits of the first 64 test images (the probes), the
# int8 top-1 over the 10,000 test images, and each quantized layer's output qparams.
import json
import os
import numpy as np
import torch
import torch.nn as nn
from torch.ao.quantization import QuantStub, DeQuantStub, default_qconfig, get_default_qconfig, prepare, convert, fuse_modules
from fixture_io import idx, save_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
torch.backends.quantized.engine = "qnnpack"
torch.manual_seed(14)


def images(raw):
    x = torch.from_numpy(raw.copy()).float() / 255
    return (x - 0.1307) / 0.3081


class RowConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.conv1 = nn.Conv1d(28, 32, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm1d(32)
        self.relu1 = nn.ReLU()
        self.pool = nn.MaxPool1d(2)
        self.conv2 = nn.Conv1d(32, 32, 5, padding=2, groups=32, bias=False)
        self.bn2 = nn.BatchNorm1d(32)
        self.relu2 = nn.ReLU()
        self.conv3 = nn.Conv1d(32, 64, 1, bias=False)
        self.bn3 = nn.BatchNorm1d(64)
        self.relu3 = nn.ReLU()
        self.gap = nn.AdaptiveAvgPool1d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(64, 10)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.pool(self.relu1(self.bn1(self.conv1(x))))
        x = self.relu2(self.bn2(self.conv2(x)))
        x = self.relu3(self.bn3(self.conv3(x)))
        x = self.flatten(self.gap(x))
        return self.dequant(self.fc(x))


FUSIONS = [["conv1", "bn1", "relu1"], ["conv2", "bn2", "relu2"], ["conv3", "bn3", "relu3"]]

train_x, train_y = images(idx("train-images-idx3-ubyte.gz")), torch.from_numpy(idx("train-labels-idx1-ubyte.gz").astype(np.int64))
test_x, test_y = images(idx("t10k-images-idx3-ubyte.gz")), torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))

model = RowConvNet()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
order = torch.randperm(len(train_x))
model.train()
for step in range(400):
    batch = order[step * 64:(step + 1) * 64]
    loss = nn.functional.cross_entropy(model(train_x[batch]), train_y[batch])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
model.eval()

state = model.state_dict()
save_safetensors(state, os.path.join(HERE, "row_conv_net.safetensors"), "row_conv_net.py")

probes = test_x[:64]
with torch.no_grad():
    float_logits = model(probes)
    float_top1 = (model(test_x).argmax(1) == test_y).float().mean().item()

configs = {}
for name, qconfig in {"minmax_per_tensor": default_qconfig, "histogram_per_channel": get_default_qconfig("onednn")}.items():
    q = RowConvNet()
    q.load_state_dict(state)
    q.eval()
    fuse_modules(q, FUSIONS, inplace=True)
    q.qconfig = qconfig
    prepare(q, inplace=True)
    with torch.no_grad():
        for start in range(0, 1024, 64):
            q(train_x[start:start + 64])
    convert(q, inplace=True)
    with torch.no_grad():
        int8_logits = q(probes)
        predictions = torch.cat([q(test_x[s:s + 500]).argmax(1) for s in range(0, len(test_x), 500)])
    layers = {path: {"scale": m.scale, "zero_point": m.zero_point} for path, m in q.named_modules() if hasattr(m, "scale") and hasattr(m, "zero_point")}
    configs[name] = {"int8_logits": int8_logits.tolist(), "int8_top1": (predictions == test_y).float().mean().item() * 100,
                     "layers": {k: {"scale": float(v["scale"]), "zero_point": int(v["zero_point"])} for k, v in layers.items()}}

with open(os.path.join(HERE, "row_conv_net.json"), "w") as f:
    json.dump({"torch": torch.__version__, "engine": torch.backends.quantized.engine, "probes": "the first 64 test images",
               "calibration": "the first 1024 training images, batches of 64", "float_logits": float_logits.tolist(),
               "float_top1": float_top1 * 100, "configs": configs}, f)
print(json.dumps({"float_top1": float_top1 * 100, **{k: v["int8_top1"] for k, v in configs.items()}}))
