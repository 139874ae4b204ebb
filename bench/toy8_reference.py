#!/usr/bin/env python3
"""PyTorch reference of models/toy8-wgan-gp.wgan's training rule, for comparing how runs converge.

The same algorithm as wganc trains (not the same random numbers): 8 Gaussians of radius 2 and std
0.02, MLPs 2-512-512-512-{2,1} with ReLU, Glorot-uniform weights and zero biases, latent 2, batch
256, 5 critic steps per generator step, each on fresh data, noise and interpolation; gradient
penalty lambda 10; Adam(1e-4, 0.5, 0.9) for both. Every 100 generator steps it prints the mode
coverage of 2,000 samples as `wganc sample` reports it (modes with at least 1 % of the samples
within 3 std = 0.06 of their centre; share of samples within 0.06 of a mode).

    python bench/toy8_reference.py [--seed 1] [--steps 5000] [--threads 1] [--state FILE]

With --state FILE the run saves its whole state (networks, optimisers, random generator) to FILE
every 100 generator steps, atomically, and continues from FILE when it exists: an interrupted run
resumed this way prints exactly what the uninterrupted run would have printed.

Needs PyTorch (see bench/compare-peers.py for a venv).
"""
import argparse, math, os

import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--steps", type=int, default=5000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--state", help="file to save the run's state to every 100 steps and resume from")
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)

    def mlp(out):
        m = torch.nn.Sequential(torch.nn.Linear(2, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(),
                                torch.nn.Linear(512, 512), torch.nn.ReLU(), torch.nn.Linear(512, out))
        for layer in m:
            if isinstance(layer, torch.nn.Linear):
                torch.nn.init.xavier_uniform_(layer.weight)
                torch.nn.init.zeros_(layer.bias)
        return m

    G, D = mlp(2), mlp(1)
    opt_g = torch.optim.Adam(G.parameters(), 1e-4, betas=(0.5, 0.9))
    opt_d = torch.optim.Adam(D.parameters(), 1e-4, betas=(0.5, 0.9))
    centres = torch.tensor([[2 * math.cos(2 * math.pi * k / 8), 2 * math.sin(2 * math.pi * k / 8)] for k in range(8)])

    def real(n):
        return centres[torch.randint(0, 8, (n,))] + 0.02 * torch.randn(n, 2)

    def coverage():
        with torch.no_grad():
            s = G(torch.randn(2000, 2))
        d, nearest = torch.cdist(s, centres).min(1)
        inside = d <= 0.06
        counts = torch.bincount(nearest[inside], minlength=8)
        return int((counts >= 20).sum()), inside.float().mean().item()

    start = 0
    if a.state and os.path.exists(a.state):
        st = torch.load(a.state, weights_only=False)
        if st["seed"] != a.seed:
            raise SystemExit(f"{a.state} holds seed {st['seed']}, not {a.seed}")
        for obj, key in ((G, "G"), (D, "D"), (opt_g, "opt_g"), (opt_d, "opt_d")):
            obj.load_state_dict(st[key])
        torch.set_rng_state(st["rng"])
        start = st["step"]
        print(f"resumed from {a.state} at step {start}", flush=True)

    for step in range(start, a.steps + 1):
        if step % 100 == 0 and a.state and step > start:  # saved before coverage() draws its noise
            tmp = a.state + ".tmp"
            torch.save({"seed": a.seed, "step": step, "G": G.state_dict(), "D": D.state_dict(),
                        "opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict(), "rng": torch.get_rng_state()}, tmp)
            os.replace(tmp, a.state)
        if step % 100 == 0:
            covered, within = coverage()
            print(f"step {step} modes_covered {covered} within_3std {within:.4f}", flush=True)
        if step == a.steps:
            break
        for _ in range(5):
            x = real(256)
            fake = G(torch.randn(256, 2)).detach()
            alpha = torch.rand(256, 1)
            xhat = (x + alpha * (fake - x)).requires_grad_(True)
            g, = torch.autograd.grad(D(xhat).sum(), xhat, create_graph=True)
            gp = ((g.norm(dim=1) - 1) ** 2).mean()
            loss = -(D(x).mean() - D(fake).mean()) + 10 * gp
            opt_d.zero_grad()
            loss.backward()
            opt_d.step()
        loss_g = -D(G(torch.randn(256, 2))).mean()
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()


if __name__ == "__main__":
    main()
