#!/usr/bin/python3
"""PyTorch CPU reference timings for the Tuneless benchmarks (run with Debian's /usr/bin/python3 + python3-torch).

Usage: torch_reference.py step  --widths 784,1024,1024,10 --batch 1024 --repeats 20 --warmup 5 --threads 1
       torch_reference.py power --widths 784,256,256,10 --samples 4096 --tol 1e-3 --max-iter 1000 --threads 1

Prints one JSON object per line: {"task": ..., "times_ms": [...], ...}. Inputs are seeded Gaussian data (same sizes as
the Java side); for `power` the caller may pass --data FILE (raw float32 little-endian, samples x 784, then int32 labels).
"""
import argparse
import json
import time

import torch


def mlp(widths):
    layers = []
    for i in range(1, len(widths)):
        layers.append(torch.nn.Linear(widths[i - 1], widths[i]))
        if i < len(widths) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def step_benchmark(args):
    widths = [int(w) for w in args.widths.split(",")]
    torch.manual_seed(0)
    model = mlp(widths)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(args.batch, widths[0])
    y = torch.randint(0, widths[-1], (args.batch,))
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for i in range(args.warmup + args.repeats):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        t1 = time.perf_counter()
        if i >= args.warmup:
            times.append((t1 - t0) * 1e3)
    print(json.dumps({"task": "step", "widths": widths, "batch": args.batch, "threads": torch.get_num_threads(),
                      "times_ms": times}))


def power_benchmark(args):
    widths = [int(w) for w in args.widths.split(",")]
    torch.manual_seed(0)
    model = mlp(widths)
    if args.data:
        import numpy as np
        raw = np.fromfile(args.data, dtype=np.float32, count=args.samples * widths[0])
        x = torch.from_numpy(raw.reshape(args.samples, widths[0]).copy())
        labels = np.fromfile(args.data, dtype=np.int32, offset=4 * args.samples * widths[0], count=args.samples)
        y = torch.from_numpy(labels.astype(np.int64))
    else:
        x = torch.randn(args.samples, widths[0])
        y = torch.randint(0, widths[-1], (args.samples,))
    params = list(model.parameters())
    loss_fn = torch.nn.CrossEntropyLoss()
    times, results = [], []
    for r in range(args.warmup + args.repeats):
        gen = torch.Generator().manual_seed(1234)
        v = [torch.randn(p.shape, generator=gen) for p in params]
        t0 = time.perf_counter()
        loss = loss_fn(model(x), y)
        grads = torch.autograd.grad(loss, params, create_graph=True)
        norm = torch.sqrt(sum((vi * vi).sum() for vi in v))
        v = [vi / norm for vi in v]
        lam_prev, lam, iters = None, None, 0
        for it in range(args.max_iter):
            hv = torch.autograd.grad(grads, params, grad_outputs=v, retain_graph=True)
            lam = sum((hvi * vi).sum() for hvi, vi in zip(hv, v)).item()
            iters = it + 1
            norm = torch.sqrt(sum((h * h).sum() for h in hv))
            v = [h / norm for h in hv]
            if lam_prev is not None and abs(lam - lam_prev) <= args.tol * abs(lam_prev):
                break
            lam_prev = lam
        t1 = time.perf_counter()
        if r >= args.warmup:
            times.append((t1 - t0) * 1e3)
            results.append({"lambda": lam, "hvps": iters})
    print(json.dumps({"task": "power", "widths": widths, "samples": args.samples, "threads": torch.get_num_threads(),
                      "times_ms": times, "results": results}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("task", choices=["step", "power"])
    p.add_argument("--widths", default="784,1024,1024,10")
    p.add_argument("--batch", type=int, default=1024)
    p.add_argument("--samples", type=int, default=4096)
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--tol", type=float, default=1e-3)
    p.add_argument("--max-iter", type=int, default=1000)
    p.add_argument("--data", default=None)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    step_benchmark(args) if args.task == "step" else power_benchmark(args)


if __name__ == "__main__":
    main()
