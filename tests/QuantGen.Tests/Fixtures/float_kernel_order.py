# Made with PyTorch 1.13 (Debian python3-torch) on the AVX-512 machine that made the zoo fixtures, run as
# `/usr/bin/python3 float_kernel_order.py` in this folder; writes float_kernel_order.safetensors (about 170 KB).
#
# Inputs and outputs of PyTorch's float kernels whose summation order calibration depends on, at a small batch (2
# images, enough for PyTorch to pick oneDNN): Conv2d through oneDNN's direct kernel with one block of input channels
# (1 channel, stride 2), two (20 channels: 16 + 4) and three (40), its 1×1 kernel strided and over 300 channels (which
# it reduces in blocks of 256; 16 images, so that PyTorch picks oneDNN) and its depthwise kernel, Linear through
# BLAS sgemm, AdaptiveAvgPool2d to 1 (torch.mean) and to 2, bilinear Upsample ×2 and eval BatchNorm2d (ATen's AVX2
# kernels). FloatKernelOrderTests checks that QuantGen's float kernels give these outputs bit for bit.
import json
import struct
import torch
import torch.nn.functional as F

torch.manual_seed(14)
tensors = {}


def case(name, **values):
    for key, value in values.items():
        tensors[f"{name}.{key}"] = value.detach().contiguous()


with torch.no_grad():
    x = torch.randn(2, 1, 12, 12)
    w, b = torch.randn(8, 1, 3, 3), torch.randn(8)
    case("stem", x=x, weight=w, bias=b, y=F.conv2d(x, w, b, stride=2, padding=1))
    x = torch.randn(2, 20, 5, 5)
    w, b = torch.randn(12, 20, 3, 3) * 0.3, torch.randn(12)
    case("two_blocks", x=x, weight=w, bias=b, y=F.conv2d(x, w, b, padding=1))
    x = torch.randn(2, 40, 4, 4)
    w, b = torch.randn(6, 40, 3, 3) * 0.2, torch.randn(6)
    case("three_blocks", x=x, weight=w, bias=b, y=F.conv2d(x, w, b, padding=1))
    x = torch.randn(16, 300, 2, 2)
    w, b = torch.randn(8, 300, 1, 1) * 0.1, torch.randn(8)
    case("pointwise_wide", x=x, weight=w, bias=b, y=F.conv2d(x, w, b))
    x = torch.randn(2, 24, 6, 6)
    w, b = torch.randn(8, 24, 1, 1) * 0.3, torch.randn(8)
    case("pointwise_strided", x=x, weight=w, bias=b, y=F.conv2d(x, w, b, stride=2))
    w, b = torch.randn(24, 1, 3, 3), torch.randn(24)
    case("depthwise", x=x, weight=w, bias=b, y=F.conv2d(x, w, b, padding=1, groups=24))
    x = torch.randn(2, 72)
    w, b = torch.randn(10, 72) * 0.2, torch.randn(10)
    case("linear", x=x, weight=w, bias=b, y=F.linear(x, w, b))
    x = torch.randn(2, 12, 7, 7) * 3
    case("adaptive_avg", x=x, y1=F.adaptive_avg_pool2d(x, 1), y2=F.adaptive_avg_pool2d(x, 2))
    x = torch.randn(2, 4, 7, 7)
    case("upsample", x=x, y=F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False))
    bn = torch.nn.BatchNorm2d(4).eval()
    bn.running_mean.copy_(torch.randn(4)); bn.running_var.copy_(torch.rand(4) + 0.5)
    bn.weight.copy_(torch.randn(4)); bn.bias.copy_(torch.randn(4))
    case("batch_norm", x=x, mean=bn.running_mean, var=bn.running_var, weight=bn.weight, bias=bn.bias, y=bn(x))

header, offset, blobs = {}, 0, []
for name, tensor in tensors.items():
    blob = tensor.numpy().astype("<f4").tobytes()
    header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(blob)]}
    offset += len(blob)
    blobs.append(blob)
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-len(text) % 8)
with open("float_kernel_order.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
