# Recalibrates a zoo network's committed weights with PyTorch 1.13's HistogramObserver (get_default_qconfig("onednn"),
# engine qnnpack, the fixture's images and batches) under whatever backend/ISA settings the environment selects, and
# prints every activation observer's (scale, zero_point) as one JSON line. Used by histogram_backends.py; run as
# `/usr/bin/python3 recalibrate.py mnv3_small|encoder_decoder|row_conv_net`. Environment: NO_MKLDNN=1 turns oneDNN off
# (torch.backends.mkldnn.enabled = False), INPUT_SCALE multiplies the images, DUMP=file.npz saves every observer's
# inputs batch by batch, INT8=1 also converts and compares the int8 logits and top-1 with the fixture's.
import json, os, struct, sys
import numpy as np, torch
REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../.."))
NETS = {
    "mnv3_small": ("tests/QuantGen.Generator.Tests/Zoo/mnv3_small.py", "train_images, train_labels =", "Mnv3Small", 512),
    "encoder_decoder": ("tests/QuantGen.Generator.Tests/Zoo/encoder_decoder.py", "train_images, train_labels =", "EncoderDecoder", 512),
    "row_conv_net": ("tests/QuantGen.Tests/Fixtures/row_conv_net.py", "train_x, train_y =", "RowConvNet", 1024),
}
net = sys.argv[1]
script, marker, cls, count = NETS[net]
src = open(os.path.join(REPO, script)).read()
g = {"__file__": os.path.join(REPO, script), "__name__": "fixture"}
cwd = os.getcwd(); os.chdir(os.path.dirname(os.path.join(REPO, script)))
exec(compile(src[:src.index(marker)], script, "exec"), g)
os.chdir(cwd)
if os.environ.get("NO_MKLDNN"): torch.backends.mkldnn.enabled = False

def load_safetensors(path):
    data = open(path, "rb").read(); n, = struct.unpack("<Q", data[:8]); header = json.loads(data[8:8 + n]); out = {}
    for k, v in header.items():
        if k == "__metadata__": continue
        a, b = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(data[8 + n + a:8 + n + b], dtype={"F32": np.float32, "I64": np.int64}[v["dtype"]]).reshape(v["shape"]).copy())
    return out

stem = os.path.join(REPO, script)[:-3]
state = load_safetensors(stem + ".safetensors")
fuse = g.get("FUSE") or g.get("FUSIONS")
import gzip
def idx(name):
    with gzip.open("/work/shared/data/mnist/" + name) as f: data = f.read()
    dims = struct.unpack(">" + "I" * data[3], data[4:4 + 4 * data[3]])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * data[3]).reshape(dims)
x = (torch.from_numpy(idx("train-images-idx3-ubyte.gz")[:count].copy()).float() / 255 - 0.1307) / 0.3081
if net != "row_conv_net": x = x.unsqueeze(1)
scale_in = float(os.environ.get("INPUT_SCALE", "1"))
if scale_in != 1: x = x * scale_in

from torch.ao.quantization import QConfig, default_weight_observer
qconfig = torch.ao.quantization.get_default_qconfig("onednn")
q = g[cls](); q.load_state_dict(state); q.eval()
torch.ao.quantization.fuse_modules(q, fuse, inplace=True)
q.qconfig = qconfig
if net == "encoder_decoder": q.up1.qconfig = QConfig(activation=qconfig.activation, weight=default_weight_observer)
torch.ao.quantization.prepare(q, inplace=True)
dump = os.environ.get("DUMP")
if dump:
    # Record every observer's float inputs, batch by batch.
    seen = {}
    for path, m in q.named_modules():
        if hasattr(m, "activation_post_process") and hasattr(m.activation_post_process, "calculate_qparams"):
            def hook(mod, inp, out, path=path): seen.setdefault(path, []).append(inp[0].detach().clone())
            m.activation_post_process.register_forward_hook(hook)
with torch.no_grad():
    for s in range(0, count, 64): q(x[s:s + 64])
obs = {}
for path, m in q.named_modules():
    if hasattr(m, "activation_post_process") and hasattr(m.activation_post_process, "calculate_qparams"):
        s, z = m.activation_post_process.calculate_qparams()
        obs[path] = [float(s), int(z)]
if dump:
    np.savez(dump, **{p.replace(".", "__") or "root": torch.stack(v).numpy() for p, v in seen.items()})
print(json.dumps(obs))
if os.environ.get("INT8"):
    # Convert and compare the int8 logits on the 64 probes and the MNIST top-1 with the fixture's.
    torch.ao.quantization.convert(q, inplace=True)
    t = (torch.from_numpy(idx("t10k-images-idx3-ubyte.gz").copy()).float() / 255 - 0.1307) / 0.3081
    if net != "row_conv_net": t = t.unsqueeze(1)
    labels = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
    with torch.no_grad():
        logits = q(t[:64])
        top1 = (torch.cat([q(t[s:s + 500]).argmax(1) for s in range(0, 10000, 500)]) == labels).float().mean().item() * 100
    truth = json.load(open(stem + ".json"))["configs"]["histogram_per_channel"]
    ref = torch.tensor(truth["int8_logits"])
    step = q.fc.scale
    steps = ((logits - ref).abs() / step).round()
    print(json.dumps({"int8_top1": top1, "fixture_top1": truth["int8_top1"], "max_steps_from_fixture": steps.max().item(),
                      "logits_over_one_step": int((steps > 1).sum()), "argmax_differs": int((logits.argmax(1) != ref.argmax(1)).sum())}))
