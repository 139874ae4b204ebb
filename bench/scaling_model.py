#!/usr/bin/env python3
"""The scaling model of docs/distributed.md: step time of a data-parallel wganc run on K workers.

    T(K) = t_sample * B / K  +  sum over updates u of n_u * allreduce(bytes_u, K)
    allreduce(S, K) = 2 (K - 1) / K * S / bandwidth + 2 (K - 1) * latency      (ring all-reduce)

t_sample: measured compute time per sample of one step on one worker (from a single-process run,
steps/s at global batch B: t_sample = 1 / (steps_per_s * B)); bytes_u: the flat buffer of update u
(`wganc train` under mpirun prints the bytes per step; docs/distributed.md lists them per update);
n_u: how often the update runs per step. Batchnorm's small synchronised sums add latency terms
(2 (K - 1) latency each), counted with `--bn-sums`.

usage: scaling_model.py --steps-per-s 0.25 --batch 64 --update 3:17221648:8 --update 1:3608332:16 ...
"""
import argparse


def step_time(k, t_sample, batch, updates, bandwidth, latency):
    compute = t_sample * batch / k
    comm = 0.0
    for n, size, small in updates:
        if k > 1:
            comm += n * (2 * (k - 1) / k * size / bandwidth + 2 * (k - 1) * latency)
            comm += n * small * 2 * (k - 1) * latency
    return compute, comm


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps-per-s", type=float, required=True, help="one worker, at --measured-batch")
    p.add_argument("--measured-batch", type=int, required=True)
    p.add_argument("--batch", type=int, required=True, help="global batch of the modelled run")
    p.add_argument("--update", action="append", required=True,
                   help="N:BYTES[:SMALL]: an update run N times a step, its flat buffer, its small (batchnorm) sums")
    p.add_argument("--workers", default="1,2,8,64")
    p.add_argument("--gbit", default="10,100", help="network bandwidths in Gbit/s")
    p.add_argument("--latency-us", type=float, default=20.0)
    a = p.parse_args()
    t_sample = 1.0 / (a.steps_per_s * a.measured_batch)
    updates = []
    for u in a.update:
        parts = [int(x) for x in u.split(":")]
        updates.append((parts[0], parts[1], parts[2] if len(parts) > 2 else 0))
    print(f"t_sample {t_sample * 1e3:.2f} ms, global batch {a.batch}, "
          f"{sum(n * s for n, s, _ in updates) / 1e6:.1f} MB all-reduced per step, latency {a.latency_us} us")
    print("| workers | per worker | " + " | ".join(f"{g} Gbit/s: step, comm, speed-up" for g in a.gbit.split(",")) + " |")
    print("|---|---|" + "---|" * len(a.gbit.split(",")))
    base = t_sample * a.batch
    for k in [int(x) for x in a.workers.split(",")]:
        if a.batch % k:
            continue
        cells = []
        for g in a.gbit.split(","):
            compute, comm = step_time(k, t_sample, a.batch, updates, float(g) * 1e9 / 8, a.latency_us * 1e-6)
            cells.append(f"{compute + comm:.3f} s, {comm / (compute + comm) * 100:.0f} %, {base / (compute + comm):.1f}x")
        print(f"| {k} | {a.batch // k} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
