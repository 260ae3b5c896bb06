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
import torch
from torch import nn

from dynamic_fixture import images, labels, write

torch.backends.quantized.engine = "qnnpack"
torch.manual_seed(18)


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


train_x, train_y = images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz")
test_x, test_y = images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz")

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


write("seq_dynamic", model, dynamic, test_x, test_y, float_probes=True)
