#!/usr/bin/python3
"""The demo-sized training run in PyTorch, as a whole process (the `benchmarks/run small` comparison).

MLP 784-256-256-10, the first N Fashion-MNIST training images (Debian dataset-fashion-mnist, pixels / 255), Adam lr 1e-3,
minibatches of 128 drawn without replacement (a fresh permutation per epoch), softmax cross-entropy; like Tuneless it
records the loss of every step; with --eval-every K it evaluates train and test loss and accuracy every K steps and after
the last (the whole 10,000-image test set, as Tuneless does by default on the Debian data).

Usage: torch_small.py --steps 3000 --subset 4096 --eval-every 0 --threads 1
Prints one JSON line: {"loop_s": ..., "final_loss": ..., "test_accuracy": ...}.
"""
import argparse
import gzip
import json
import time

import numpy as np
import torch

DIR = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(f"{DIR}/{name}", "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(magic & 0xFF)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--subset", type=int, default=4096)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--eval-every", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--periodic-subset", type=int, default=0,
                   help="examples per split for the evaluations before the last step (0 = all), as Tuneless's --eval-periodic-subset")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x = torch.from_numpy(idx("train-images-idx3-ubyte.gz")[:a.subset].reshape(a.subset, 784).astype(np.float32) / 255)
    y = torch.from_numpy(idx("train-labels-idx1-ubyte.gz")[:a.subset].astype(np.int64))
    xt = torch.from_numpy(idx("t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255)
    yt = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    def evaluate(final):
        with torch.no_grad():
            out = {}
            for name, (xs, ys) in {"train": (x, y), "test": (xt, yt)}.items():
                if not final and a.periodic_subset > 0:
                    xs, ys = xs[:a.periodic_subset], ys[:a.periodic_subset]
                logits = model(xs)
                out[name] = (loss_fn(logits, ys).item(), (logits.argmax(1) == ys).float().mean().item())
            return out

    t0 = time.perf_counter()
    order, pos, losses, last = torch.randperm(a.subset), 0, [], None
    for step in range(a.steps):
        if pos + a.batch > a.subset:
            order, pos = torch.randperm(a.subset), 0
        idx_b = order[pos:pos + a.batch]
        pos += a.batch
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[idx_b]), y[idx_b])
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if step == a.steps - 1 or (a.eval_every > 0 and (step + 1) % a.eval_every == 0):
            last = evaluate(step == a.steps - 1)
    loop = time.perf_counter() - t0
    print(json.dumps({"loop_s": loop, "final_loss": losses[-1], "test_accuracy": last["test"][1] if last else None}))


if __name__ == "__main__":
    main()
