# Made with PyTorch 1.13 (Debian python3-torch), run as `/usr/bin/python3 sensitive_cnn.py` (a minute or two); writes
# sensitive_cnn.safetensors and sensitive_cnn.json beside it.
#
# A plain CNN for MNIST made sensitive to static int8 the way trained networks sometimes are: one ReLU channel is dead
# (conv3's channel 5: its BatchNorm gamma 0 and beta -1, so it outputs 0 for every input), and the weights reading that
# channel in conv4 are large. Nothing trains them back down (their input is always 0, so their gradient is 0), and they do
# not change the float function at all; but they set conv4's per-tensor weight scale, leaving its real weights a couple
# int8 levels each. Per-channel weights do not help either: every output channel of conv4 reads the dead channel.
#
# Six Conv2d+BatchNorm2d+ReLU (two MaxPool2d(2)), global average pool, Linear+ReLU, Linear: with the QuantStub, nine int8
# layers. Trained 500 steps of Adam (batch 64, lr 2e-3, seed 18), the channel killed and conv4's outliers set, then 200
# steps more with a fresh Adam (whose zero-gradient updates are exactly zero, so the outliers stay), normalised as
# (x/255 - 0.1307) / 0.3081. Then, engine qnnpack, default_qconfig and get_default_qconfig('onednn'): fuse, prepare,
# calibrate on the first 256 training images in batches of 64, convert. The json holds the float and int8 top-1 over the
# 10,000 test images and the float logits of the first 16 test images.
import json
import os
import numpy as np
import torch
import torch.nn as nn
from torch.ao.quantization import QuantStub, DeQuantStub, default_qconfig, get_default_qconfig, prepare, convert, fuse_modules
from fixture_io import idx, save_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
torch.backends.quantized.engine = "qnnpack"
torch.manual_seed(18)
DEAD_CHANNEL = 5
OUTLIER = 16.0  # conv4's weights from the dead channel: uniform in ±OUTLIER, tens of times its largest trained weight


def images(raw):
    x = torch.from_numpy(raw.copy()).float().unsqueeze(1) / 255
    return (x - 0.1307) / 0.3081


def block(cin, cout, k=3):
    return nn.Sequential(nn.Conv2d(cin, cout, k, padding=k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class SensitiveCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.conv1 = block(1, 16)
        self.conv2 = block(16, 16)
        self.pool1 = nn.MaxPool2d(2)
        self.conv3 = block(16, 32)
        self.conv4 = block(32, 32)
        self.pool2 = nn.MaxPool2d(2)
        self.conv5 = block(32, 64)
        self.conv6 = block(64, 64, k=1)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(64, 64)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(64, 10)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.pool1(self.conv2(self.conv1(x)))
        x = self.pool2(self.conv4(self.conv3(x)))
        x = self.conv6(self.conv5(x))
        x = self.flatten(self.gap(x))
        return self.dequant(self.fc2(self.relu(self.fc1(x))))


FUSIONS = [[f"conv{i}.0", f"conv{i}.1", f"conv{i}.2"] for i in range(1, 7)] + [["fc1", "relu"]]

train_x, train_y = images(idx("train-images-idx3-ubyte.gz")), torch.from_numpy(idx("train-labels-idx1-ubyte.gz").astype(np.int64))
test_x, test_y = images(idx("t10k-images-idx3-ubyte.gz")), torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
order = torch.randperm(len(train_x))


def train(model, steps, first):
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    for step in range(first, first + steps):
        batch = order[step * 64:(step + 1) * 64]
        loss = nn.functional.cross_entropy(model(train_x[batch]), train_y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()


def top1(model):
    with torch.no_grad():
        return (torch.cat([model(test_x[s:s + 500]).argmax(1) for s in range(0, len(test_x), 500)]) == test_y).float().mean().item() * 100


model = SensitiveCnn()
train(model, 500, 0)
with torch.no_grad():
    model.conv3[1].weight[DEAD_CHANNEL] = 0.0
    model.conv3[1].bias[DEAD_CHANNEL] = -1.0
    generator = torch.Generator().manual_seed(18)
    model.conv4[0].weight[:, DEAD_CHANNEL] = (torch.rand(model.conv4[0].weight[:, DEAD_CHANNEL].shape, generator=generator) * 2 - 1) * OUTLIER
train(model, 200, 500)

state = model.state_dict()
assert torch.all(state["conv3.1.weight"][DEAD_CHANNEL] == 0) and torch.all(state["conv3.1.bias"][DEAD_CHANNEL] == -1)
save_safetensors(state, os.path.join(HERE, "sensitive_cnn.safetensors"), "sensitive_cnn.py")
with torch.no_grad():
    float_logits = model(test_x[:16])
float_top1 = top1(model)
others = state["conv4.0.weight"].clone()
others[:, DEAD_CHANNEL] = 0

int8_top1 = {}
for name, qconfig in {"minmax_per_tensor": default_qconfig, "histogram_per_channel": get_default_qconfig("onednn")}.items():
    q = SensitiveCnn()
    q.load_state_dict(state)
    q.eval()
    fuse_modules(q, FUSIONS, inplace=True)
    q.qconfig = qconfig
    prepare(q, inplace=True)
    with torch.no_grad():
        for start in range(0, 256, 64):
            q(train_x[start:start + 64])
    convert(q, inplace=True)
    int8_top1[name] = top1(q)

with open(os.path.join(HERE, "sensitive_cnn.json"), "w") as f:
    json.dump({"torch": torch.__version__, "engine": torch.backends.quantized.engine, "dead_channel": DEAD_CHANNEL,
               "conv4_largest_trained_weight": others.abs().max().item(),
               "conv4_largest_outlier_weight": state["conv4.0.weight"][:, DEAD_CHANNEL].abs().max().item(),
               "calibration": "the first 256 training images, batches of 64", "float_top1": float_top1, "int8_top1": int8_top1,
               "float_logits": float_logits.tolist()}, f)
print(json.dumps({"float_top1": float_top1, **int8_top1}))
