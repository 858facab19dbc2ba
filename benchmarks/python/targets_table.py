"""The table of benchmarks/targets: reads the outputs of small, step, power, zoo and memory from a directory and prints
every figure of the speed-and-memory issue with its target and whether it is met (benchmarks/README.md)."""
import json
import re
import sys
from pathlib import Path

out = Path(sys.argv[1])


def text(task):
    f = out / f"{task}.log"
    return f.read_text() if f.exists() else ""


def find(pattern, s, what):
    m = re.search(pattern, s, re.S)
    if not m:
        raise SystemExit(f"targets: no {what} in the output ({pattern!r}); see the task's log in {out}")
    return m


rows = []  # (figure, measured, target, met)


def row(figure, measured, target, met):
    rows.append((figure, measured, target, "yes" if met else "**no**"))


small = text("small")
for e in ("0", "50"):
    m = find(rf"\| {e} \| ([\d.]+) s \(([\d.]+) s\) \| ([\d.]+) s \(([\d.]+) s\) \| ([\d.]+)× \| ([\d.]+)× \| (\d+) MB / (\d+) MB", small, f"small eval-every {e} row")
    wall, rss_t, rss_p = float(m.group(5)), int(m.group(7)), int(m.group(8))
    if e == "0":
        row("demo-sized run, whole process: wall time", f"{m.group(1)} vs {m.group(3)} s = {wall:.2f}×", "≤ 1.0×", wall <= 1.0)
        row("demo-sized run: peak RSS", f"{rss_t} vs {rss_p} MB = {rss_t / rss_p:.2f}×", "≤ 2×", rss_t <= 2 * rss_p)
share = float(find(r"eval-every 50, tuneless: ([\d.]+)%", small, "evaluation share").group(1))
row("eval-every 50: evaluation share of the loop", f"{share:.1f}%", "≤ 10%", share <= 10)

step = text("step")
m = find(r"training step \(fwd\+bwd\+Adam\): tuneless ([\d.]+) ms, PyTorch ([\d.]+) ms → ratio ([\d.]+)×", step, "MLP step")
row("MLP 784-1024-1024-10 b1024 step", f"{m.group(1)} vs {m.group(2)} ms = {float(m.group(3)):.2f}×", "≤ 0.80×", float(m.group(3)) <= 0.80)
m = find(r"gradient ([\d.]+) ms; exact HVP ([\d.]+) ms → ([\d.]+)× a gradient.*?uᵀHu ([\d.]+) ms → ([\d.]+)× a gradient", step, "HVP and uᵀHu")
row("exact HVP / gradient, MLP", f"{m.group(2)} / {m.group(1)} ms = {float(m.group(3)):.2f}×", "≤ 2.0× (GEMM-count bound 2.27×)", float(m.group(3)) <= 2.0)
row("uᵀHu / gradient, MLP", f"{m.group(4)} / {m.group(1)} ms = {float(m.group(5)):.2f}×", "≤ 1.5×", float(m.group(5)) <= 1.5)

power = text("power")
t = find(r"tuneless: \d+ ms to tolerance, \d+ HVPs, ([\d.]+) ms/HVP", power, "power iteration (ours)").group(1)
p = find(r"PyTorch:\s+\d+ ms to tolerance, \d+ HVPs, ([\d.]+) ms/HVP", power, "power iteration (PyTorch)").group(1)
ratio = float(find(r"ratio per HVP ([\d.]+)×", power, "power ratio").group(1))
row("power iteration, time per HVP (warm)", f"{t} vs {p} ms = {ratio:.2f}×", "≤ 0.8×", ratio <= 0.8)

zoo = text("zoo")
for model, label in (("resnet18", "ResNet-18 b128 step"), ("nanolm", "nanoLM b64 step")):
    m = find(rf"{model} \([\d,]+ parameters; PyTorch [\d,]+\), batch \d+:\s+training step \(fwd\+bwd\+Adam\): tuneless ([\d.]+) ms, PyTorch ([\d.]+) ms → ratio ([\d.]+)×", zoo, f"{model} step")
    row(label, f"{m.group(1)} vs {m.group(2)} ms = {float(m.group(3)):.2f}×", "≤ 1.0×", float(m.group(1)) <= float(m.group(2)))

memory = [json.loads(line) for line in text("memory").splitlines() if line.startswith("{")]
ours = next((d for d in memory if d["what"] == "step" and d["plan"]), None)
torch = next((d for d in memory if d["what"] == "pytorch step"), None)
hvp = next((d for d in memory if d["what"] == "hvp"), None)
if not (ours and torch and hvp):
    raise SystemExit(f"targets: the memory task's JSON lines are missing; see {out}/memory.log")
row("ResNet-18 b128 step peak RSS", f"{ours['peak_rss_mb']} vs {torch['peak_rss_mb']} MB = {ours['peak_rss_mb'] / torch['peak_rss_mb']:.2f}×", "≤ 2×",
    ours["peak_rss_mb"] <= 2 * torch["peak_rss_mb"])
row("ResNet-18 b128 exact HVP peak RSS", f"{hvp['peak_rss_mb']} MB = {hvp['peak_rss_mb'] / ours['peak_rss_mb']:.2f}× the step's", "≤ 2× the step's",
    hvp["peak_rss_mb"] <= 2 * ours["peak_rss_mb"])

print("| figure | measured | target | met? |")
print("|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
