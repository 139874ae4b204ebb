#!/usr/bin/env python3
"""wganc against its CPU peers, side by side on this machine, in one run.

Sides (each a separate process, run back to back, ROUNDS times alternating, never at once):
  wganc     `wganc bench MODEL --json` (the JVM backend)
  torch     ../shared/peers/pytorch_bench.py CONFIG: PyTorch eager
  compile   the same with torch.compile: `--compile all` is tried once per configuration; where it
            fails (a gradient-penalty critic update: no double backward through aot_autograd), the
            reason is shown and the generator update alone is compiled (`--compile gen`)
  jax       ../shared/peers/jax_toy8.py / jax_mnist_gp.py: the whole step under jax.jit (XLA CPU)

For each side: the median steps/s, GFLOP/s (the peers' analytic count) and the peak resident memory
of its process (max RSS, from the kernel's accounting of the finished child: the same measure for
Java and Python). The ratio columns are wganc's steps/s over the peer's. Only figures from one
invocation compare: these machines are shared and noisy.

    python3 bench/compare-peers.py [--configs toy8,mnist-gp,mnist-gp-512,mnist-clip]
        [--sides wganc,torch,compile,jax] [--rounds 2] [--threads 2] [--python PY] [--json FILE]

PY is a Python with PyTorch (CPU) and JAX: by default $WGANC_TORCH_PYTHON, else /work/venv/bin/python.
Create one with: python3 -m venv ENV && ENV/bin/pip install 'torch==2.13.0+cpu' numpy jax jaxlib
(../shared/PEERS.md). A side whose package is missing is shown as such, not hidden.
"""
import argparse, json, os, pathlib, re, statistics, subprocess, sys, tempfile, time

ROOT = pathlib.Path(__file__).resolve().parent.parent
PEERS = ROOT.parent / "shared" / "peers"


class Config:
    def __init__(self, model, batch, peer, jax=None, runs=5, steps=None, warmup=None, jax_budget=None):
        self.model, self.batch, self.peer, self.jax = model, batch, peer, jax
        self.runs, self.steps, self.warmup = runs, steps, warmup
        # JAX on the convolution models takes seconds per step (XLA's CPU convolutions): fewer steps
        self.jax_budget = jax_budget or dict(runs=runs, steps=steps, warmup=warmup)


CONFIGS = {
    "toy8": Config("models/toy8-wgan-gp.wgan", 256, "toy8", jax="jax_toy8.py"),
    "mnist-gp": Config("models/mnist-wgan-gp.wgan", 64, "mnist-gp", jax="jax_mnist_gp.py", runs=3, steps=3,
                       warmup=2, jax_budget=dict(runs=2, steps=1, warmup=1)),
    "mnist-gp-512": Config("models/mnist-wgan-gp.wgan", 512, "mnist-gp", jax="jax_mnist_gp.py", runs=3, steps=1,
                           warmup=1, jax_budget=dict(runs=1, steps=1, warmup=1)),
    "mnist-clip": Config("models/mnist-wgan-clip.wgan", 64, "mnist-clip", runs=3, steps=5, warmup=3),
}
SIDES = ("wganc", "torch", "compile", "jax")


