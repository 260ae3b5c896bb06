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
import torch
from torch import nn

from dynamic_fixture import images, labels, write

torch.backends.quantized.engine = "qnnpack"
torch.manual_seed(18)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(784, 64)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(self.flatten(x))))


train_x, train_y = images("train-images-idx3-ubyte.gz").unsqueeze(1), labels("train-labels-idx1-ubyte.gz")
test_x, test_y = images("t10k-images-idx3-ubyte.gz").unsqueeze(1), labels("t10k-labels-idx1-ubyte.gz")

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


write("mlp_dynamic", model, dynamic, test_x, test_y)
