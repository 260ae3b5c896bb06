# Made with PyTorch 1.13 (Debian python3-torch), to explain the one observer where QuantGen's histogram
# qparams differ from small_cnn_truth.json: conv1's output in the histogram_per_channel config.
#
# Inputs, dumped by QuantGen (float32 little-endian): its fused conv1 weight [8,1,3,3] and bias [8], and the
# fixture's calibration data (first 1024 MNIST training images, normalised, 16 batches of 64).
# PyTorch's own HistogramObserver is fed (a) QuantGen's conv1 outputs and (b) torch's conv2d outputs of the
# same weights; the two differ by at most ~1e-6 (float summation order), yet the L2 search lands on different
# scales. Output: histogram_on_quantgen_conv1.json.
import json, sys
import numpy as np, torch
from torch.ao.quantization.observer import HistogramObserver

ours = torch.from_numpy(np.fromfile(sys.argv[1], dtype=np.float32).reshape(16, 64, 8, 28, 28))
x = torch.from_numpy(np.fromfile(sys.argv[2], dtype=np.float32).reshape(16, 64, 1, 28, 28))
w = torch.from_numpy(np.fromfile(sys.argv[3], dtype=np.float32).reshape(8, 1, 3, 3))
b = torch.from_numpy(np.fromfile(sys.argv[4], dtype=np.float32))

def observe(batches):
    o = HistogramObserver()
    for t in batches:
        o(t)
    scale, zero_point = o.calculate_qparams()
    return {"min": o.min_val.item(), "max": o.max_val.item(), "scale": scale.item(), "zero_point": zero_point.item()}

theirs = [torch.relu(torch.nn.functional.conv2d(x[i], w, b, padding=1)) for i in range(16)]
json.dump({
    "torch": torch.__version__,
    "on_quantgen_conv1_outputs": observe(ours),
    "on_torch_conv1_outputs": observe(theirs),
    "max_abs_difference_of_outputs": max((t - o).abs().max().item() for t, o in zip(theirs, ours)),
}, open(sys.argv[5], "w"), indent=1)
