#!/usr/bin/env python3
"""wganc against the PyTorch peer, side by side on this machine.

For each configuration, runs `wganc bench --json` and `../shared/peers/pytorch_bench.py` back to
back, ROUNDS times alternating, and reports each side's median steps/s, GFLOP/s and the ratio.
Only figures from one invocation are comparable: these machines are shared and noisy.

    python3 bench/compare-peers.py [--configs toy8,mnist-gp,mnist-clip] [--rounds 2] [--python PY]

PY is a Python with PyTorch (CPU); by default $WGANC_TORCH_PYTHON, else /work/torchenv/bin/python.
Create one with: python3 -m venv ENV && ENV/bin/pip install <the machine's torch wheel> numpy
(../shared/PEERS.md says where the wheel is).
"""
import argparse, json, os, re, statistics, subprocess, sys, pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
PEER = ROOT.parent / "shared" / "peers" / "pytorch_bench.py"
CONFIGS = {  # our model, our batch, the peer's config name, the peer's batch
    "toy8": ("models/toy8-wgan-gp.wgan", 256, "toy8", 256),
    "mnist-gp": ("models/mnist-wgan-gp.wgan", 64, "mnist-gp", 64),
    "mnist-clip": ("models/mnist-wgan-clip.wgan", 64, "mnist-clip", 64),
}


def wganc(model, batch, threads):
    out = subprocess.run([str(ROOT / "wganc"), "bench", model, "--batch", str(batch), "--json", "--threads",
                          str(threads)], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    d = json.loads(out)
    return d["steps_per_s"], d["gflops"], d["peak_gflops"]


def peer(py, config, batch, threads):
    out = subprocess.run([py, str(PEER), config, "--batch", str(batch), "--threads", str(threads)],
                         capture_output=True, text=True, check=True).stdout
    line = [l for l in out.splitlines() if l.startswith("RESULT")][-1]
    return float(re.search(r"median_steps_per_s=([0-9.]+)", line).group(1)), \
        float(re.search(r"gflops=([0-9.]+)", line).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--configs", default="toy8,mnist-gp,mnist-clip")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--python", default=os.environ.get("WGANC_TORCH_PYTHON", "/work/torchenv/bin/python"))
    a = ap.parse_args()
    print(f"{'config':11s} {'wganc steps/s':>14s} {'GFLOP/s':>8s} {'PyTorch steps/s':>16s} {'GFLOP/s':>8s} "
          f"{'ratio':>6s} {'peak':>6s}")
    for name in a.configs.split(","):
        model, batch, pconf, pbatch = CONFIGS[name]
        ours, theirs, peaks = [], [], []
        for _ in range(a.rounds):
            s, g, p = wganc(model, batch, a.threads)
            ours.append((s, g)); peaks.append(p)
            theirs.append(peer(a.python, pconf, pbatch, a.threads))
        os_, og = statistics.median(x[0] for x in ours), statistics.median(x[1] for x in ours)
        ts, tg = statistics.median(x[0] for x in theirs), statistics.median(x[1] for x in theirs)
        print(f"{name:11s} {os_:14.3f} {og:8.1f} {ts:16.3f} {tg:8.1f} {os_ / ts:6.2f} {statistics.median(peaks):6.0f}",
              flush=True)


if __name__ == "__main__":
    main()