def run(cmd, **kw):
    """Runs cmd to the end; returns (exit code, stdout, stderr, peak RSS of the process in MiB)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, **kw)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0); err.seek(0)
        return p.returncode, out.read(), err.read(), usage.ru_maxrss / 1024


def budget_args(runs, steps, warmup):
    a = ["--runs", str(runs)]
    if steps is not None: a += ["--steps", str(steps)]
    if warmup is not None: a += ["--warmup", str(warmup)]
    return a


def result_line(out):
    lines = [l for l in out.splitlines() if l.startswith("RESULT")]
    if not lines:
        return None
    line = lines[-1]
    return float(re.search(r"median_steps_per_s=([0-9.]+)", line).group(1)), \
        float(re.search(r"gflops=([0-9.]+)", line).group(1))


def failure(out, err):
    for l in (out + err).splitlines():
        if l.startswith("FAILED") or "Error" in l:
            return l.strip()[:160]
    return (err.strip().splitlines() or ["exit code != 0"])[-1][:160]


def side_wganc(c, a):
    cmd = [str(ROOT / "wganc"), "bench", c.model, "--batch", str(c.batch), "--json", "--threads", str(a.threads)]
    cmd += budget_args(c.runs, c.steps, c.warmup)
    rc, out, err, rss = run(cmd, cwd=ROOT)
    if rc != 0:
        return dict(failed=failure(out, err))
    d = json.loads(out)
    return dict(steps_per_s=d["steps_per_s"], gflops=d["gflops"], rss_mib=rss, peak_gflops=d["peak_gflops"])


def side_torch(c, a, compile_mode="none"):
    cmd = [a.python, str(PEERS / "pytorch_bench.py"), c.peer, "--batch", str(c.batch), "--threads", str(a.threads),
           "--compile", compile_mode] + budget_args(c.runs, c.steps, c.warmup)
    rc, out, err, rss = run(cmd)
    r = result_line(out)
    if rc != 0 or r is None:
        return dict(failed=failure(out, err))
    return dict(steps_per_s=r[0], gflops=r[1], rss_mib=rss, mode=compile_mode)


def side_jax(c, a):
    if c.jax is None:
        return dict(failed="no JAX peer for this configuration")
    cmd = [a.python, str(PEERS / c.jax), "--batch", str(c.batch)] + budget_args(**c.jax_budget)
    rc, out, err, rss = run(cmd)  # XLA uses every core: 2 here, as the other sides' --threads 2
    r = result_line(out)
    if rc != 0 or r is None:
        return dict(failed=failure(out, err))
    return dict(steps_per_s=r[0], gflops=r[1], rss_mib=rss)


def has(py, module):
    return subprocess.run([py, "-c", f"import {module}"], capture_output=True).returncode == 0


def median_of(results):
    ok = [r for r in results if "failed" not in r]
    if not ok:
        return results[0]
    m = {k: statistics.median(r[k] for r in ok) for k in ("steps_per_s", "gflops", "rss_mib")}
    m["rss_mib"] = max(r["rss_mib"] for r in ok)  # the peak over the rounds
    m["runs"] = [r["steps_per_s"] for r in ok]
    for k in ("mode", "peak_gflops"):
        if k in ok[0]:
            m[k] = statistics.median(r[k] for r in ok) if k == "peak_gflops" else ok[0][k]
    if "note" in results[0]:
        m["note"] = results[0]["note"]
    return m


def cell(r, ours=None):
    if "failed" in r:
        return f"{'-':>8s} {'':>6s} {'':>6s}"
    ratio = f"{ours['steps_per_s'] / r['steps_per_s']:6.2f}" if ours and "failed" not in ours else f"{'':6s}"
    return f"{r['steps_per_s']:8.3f} {r['rss_mib']:6.0f} {ratio}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--sides", default=",".join(SIDES))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--python", default=os.environ.get("WGANC_TORCH_PYTHON", "/work/venv/bin/python"))
    ap.add_argument("--json", help="write every round's figures here as JSON")
    a = ap.parse_args()
    sides = a.sides.split(",")
    for s in sides:
        if s not in SIDES:
            sys.exit(f"compare-peers: unknown side '{s}' (sides: {', '.join(SIDES)})")
    missing = {}
    if any(s in sides for s in ("torch", "compile")) and not has(a.python, "torch"):
        missing.update(torch=f"no PyTorch in {a.python}", compile=f"no PyTorch in {a.python}")
    if "jax" in sides and not has(a.python, "jax"):
        missing["jax"] = f"no JAX in {a.python}"
    for s, why in missing.items():
        print(f"compare-peers: side {s} skipped: {why}", file=sys.stderr)
    sides = [s for s in sides if s not in missing]
    if "wganc" in sides:  # build first, so that no round pays for it
        subprocess.run([str(ROOT / "wganc"), "--version"], cwd=ROOT, check=True, capture_output=True)

    report = dict(date=time.strftime("%Y-%m-%d %H:%M"), host=os.uname().nodename, threads=a.threads,
                  rounds=a.rounds, configs={})
    print(f"{a.threads} threads per side, {a.rounds} rounds alternating; steps/s (median), peak RSS MiB, "
          f"wganc's ratio to each peer")
    print(f"{'config':13s} {'wganc':>8s} {'GFLOP/s':>7s} {'RSS':>6s} | {'torch':>8s} {'RSS':>6s} {'ratio':>6s} | "
          f"{'compile':>8s} {'RSS':>6s} {'ratio':>6s} | {'jax':>8s} {'RSS':>6s} {'ratio':>6s} | {'peak':>5s}")
    notes = []
    for name in a.configs.split(","):
        if name not in CONFIGS:
            sys.exit(f"compare-peers: unknown configuration '{name}' (configurations: {', '.join(CONFIGS)})")
        c = CONFIGS[name]
        compile_mode = "all"
        if "compile" in sides:  # does the whole step compile? once per configuration
            probe = side_torch(Config(c.model, c.batch, c.peer, runs=1, steps=1, warmup=1), a, "all")
            if "failed" in probe:
                compile_mode = "gen"
                notes.append(f"{name}: torch.compile of the whole step fails ({probe['failed']}); "
                             f"the compile column compiles the generator update only")
        rounds = {s: [] for s in sides}
        for _ in range(a.rounds):
            for s in sides:
                r = {"wganc": lambda: side_wganc(c, a), "torch": lambda: side_torch(c, a),
                     "compile": lambda: side_torch(c, a, compile_mode), "jax": lambda: side_jax(c, a)}[s]()
                rounds[s].append(r)
                print(f"  {name} {s}: " + (r["failed"] if "failed" in r else f"{r['steps_per_s']:.4f} steps/s, "
                      f"{r['gflops']:.1f} GFLOP/s, RSS {r['rss_mib']:.0f} MiB"), file=sys.stderr, flush=True)
        med = {s: median_of(rounds[s]) for s in sides}
        report["configs"][name] = dict(model=c.model, batch=c.batch, rounds=rounds, median=med,
                                       compile_mode=compile_mode if "compile" in sides else None)
        for s in SIDES:
            if s not in med:
                med[s] = dict(failed=missing.get(s, "not run"))
        w = med["wganc"]
        wcell = f"{'-':>8s} {'':>7s} {'':>6s}" if "failed" in w else \
            f"{w['steps_per_s']:8.3f} {w['gflops']:7.1f} {w['rss_mib']:6.0f}"
        peak = f"{w['peak_gflops']:5.0f}" if "peak_gflops" in w else f"{'':5s}"
        print(f"{name:13s} {wcell} | {cell(med['torch'], w)} | {cell(med['compile'], w)} | {cell(med['jax'], w)} | "
              f"{peak}", flush=True)
        for s in SIDES:
            if "failed" in med[s] and s in sides:
                why = med[s]["failed"]
                notes.append(f"{name}: {s}: {why}" if why.startswith("no ") else f"{name}: {s} failed: {why}")
    for n in notes:
        print("  " + n)
    if a.json:
        tmp = a.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(report, f, indent=1)
        os.replace(tmp, a.json)


if __name__ == "__main__":
    main()
