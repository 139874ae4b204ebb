#!/usr/bin/env python3
"""The distributions of a recorded toy8 run's inputs (`wganc train models/toy8-wgan-gp.wgan
--record-inputs --out RUN`): real points per mode (with a chi-square against equal shares), their
offsets from the mode centres (std 0.02 expected), the noise z (N(0, 1)) and alpha (U(0, 1)).
A replay (bench/replay_pytorch.py) shows that wganc's updates equal PyTorch's given these inputs;
this shows that the inputs are drawn from the distributions the model declares.

    python bench/toy8_inputs.py RUN
"""
import glob
import math
import os
import sys

import torch
from safetensors.torch import load_file


def main(run):
    files = sorted(glob.glob(os.path.join(run, "inputs", "*.safetensors")))
    if not files:
        print(f"error: {run}/inputs holds no recorded inputs (train with --record-inputs)", file=sys.stderr)
        return 2
    real, z, alpha = [], [], []
    for f in files:
        d = load_file(f)
        real += [d["real"]] if "real" in d else []
        z += [d["z"]] if "z" in d else []
        alpha += [d["alpha"]] if "alpha" in d else []
    R, Z, A = torch.cat(real).double(), torch.cat(z).double(), torch.cat(alpha).double().flatten()
    centres = torch.tensor([[2 * math.cos(k * math.pi / 4), 2 * math.sin(k * math.pi / 4)] for k in range(8)],
                           dtype=torch.float64)
    mode = torch.cdist(R, centres).argmin(1)
    counts = torch.bincount(mode, minlength=8)
    expect = R.shape[0] / 8
    chi2 = (((counts - expect) ** 2) / expect).sum().item()
    off = R - centres[mode]
    print(f"{len(files)} input files")
    print(f"real: {R.shape[0]} points; per mode {counts.tolist()}; chi-square {chi2:.1f} on 7 degrees of freedom "
          f"(95 % of fair draws below 14.1)")
    print(f"      offsets from the centre: std {off.std(0)[0]:.5f}, {off.std(0)[1]:.5f} (0.02 declared); "
          f"mean {off.mean(0)[0]:+.1e}, {off.mean(0)[1]:+.1e}")
    k = ((Z - Z.mean()) ** 4).mean().item() / Z.var().item() ** 2
    print(f"z:    {Z.numel()} values; mean {Z.mean():+.4f}, variance {Z.var():.4f}, kurtosis {k:.3f} (N(0, 1): 0, 1, 3)")
    print(f"alpha: {A.numel()} values; mean {A.mean():.4f}, variance {A.var():.4f}, range [{A.min():.1e}, {A.max():.4f}] "
          f"(U(0, 1): 0.5, 0.0833)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
