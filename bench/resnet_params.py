#!/usr/bin/env python3
"""The WGAN-GP authors' CIFAR-10 ResNet (gan_cifar_resnet.py in igul222/improved_wgan_training,
unconditional, DIM_G = DIM_D = 128) built with torch.nn the way models/cifar-resnet-wgan-gp.wgan
writes it, so that its state dict carries wganc's parameter names: a block use is an nn.Sequential,
a residual statement a module with `branch` and `shortcut` nn.Sequentials, a concatenation an
nn.ModuleList of nn.Sequentials (docs/language.md, "Residuals, concatenations and blocks").

Prints one line per state-dict entry, `G.2.0.branch.3.weight 128 128 3 3` (batchnorm's
`num_batches_tracked` counter left out: wganc has none), then `G trainable N` and
`G non-trainable N` for each network. ModelSummaryTest runs it when PyTorch is installed and compares.
"""
import torch
from torch import nn


class Residual(nn.Module):
    """branch(x) + shortcut(x); an empty shortcut is the identity."""

    def __init__(self, branch, shortcut=()):
        super().__init__()
        self.branch = nn.Sequential(*branch)
        self.shortcut = nn.Sequential(*shortcut)

    def forward(self, x):
        return self.branch(x) + self.shortcut(x)


class GlobalAvgPool(nn.Module):
    """The mean over height and width, as the authors' `tf.reduce_mean(output, axis=[2,3])`."""

    def forward(self, x):
        return x.mean(dim=(2, 3))


def conv3(cin, cout):
    return nn.Conv2d(cin, cout, 3, padding=1)


def bn(c):
    return nn.BatchNorm2d(c, momentum=0.1, eps=1e-5)


def up(cin, c):
    """ResidualBlock(resample='up'): BN, ReLU, UpsampleConv, BN, ReLU, conv; shortcut UpsampleConv 1x1."""
    return nn.Sequential(Residual(
        [bn(cin), nn.ReLU(), nn.Upsample(scale_factor=2, mode="nearest"), conv3(cin, c), bn(c), nn.ReLU(), conv3(c, c)],
        [nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(cin, c, 1)]))


def first(cin, c):
    """OptimizedResBlockDisc1: conv, ReLU, ConvMeanPool; shortcut MeanPoolConv 1x1."""
    return nn.Sequential(Residual(
        [conv3(cin, c), nn.ReLU(), conv3(c, c), nn.AvgPool2d(2)],
        [nn.AvgPool2d(2), nn.Conv2d(cin, c, 1)]))


def down(cin, c):
    """ResidualBlock(resample='down'), no normalisation: ReLU, conv, ReLU, ConvMeanPool; shortcut ConvMeanPool 1x1."""
    return nn.Sequential(Residual(
        [nn.ReLU(), conv3(cin, c), nn.ReLU(), conv3(c, c), nn.AvgPool2d(2)],
        [nn.Conv2d(cin, c, 1), nn.AvgPool2d(2)]))


def plain(c):
    """ResidualBlock(resample=None), as many channels out as in: the identity shortcut."""
    return nn.Sequential(Residual([nn.ReLU(), conv3(c, c), nn.ReLU(), conv3(c, c)]))


def generator(dim=128, latent=128):
    return nn.Sequential(
        nn.Linear(latent, 4 * 4 * dim), nn.Unflatten(1, (dim, 4, 4)),
        up(dim, dim), up(dim, dim), up(dim, dim),
        bn(dim), nn.ReLU(), conv3(dim, 3), nn.Tanh())


def critic(dim=128):
    return nn.Sequential(
        first(3, dim), down(dim, dim), plain(dim), plain(dim),
        nn.ReLU(), GlobalAvgPool(), nn.Linear(dim, 1))


def main():
    nets = {"G": generator(), "D": critic()}
    with torch.no_grad():
        assert tuple(nets["G"](torch.zeros(2, 128)).shape) == (2, 3, 32, 32)
        assert tuple(nets["D"](torch.zeros(2, 3, 32, 32)).shape) == (2, 1)
    for name, net in nets.items():
        trainable = sum(p.numel() for p in net.parameters() if p.requires_grad)
        buffers = 0
        for key, t in net.state_dict().items():
            if key.endswith("num_batches_tracked"):
                continue
            print(f"{name}.{key}", *t.shape)
            if key.endswith(("running_mean", "running_var")):
                buffers += t.numel()
        print(name, "trainable", trainable)
        print(name, "non-trainable", buffers)


if __name__ == "__main__":
    main()
