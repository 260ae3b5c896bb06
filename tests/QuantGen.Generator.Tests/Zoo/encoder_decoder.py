# Made with PyTorch 1.13 (Debian python3-torch), run as `/usr/bin/python3 encoder_decoder.py` in this folder; it writes
# encoder_decoder.safetensors and encoder_decoder.json (a few minutes on two cores).
#
# A small encoder-decoder (U-Net-like) for MNIST, as a PyTorch user writes one: a convolutional encoder with
# MaxPool2d, a decoder with a ConvTranspose2d (BatchNorm fused into it) joined to the encoder by a skip connection
# (FloatFunctional.cat), a bilinear Upsample followed by a BatchNorm2d that has no convolution to fold into (fused with
# its ReLU: BNReLU2d), and a classification head (a strided convolution, AdaptiveAvgPool2d, Linear) so that top-1 is
# defined. Trained 500 steps of Adam (batch 64, seed 14), then quantized in eager mode, engine qnnpack, with two
# qconfigs: default_qconfig (MinMax per-tensor) and get_default_qconfig('onednn') (Histogram, per-channel weights; the
# ConvTranspose2d gets default_weight_observer, since PyTorch 1.13 quantizes a transposed convolution's weights per
# tensor only). Fusion as listed in FUSE; calibration on the first 512 training images in batches of 64. The JSON holds
# the 64 probe images (the first 64 test images, as raw bytes; normalised as (x/255 − 0.1307)/0.3081 in float32),
# PyTorch's float and int8 logits for them, every observer's qparams, and the int8 top-1 on the 10,000 test images.
# encoder_decoder_histograms.safetensors holds the histogram configuration's calibrated observers (histogram, min_val,
# max_val by their state-dict names), so that a test can quantize with PyTorch's own calibration state.
import base64
import gzip
import json
import struct
import numpy as np
import torch
import torch.nn as nn
from torch.ao.nn.quantized import FloatFunctional
from torch.ao.quantization import QuantStub, DeQuantStub, QConfig, default_weight_observer

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


class EncoderDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.enc1 = nn.Conv2d(1, 8, 3, padding=1, bias=False)
        self.enc1_bn = nn.BatchNorm2d(8)
        self.enc1_act = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.enc2 = nn.Conv2d(8, 16, 3, padding=1, bias=False)
        self.enc2_bn = nn.BatchNorm2d(16)
        self.enc2_act = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.mid = nn.Conv2d(16, 32, 3, padding=1)
        self.mid_act = nn.ReLU()
        self.up1 = nn.ConvTranspose2d(32, 16, 2, stride=2, bias=False)
        self.up1_bn = nn.BatchNorm2d(16)
        self.up1_act = nn.ReLU()
        self.skip = FloatFunctional()
        self.dec1 = nn.Conv2d(32, 16, 3, padding=1)
        self.dec1_act = nn.ReLU()
        self.up2 = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.up2_bn = nn.BatchNorm2d(16)
        self.up2_act = nn.ReLU()
        self.head = nn.Conv2d(16, 8, 3, stride=2, padding=1)
        self.head_act = nn.ReLU()
        self.avg = nn.AdaptiveAvgPool2d(4)
        self.fc = nn.Linear(8 * 4 * 4, 10)
        self.dequant = DeQuantStub()

    def forward(self, x):
        e1 = self.enc1_act(self.enc1_bn(self.enc1(self.quant(x))))                        # [8, 28, 28]
        e2 = self.enc2_act(self.enc2_bn(self.enc2(self.pool1(e1))))                       # [16, 14, 14]
        m = self.mid_act(self.mid(self.pool2(e2)))                                        # [32, 7, 7]
        d = self.up1_act(self.up1_bn(self.up1(m)))                                        # [16, 14, 14]
        d = self.dec1_act(self.dec1(self.skip.cat([d, e2], dim=1)))                       # [32, 14, 14] → [16, 14, 14]
        d = self.up2_act(self.up2_bn(self.up2(d)))                                        # [16, 28, 28]
        x = self.avg(self.head_act(self.head(d)))                                         # [8, 14, 14] → [8, 4, 4]
        return self.dequant(self.fc(torch.flatten(x, 1)))


FUSE = [["enc1", "enc1_bn", "enc1_act"], ["enc2", "enc2_bn", "enc2_act"], ["mid", "mid_act"], ["up1", "up1_bn"],
        ["dec1", "dec1_act"], ["up2_bn", "up2_act"], ["head", "head_act"]]


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

model = EncoderDecoder()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
order = torch.randperm(len(train_images))
model.train()
for step in range(500):
    batch = order[step * 64:(step + 1) * 64].numpy()
    loss = nn.functional.cross_entropy(model(normalise(train_images[batch])), torch.from_numpy(train_labels[batch].astype(np.int64)))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
model.eval()
save_safetensors("encoder_decoder.safetensors", model.state_dict())

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
    q = EncoderDecoder()
    q.load_state_dict(model.state_dict())
    q.eval()
    torch.ao.quantization.fuse_modules(q, FUSE, inplace=True)
    q.qconfig = qconfig
    q.up1.qconfig = QConfig(activation=qconfig.activation, weight=default_weight_observer)
    torch.ao.quantization.prepare(q, inplace=True)
    with torch.no_grad():
        for start in range(0, 512, 64):
            q(calibration[start:start + 64])
    if name == "histogram_per_channel":
        save_safetensors("encoder_decoder_histograms.safetensors",
                         {k: v for k, v in q.state_dict().items() if ".activation_post_process." in k and k.split(".")[-1] in ("histogram", "min_val", "max_val")})
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
}, open("encoder_decoder.json", "w"))
print("float top-1", float_top1, {k: v["int8_top1"] for k, v in configs.items()})
