# What the fixture scripts here share: MNIST's idx files and writing a state dict as safetensors (no safetensors
# package on the Debian machine that makes them). Imported by row_conv_net.py and sensitive_cnn.py.
import gzip
import json
import os
import struct
import numpy as np

MNIST = "/work/shared/data/mnist"


def idx(name):
    with gzip.open(os.path.join(MNIST, name)) as f:
        magic, = struct.unpack(">i", f.read(4))
        dims = struct.unpack(">" + "i" * (magic & 0xFF), f.read(4 * (magic & 0xFF)))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def save_safetensors(tensors, path, source):
    """The safetensors format: an 8-byte header length, a JSON header of dtypes, shapes and offsets, the raw bytes."""
    header, blobs, offset = {}, [], 0
    for key, tensor in tensors.items():
        array = tensor.detach().contiguous().numpy()
        data = array.tobytes()
        header[key] = {"dtype": {np.float32: "F32", np.int64: "I64"}[array.dtype.type], "shape": list(array.shape),
                       "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt", "source": source}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)
