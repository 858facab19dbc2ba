"""Reads a safetensors file with NumPy only and compares every tensor with the values Java wrote to a JSON file.

Usage: python3 check_safetensors.py FILE.safetensors EXPECTED.json
EXPECTED.json: {"metadata": {...}, "tensors": {name: {"dtype": "F32", "shape": [...], "values": [flat, row-major]}}}
Prints "ok N tensors" and exits 0 when every dtype, shape and value matches exactly; exits 1 naming the first mismatch.
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F64": "<f8", "F32": "<f4", "I64": "<i8", "I32": "<i4"}


def main(path, expected_path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    with open(expected_path) as f:
        expected = json.load(f)
    if header.get("__metadata__", {}) != expected["metadata"]:
        sys.exit("metadata differs: %r vs %r" % (header.get("__metadata__"), expected["metadata"]))
    names = sorted(k for k in header if k != "__metadata__")
    if names != sorted(expected["tensors"]):
        sys.exit("tensor names differ: %r vs %r" % (names, sorted(expected["tensors"])))
    for name in names:
        h, e = header[name], expected["tensors"][name]
        if h["dtype"] != e["dtype"] or h["shape"] != e["shape"]:
            sys.exit("%s: dtype/shape %s %s, expected %s %s" % (name, h["dtype"], h["shape"], e["dtype"], e["shape"]))
        begin, end = h["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=DTYPES[h["dtype"]]).reshape(h["shape"])
        want = np.array(e["values"], dtype=DTYPES[h["dtype"]]).reshape(e["shape"])
        if not np.array_equal(array, want):
            sys.exit("%s: values differ, e.g. %r vs %r" % (name, array.ravel()[:4], want.ravel()[:4]))
    print("ok %d tensors" % len(names))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
