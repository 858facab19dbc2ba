#!/usr/bin/python3
"""PyTorch CPU reference timings for the Tuneless benchmarks (run with Debian's /usr/bin/python3 + python3-torch).

Usage: torch_reference.py step  --widths 784,1024,1024,10 --batch 1024 --repeats 20 --warmup 5 --threads 1
       torch_reference.py power --widths 784,256,256,10 --samples 4096 --tol 1e-3 --max-iter 1000 --threads 1
       torch_reference.py zoo   --model resnet18|nanolm --batch 128 --repeats 5 --warmup 2 --threads 1

Prints one JSON object per line: {"task": ..., "times_ms": [...], ...}. Inputs are seeded Gaussian data (same sizes as
the Java side); for `power` the caller may pass --data FILE (raw float32 little-endian, samples x 784, then int32 labels).
"""
import argparse
import json
import math
import time

import torch


DEV = torch.device("cpu")


def clock():
    """time.perf_counter() after the device's queued work has finished (CUDA runs asynchronously)."""
    if DEV.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter()


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
    model = mlp(widths).to(DEV)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(args.batch, widths[0]).to(DEV)
    y = torch.randint(0, widths[-1], (args.batch,)).to(DEV)
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for i in range(args.warmup + args.repeats):
        t0 = clock()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        t1 = clock()
        if i >= args.warmup:
            times.append((t1 - t0) * 1e3)
    print(json.dumps({"task": "step", "widths": widths, "batch": args.batch, "threads": torch.get_num_threads(), "device": DEV.type,
                      "times_ms": times}))


def power_benchmark(args):
    widths = [int(w) for w in args.widths.split(",")]
    torch.manual_seed(0)
    model = mlp(widths).to(DEV)
    if args.data:
        import numpy as np
        raw = np.fromfile(args.data, dtype=np.float32, count=args.samples * widths[0])
        x = torch.from_numpy(raw.reshape(args.samples, widths[0]).copy())
        labels = np.fromfile(args.data, dtype=np.int32, offset=4 * args.samples * widths[0], count=args.samples)
        y = torch.from_numpy(labels.astype(np.int64))
    else:
        x = torch.randn(args.samples, widths[0])
        y = torch.randint(0, widths[-1], (args.samples,))
    x, y = x.to(DEV), y.to(DEV)
    params = list(model.parameters())
    loss_fn = torch.nn.CrossEntropyLoss()
    times, results = [], []
    for r in range(args.warmup + args.repeats):
        gen = torch.Generator().manual_seed(1234)
        v = [torch.randn(p.shape, generator=gen).to(DEV) for p in params]
        t0 = clock()
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
        t1 = clock()
        if r >= args.warmup:
            times.append((t1 - t0) * 1e3)
            results.append({"lambda": lam, "hvps": iters})
    print(json.dumps({"task": "power", "widths": widths, "samples": args.samples, "threads": torch.get_num_threads(), "device": DEV.type,
                      "times_ms": times, "results": results}))


# ---------------------------------------------------------------- model zoo (mirrors org.tuneless.nn.Models)

class BasicBlock(torch.nn.Module):
    """relu(BN(conv3x3(relu(BN(conv3x3_s(x)))) ) + shortcut(x)); shortcut = BN(conv1x1_s(x)) when the shape changes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        nn = torch.nn
        self.body = nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                                  nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        skip = x if self.shortcut is None else self.shortcut(x)
        return torch.relu(self.body(x) + skip)


def resnet18(channels=1, classes=10, width=64):
    """Models.resnet18(new long[]{1,28,28}, 10, Norm.BATCH): CIFAR-style, 3x3 stem, no max-pool, stages 2,2,2,2."""
    nn = torch.nn
    layers = [nn.Conv2d(channels, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
    cin = width
    for stage in range(4):
        w = width << stage
        for k in range(2):
            layers.append(BasicBlock(cin, w, 2 if stage > 0 and k == 0 else 1))
            cin = w
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes)]
    return nn.Sequential(*layers)


class CausalSelfAttention(torch.nn.Module):
    """Mirrors org.tuneless.nn.CausalSelfAttention: [Q|K|V] = x Wqkv + b, heads = column blocks, causal softmax."""

    def __init__(self, dim, heads, context):
        super().__init__()
        self.heads = heads
        self.qkv = torch.nn.Linear(dim, 3 * dim)
        self.out = torch.nn.Linear(dim, dim)
        self.register_buffer("mask", torch.triu(torch.ones(context, context, dtype=torch.bool), diagonal=1))

    def forward(self, x):
        b, t, d = x.shape
        h = self.heads
        q, k, v = self.qkv(x).split(d, dim=2)
        q, k, v = (a.view(b, t, h, d // h).transpose(1, 2) for a in (q, k, v))
        s = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d // h))
        a = torch.softmax(s.masked_fill(self.mask[:t, :t], float("-inf")), dim=-1)
        return self.out((a @ v).transpose(1, 2).contiguous().view(b, t, d))


class Block(torch.nn.Module):
    def __init__(self, dim, heads, context):
        super().__init__()
        nn = torch.nn
        self.ln1, self.attn = nn.LayerNorm(dim), CausalSelfAttention(dim, heads, context)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))  # exact (erf) GELU

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class NanoLM(torch.nn.Module):
    """Models.nanoLM(layers, dim, heads, context, vocab): token + learned position embeddings, pre-norm blocks, LN, head."""

    def __init__(self, layers, dim, heads, context, vocab):
        super().__init__()
        nn = torch.nn
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.randn(context, dim) * 0.02)
        self.blocks = nn.Sequential(*[Block(dim, heads, context) for _ in range(layers)])
        self.ln = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab)

    def forward(self, ids):
        return self.head(self.ln(self.blocks(self.tok(ids) + self.pos)))


RESNET18_PARAMS = 11_172_810
NANOLM_PARAMS = 429_664  # 2 layers, dim 128, 4 heads, context 64, vocabulary 96


def zoo_benchmark(args):
    torch.manual_seed(0)
    if args.model == "resnet18":
        model, expected = resnet18(1, 10), RESNET18_PARAMS
        x = torch.randn(args.batch, 1, 28, 28)
        y = torch.randint(0, 10, (args.batch,))
        loss_of = lambda: torch.nn.functional.cross_entropy(model(x), y)
    elif args.model == "nanolm":
        context, vocab = 64, 96
        model, expected = NanoLM(2, 128, 4, context, vocab), NANOLM_PARAMS
        x = torch.randint(0, vocab, (args.batch, context))
        y = torch.randint(0, vocab, (args.batch, context))
        loss_of = lambda: torch.nn.functional.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1))  # mean over B*T
    else:
        raise SystemExit("unknown model " + args.model)
    model, x, y = model.to(DEV), x.to(DEV), y.to(DEV)
    params = sum(p.numel() for p in model.parameters())
    assert params == expected, f"{args.model}: {params} parameters, expected {expected}"
    model.train()
    if args.profile:  # benchmarks/run layers: self CPU time per op of a gradient (forward + backward), per step
        for _ in range(args.warmup):
            model.zero_grad(set_to_none=True); loss_of().backward()
        with torch.autograd.profiler.profile(record_shapes=args.shapes) as prof:
            for _ in range(args.repeats):
                model.zero_grad(set_to_none=True); loss_of().backward()

        def name(e):  # with --shapes: the op and its first input's shape without the batch, as benchmarks/run layers keys ours
            shapes = e.input_shapes if args.shapes else None
            return e.key + (" " + str(list(shapes[0][1:])) if shapes and shapes[0] else "")

        ops = [{"op": name(e), "self_ms": e.self_cpu_time_total / 1e3 / args.repeats, "calls": e.count // args.repeats}
               for e in prof.key_averages(group_by_input_shape=args.shapes) if e.self_cpu_time_total > 0]
        ops.sort(key=lambda o: -o["self_ms"])
        print(json.dumps({"task": "profile", "model": args.model, "batch": args.batch, "ops": ops}))
        return
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    times, fwd, upd = [], [], []
    for i in range(args.warmup + args.repeats):
        t0 = clock()
        opt.zero_grad(set_to_none=True)
        loss = loss_of()
        t1 = clock()
        loss.backward()
        t2 = clock()
        opt.step()
        t3 = clock()
        if i >= args.warmup:
            times.append((t3 - t0) * 1e3)
            fwd.append((t1 - t0) * 1e3)
            upd.append((t3 - t2) * 1e3)
    print(json.dumps({"task": "zoo", "model": args.model, "batch": args.batch, "params": params,
                      "threads": torch.get_num_threads(), "device": DEV.type, "times_ms": times, "forward_ms": fwd, "optimizer_ms": upd,
                      "peak_rss_mb": peak_rss_mb()}))


def peak_rss_mb():
    """The process's peak resident set (VmHWM), in MiB; None where /proc is missing."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("task", choices=["step", "power", "zoo"])
    p.add_argument("--widths", default="784,1024,1024,10")
    p.add_argument("--batch", type=int, default=1024)
    p.add_argument("--samples", type=int, default=4096)
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--tol", type=float, default=1e-3)
    p.add_argument("--max-iter", type=int, default=1000)
    p.add_argument("--data", default=None)
    p.add_argument("--model", default="resnet18", choices=["resnet18", "nanolm"])
    p.add_argument("--device", default="cpu", help="cpu or cuda (benchmarks/run gpu)")
    p.add_argument("--profile", action="store_true", help="zoo: print self CPU time per op of a gradient instead of timing steps")
    p.add_argument("--shapes", action="store_true", help="--profile: per op and input shape")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    global DEV
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: this PyTorch has no CUDA device (torch.cuda.is_available() is False)")
    DEV = torch.device(args.device)
    {"step": step_benchmark, "power": power_benchmark, "zoo": zoo_benchmark}[args.task](args)


if __name__ == "__main__":
    main()
