#!/usr/bin/env python3
"""Replays a recorded wganc training run in plain PyTorch, step for step, and compares the result.

    python bench/replay_pytorch.py RUN [--steps N] [--dtype both|float64|float32] [--json]
                                       [--tolerance K] [--floor F] [--threads 2]

RUN is a run directory left by `wganc train MODEL --record-inputs --steps N --out RUN`:
`manifest.json` (model, schedule = the phases of one step in order), `checkpoints/step-NNNNNN.safetensors`
(parameters, batchnorm running statistics, optimiser slots `<update>.<param>.<slot>` and the 1-based
iteration `<update>.t`) and `inputs/NNNNNN-<phase>.safetensors`, one per phase invocation (NNNNNN the
global phase counter): every batch input the phase consumed -- the data batch, the noise, sampled values
such as `alpha`, and dropout keep masks `<net>.<layer>.mask.<k>` (k: the k-th application of the network
in the phase, in statement order).

Method. The script is an independent oracle: it uses none of wganc's code. The networks of the supported
models (the seed models toy8_wgan_gp, mnist_wgan_gp, mnist_wgan_clip, and mnist_wgan_gp_paper, which
replays like mnist_wgan_gp) are written out below as layer lists mirroring their .wgan sources, and run
with torch.nn.functional under the semantics of docs/language.md: TensorFlow's `padding=same` (odd padding
row/column after), Keras' Conv2DTranspose cropping, Keras BatchNormalization (momentum 0.99, eps 1e-3,
batch statistics in training, running averages updated with the BIASED batch variance, chained in the
order the phase applies the network), dropout as x * keep / (1 - rate) from the recorded masks. Each phase
is its training rule written in PyTorch; gradients come from torch.autograd (the gradient penalty by
torch.autograd.grad(..., create_graph=True)) and the updates from torch.optim:
  * Adam, convention=pytorch: torch.optim.Adam(lr, betas, eps) as is.
  * Adam, convention=keras (lr_t = lr*sqrt(1-b2^t)/(1-b1^t); p -= lr_t*m/(sqrt(v)+eps)): torch.optim.Adam
    with a per-step epsilon. Torch's step is lr/bc1 * m/(sqrt(v)/sqrt(bc2) + eps_t)
    = lr*sqrt(bc2)/bc1 * m/(sqrt(v) + eps_t*sqrt(bc2)), so setting param_group['eps'] =
    eps_keras/sqrt(1-beta2^t) before each step gives Keras' update exactly (in exact arithmetic).
  * RMSprop, convention=keras (ms = rho*ms + (1-rho)g^2; p -= lr*g/sqrt(ms+eps), eps inside the root) has
    no torch.optim equivalent: KerasRMSprop below is a small torch.optim.Optimizer following Keras'
    formula. convention=pytorch would be torch.optim.RMSprop(alpha=rho, eps=eps).
  * clip=c clamps the layer's weight to [-c, c] after every update that trains it.
Optimiser state is loaded from the starting checkpoint into the torch optimisers (exp_avg, exp_avg_sq,
square avg, step = t - 1), so a replay may start from any checkpoint (--from STEP). The same replay runs
twice, in float64 (the reference, t64) and in float32 (t32, what PyTorch itself costs in single
precision); the recorded inputs are float32 and are widened for t64.

A third replay, the twin t32b (--twins), runs in float32 from the start state moved by one ulp at
random and with every gradient moved by one ulp at random before each step: a float32 implementation
that rounds differently from PyTorch's at every update, as wganc's kernels (other summation orders) do.

Comparison. At every checkpoint of the run after the start (a recorded run keeps them all), for every
tensor (parameters, running statistics, optimiser slots m/v/ms and t) the relative L2 error
err(a, b) = ||a - b|| / ||b|| (||a - b|| if b is all zero) of wganc vs t64, t32 vs t64, t32b vs t64
and wganc vs t32, worst first.

Tolerance. wganc trains in float32, so after N steps it cannot agree with t64 better than float32
arithmetic allows, and how far float32 drifts is not a fixed number: rounding differences are amplified
step by step by the training dynamics (RMSprop's g/sqrt(ms) turns a tiny gradient into a full-size
step whose sign is decided by rounding when g is near zero, clipping and ReLU kinks switch, ...), by
very different amounts per tensor and per run. So the scale comes from PyTorch's own float32 replay of
the same inputs: a tensor passes when

    err(wganc, t64) <= max(K * max(err(t32, t64), err(t32b, t64)), floor)   (K = --tolerance, floor = --floor)

i.e. wganc's float32 may be K times noisier than PyTorch's float32 on the same tensor, but no more; the
floor (relative 1e-6, about 10 float32 ulps) covers tensors that both float32 replays reproduce almost
exactly (t32 can be lucky on, e.g., clipped weights and the iteration counters). A wrong formula -- a
missing term, a wrong epsilon, a batchnorm statistic with the wrong variance, a mask on the wrong
application -- shows up in float64-sized terms, typically 1e-4 to 1 relative, far above
K * err(t32, t64), and from the first checkpoints on, where float32 alone costs 1e-7 to 3e-5. The
default K = 10 is calibrated on the seed models' 20-step runs (docs/replay.md has the figures). The
twin's per-step jitter matters: PyTorch's float32 replays started one ulp apart round alike at every
step and stay close (on mnist-wgan-clip's critic batchnorm slots 8.5e-4 and 9.2e-4 from t64 after 20
steps), while a float32 program with other summation orders drifts further (wganc: 7e-3 there,
though each of its updates is closer to float64 than PyTorch float32's: 5e-8 against 1.2e-7 on those
gradients at step 17). With --dtype float64 or
float32 alone there is no float32 scale; the verdict then uses a fixed relative tolerance
(--fixed-tolerance, default 1e-2), a much weaker check.

Exit status: 0 when every tensor passes, 1 when one does not, 2 on bad input (unknown model, missing
file, a checkpoint whose names or shapes do not match the networks, an input file that lacks a tensor
the phase needs or holds one it does not use).

Dependencies: torch, numpy, safetensors. Deterministic: torch.use_deterministic_algorithms(True) and a
fixed thread count (--threads, default 2).
"""
import argparse
import json
import math
import os
import re
import sys
import time
from collections import defaultdict

import numpy as np
import torch
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import save_file


class BadInput(Exception):
    """The run directory cannot be replayed (exit status 2)."""


# =============================================================================================
# Networks: layer lists mirroring the .wgan sources; parameter names NET.INDEX.weight/bias/...
# =============================================================================================
def dense(units, bias=True, clip=None):
    return ("dense", dict(units=units, bias=bias, clip=clip))


def conv(filters, kernel, stride=1, padding="same", bias=True, clip=None):
    return ("conv", dict(filters=filters, kernel=kernel, stride=stride, padding=padding, bias=bias, clip=clip))


def conv_transpose(filters, kernel, stride=1, padding="same", bias=True, clip=None):
    return ("conv_transpose", dict(filters=filters, kernel=kernel, stride=stride, padding=padding, bias=bias,
                                   clip=clip))


def batchnorm(momentum=0.99, eps=1e-3):
    return ("batchnorm", dict(momentum=momentum, eps=eps))


def leaky_relu(alpha=0.3):
    return ("leaky_relu", dict(alpha=alpha))


def dropout(rate):
    return ("dropout", dict(rate=rate))


def upsample(factor=2):
    return ("upsample", dict(factor=factor))


def pad(amount):
    return ("pad", dict(amount=amount))


def crop(amount):
    return ("crop", dict(amount=amount))


def reshape(shape):
    return ("reshape", dict(shape=tuple(shape)))


RELU, TANH, SIGMOID, FLATTEN = ("relu", {}), ("tanh", {}), ("sigmoid", {}), ("flatten", {})


def same_padding(n, k, s):
    """TensorFlow's padding=same along one axis: (before, after), the odd one after."""
    total = max((math.ceil(n / s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def four_sides(amount):
    """pad/crop amount n, [rows, cols] or [top, bottom, left, right] -> (top, bottom, left, right)."""
    if isinstance(amount, int):
        return amount, amount, amount, amount
    if len(amount) == 2:
        return amount[0], amount[0], amount[1], amount[1]
    return tuple(amount)


def conv2d_one_output(x, w, b, stride):
    """F.conv2d for a single output channel in float64. ATen has no oneDNN path for float64 and its
    im2col + GEMM degenerates to a matrix-vector product per sample here (mnist-wgan-clip's 128 -> 1
    7x7 convolution: 2 s per call); this is the same sum as one GEMM over the input channels for every
    tap, Y[b,o,p,q,h,w] = sum_c w[o,c,p,q] x[b,c,h,w], then the strided diagonal sum over the taps,
    y[b,o,i,j] = sum_{p,q} Y[b,o,p,q,s*i+p,s*j+q], taken as a view (as_strided) that autograd
    differentiates. `self_test` checks it against F.conv2d."""
    O, C, kh, kw = w.shape
    B, _, H, W = x.shape
    Ho, Wo = (H - kh) // stride + 1, (W - kw) // stride + 1
    Y = torch.matmul(w.permute(0, 2, 3, 1).reshape(1, O * kh * kw, C), x.reshape(B, C, H * W)).reshape(B, O, kh, kw, H, W)
    sB, sO, sP, sQ, sH, sW = Y.stride()
    y = Y.as_strided((B, O, Ho, Wo, kh, kw), (sB, sO, stride * sH, stride * sW, sP + sH, sQ + sW)).sum((4, 5))
    return y if b is None else y + b.reshape(1, -1, 1, 1)


def conv2d_unfold(x, w, b, stride):
    """F.conv2d in float64 as one matrix product over the batch: ATen's float64 convolution (no oneDNN)
    runs an im2col and a small GEMM per sample and per pass (mnist-wgan-gp's critic at batch 64: 5 s
    per phase, 90 % of it there); F.unfold + matmul is the same sum as a single GEMM, and autograd
    differentiates it twice (unfold and fold are each other's adjoints). `self_test` checks it."""
    O, C, kh, kw = w.shape
    B, _, H, W = x.shape
    Ho, Wo = (H - kh) // stride + 1, (W - kw) // stride + 1
    cols = F.unfold(x, (kh, kw), stride=stride)                  # B, C*kh*kw, Ho*Wo
    y = torch.matmul(w.reshape(O, C * kh * kw), cols).reshape(B, O, Ho, Wo)
    return y if b is None else y + b.reshape(1, -1, 1, 1)


def conv2d_f64(x, w, b, stride):
    return (conv2d_one_output if w.shape[0] == 1 else conv2d_unfold)(x, w, b, stride)


def self_test():
    """conv2d_one_output and conv2d_unfold against F.conv2d, values and first and second derivatives
    (float64)."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 5, 9, 8, dtype=torch.float64, generator=g, requires_grad=True)
    for O, mine in ((1, conv2d_one_output), (4, conv2d_unfold)):
        w = torch.randn(O, 5, 3, 4, dtype=torch.float64, generator=g, requires_grad=True)
        b = torch.randn(O, dtype=torch.float64, generator=g, requires_grad=True)
        for s in (1, 2):
            outs = []
            for f in (F.conv2d, mine):
                y = f(x, w, b, s) if f is mine else f(x, w, b, stride=s)
                (gx,) = torch.autograd.grad(y.square().sum(), x, create_graph=True)
                outs.append([y, *torch.autograd.grad(gx.square().sum(), [w, b]), gx])
            for u, v in zip(*outs):
                if rel_err(u, v) > 1e-12:
                    raise AssertionError(f"{mine.__name__} disagrees with F.conv2d (stride {s}): {rel_err(u, v):.2e}")


class Net:
    """One network: its layers with static shapes, and a functional forward over a state dict."""

    def __init__(self, name, in_shape, layers):
        self.name = name
        self.params = {}     # name -> shape, trainable parameters in layer order
        self.buffers = {}    # name -> shape, batchnorm running statistics
        self.kinds = {}      # parameter name -> layer kind (for selections such as D.batchnorm)
        self.clips = {}      # weight name -> clip bound
        self.dropouts = []   # layer indices of dropout layers
        self.plan = []       # (index, kind, args, static info)
        shape = tuple(in_shape)
        for i, (kind, a) in enumerate(layers):
            p = f"{name}.{i}."
            info = {}
            if kind == "dense":
                if len(shape) != 1:
                    raise ValueError(f"{p}: dense needs a flat input, got {shape}")
                self._param(p + "weight", (a["units"], shape[0]), kind, a["clip"])
                if a["bias"]:
                    self._param(p + "bias", (a["units"],), kind)
                shape = (a["units"],)
            elif kind in ("conv", "conv_transpose"):
                c, h, w = shape
                k, s = a["kernel"], a["stride"]
                if kind == "conv":
                    if a["padding"] == "same":
                        info["pad"] = (*same_padding(h, k, s), *same_padding(w, k, s))   # t, b, l, r
                    else:
                        info["pad"] = (0, 0, 0, 0)
                    t, b, l, r = info["pad"]
                    shape = (a["filters"], (h + t + b - k) // s + 1, (w + l + r - k) // s + 1)
                    self._param(p + "weight", (a["filters"], c, k, k), kind, a["clip"])
                else:  # full output (n-1)*s + k; same crops it to n*s, the odd row/column after
                    fh, fw = (h - 1) * s + k, (w - 1) * s + k
                    oh, ow = (h * s, w * s) if a["padding"] == "same" else (fh, fw)
                    info["crop"] = ((fh - oh) // 2, fh - oh - (fh - oh) // 2, (fw - ow) // 2, fw - ow - (fw - ow) // 2)
                    shape = (a["filters"], oh, ow)
                    self._param(p + "weight", (c, a["filters"], k, k), kind, a["clip"])   # [in, out, kh, kw]
                if a["bias"]:
                    self._param(p + "bias", (a["filters"],), kind)
            elif kind == "batchnorm":
                self._param(p + "weight", (shape[0],), kind)
                self._param(p + "bias", (shape[0],), kind)
                self.buffers[p + "running_mean"] = (shape[0],)
                self.buffers[p + "running_var"] = (shape[0],)
            elif kind == "dropout":
                self.dropouts.append(i)
            elif kind == "upsample":
                shape = (shape[0], shape[1] * a["factor"], shape[2] * a["factor"])
            elif kind == "pad":
                t, b, l, r = four_sides(a["amount"])
                shape = (shape[0], shape[1] + t + b, shape[2] + l + r)
            elif kind == "crop":
                t, b, l, r = four_sides(a["amount"])
                shape = (shape[0], shape[1] - t - b, shape[2] - l - r)
            elif kind == "reshape":
                if math.prod(a["shape"]) != math.prod(shape):
                    raise ValueError(f"{p}: reshape {shape} -> {a['shape']}")
                shape = a["shape"]
            elif kind == "flatten":
                shape = (math.prod(shape),)
            elif kind not in ("relu", "tanh", "sigmoid", "leaky_relu"):
                raise ValueError(f"unknown layer kind {kind}")
            self.plan.append((i, kind, a, info))
        self.out_shape = shape

    def _param(self, name, shape, kind, clip=None):
        self.params[name] = shape
        self.kinds[name] = kind
        if clip is not None:
            self.clips[name] = clip

    def forward(self, S, x, training, masks, stats_updates):
        """Runs the network on a batch x with the tensors in S (name -> tensor). In training mode
        batchnorm uses batch statistics and appends (name, new running value) to stats_updates, and
        dropout multiplies by masks[layer] / (1 - rate)."""
        B = x.shape[0]
        for i, kind, a, info in self.plan:
            p = f"{self.name}.{i}."
            if kind == "dense":
                x = F.linear(x, S[p + "weight"], S.get(p + "bias"))
            elif kind == "conv":
                t, b, l, r = info["pad"]
                conv2d = conv2d_f64 if x.dtype == torch.float64 else F.conv2d
                x = conv2d(F.pad(x, (l, r, t, b)), S[p + "weight"], S.get(p + "bias"), a["stride"])
            elif kind == "conv_transpose":
                t, b, l, r = info["crop"]
                x = F.conv_transpose2d(x, S[p + "weight"], S.get(p + "bias"), stride=a["stride"])
                x = x[:, :, t:x.shape[2] - b, l:x.shape[3] - r]
            elif kind == "batchnorm":
                dims = [0] + list(range(2, x.dim()))          # per channel (the first per-sample axis)
                view = (1, -1) + (1,) * (x.dim() - 2)
                if training:
                    mean = x.mean(dims, keepdim=True)
                    var = ((x - mean) ** 2).mean(dims, keepdim=True)   # biased, as Keras normalises
                    m = a["momentum"]
                    with torch.no_grad():   # Keras: moving = m * moving + (1 - m) * batch (biased var)
                        stats_updates.append((p + "running_mean", m * S[p + "running_mean"] + (1 - m) * mean.reshape(-1)))
                        stats_updates.append((p + "running_var", m * S[p + "running_var"] + (1 - m) * var.reshape(-1)))
                else:
                    mean = S[p + "running_mean"].reshape(view)
                    var = S[p + "running_var"].reshape(view)
                x = (x - mean) / torch.sqrt(var + a["eps"]) * S[p + "weight"].reshape(view) + S[p + "bias"].reshape(view)
            elif kind == "relu":
                x = torch.relu(x)
            elif kind == "leaky_relu":
                x = F.leaky_relu(x, a["alpha"])
            elif kind == "tanh":
                x = torch.tanh(x)
            elif kind == "sigmoid":
                x = torch.sigmoid(x)
            elif kind == "dropout":
                if training:
                    x = x * masks[i] / (1 - a["rate"])
            elif kind == "upsample":
                f = a["factor"]
                x = x.repeat_interleave(f, dim=2).repeat_interleave(f, dim=3)
            elif kind == "pad":
                t, b, l, r = four_sides(a["amount"])
                x = F.pad(x, (l, r, t, b))
            elif kind == "crop":
                t, b, l, r = four_sides(a["amount"])
                x = x[:, :, t:x.shape[2] - b, l:x.shape[3] - r]
            elif kind == "reshape":
                x = x.reshape(B, *a["shape"])
            elif kind == "flatten":
                x = x.reshape(B, -1)
        return x


# =============================================================================================
# Training rules: one function per phase, its statements in the model's order
# =============================================================================================
def gp_critic(ph, lam=10.0):
    """fake = G(z); xhat = real + alpha (fake - real); gp = mean((norm(grad(D(xhat), xhat)) - 1)^2);
    wdist = mean(D(real)) - mean(D(fake)); loss = -wdist + lam gp."""
    real, z, alpha = ph.input("real"), ph.input("z"), ph.input("alpha")
    fake = ph.apply("G", z)
    a = alpha.reshape((-1,) + (1,) * (real.dim() - 1))
    xhat = (real + a * (fake - real)).detach().requires_grad_(True)   # G is not trained here
    (g,) = torch.autograd.grad(ph.apply("D", xhat).sum(), xhat, create_graph=True)
    gp = ((g.flatten(1).norm(dim=1) - 1) ** 2).mean()
    wdist = ph.apply("D", real).mean() - ph.apply("D", fake).mean()
    loss = -wdist + lam * gp
    return loss, dict(fake=fake, alpha=alpha, xhat=xhat, gp=gp, wdist=wdist)


def gen_neg_mean(ph):
    """loss = -mean(D(G(z)))  (mnist-wgan-clip writes mean(-1 * D(G(z))), the same value)."""
    return -ph.apply("D", ph.apply("G", ph.input("z"))).mean(), {}


def clip_real_half(ph):
    """loss = mean(-1 * D(real))."""
    return (-1 * ph.apply("D", ph.input("real"))).mean(), {}


def clip_fake_half(ph):
    """fake = G(z, training=false); loss = mean(1 * D(fake))."""
    fake = ph.apply("G", ph.input("z"), training=False)
    return ph.apply("D", fake).mean(), dict(fake=fake)


# =============================================================================================
# The supported models
# =============================================================================================
def adam(lr, beta1=0.9, beta2=0.999, eps=None, convention="keras", decay="none"):
    return dict(kind="adam", lr=lr, beta1=beta1, beta2=beta2, convention=convention, decay=decay,
                eps=eps if eps is not None else (1e-7 if convention == "keras" else 1e-8))


def rmsprop(lr, rho=None, eps=None, convention="keras"):
    k = convention == "keras"
    return dict(kind="rmsprop", lr=lr, convention=convention, rho=rho if rho is not None else (0.9 if k else 0.99),
                eps=eps if eps is not None else (1e-7 if k else 1e-8))


def _mlp(out, width=512):
    return [dense(width), RELU, dense(width), RELU, dense(width), RELU, dense(out)]


_TOY8 = dict(
    nets=dict(G=((2,), _mlp(2)), D=((2,), _mlp(1))),
    updates=dict(critic=(["D"], adam(1e-4, 0.5, 0.9, convention="pytorch")),
                 generator=(["G"], adam(1e-4, 0.5, 0.9, convention="pytorch"))),
    phases={"critic": ("critic", gp_critic), "generator": ("generator", gen_neg_mean)})

# models/toy8-demo.wgan: toy8 at width 64, lr 1e-3 falling linearly to 0 over the model's steps
_TOY8_DEMO = dict(
    nets=dict(G=((2,), _mlp(2, 64)), D=((2,), _mlp(1, 64))),
    updates=dict(critic=(["D"], adam(1e-3, 0.5, 0.9, convention="pytorch", decay="linear")),
                 generator=(["G"], adam(1e-3, 0.5, 0.9, convention="pytorch", decay="linear"))),
    phases=_TOY8["phases"])

_MNIST_GP = dict(
    nets=dict(
        G=((128,), [dense(4096, bias=False), batchnorm(), leaky_relu(0.2), reshape([256, 4, 4]),
                    upsample(2), conv(128, 3, bias=False), batchnorm(), leaky_relu(0.2),
                    upsample(2), conv(64, 3, bias=False), batchnorm(), leaky_relu(0.2),
                    upsample(2), conv(1, 3, bias=False), batchnorm(), TANH,
                    crop(2)]),
        D=((1, 28, 28), [pad(2),
                         conv(64, 5, stride=2), leaky_relu(0.2),
                         conv(128, 5, stride=2), leaky_relu(0.2), dropout(0.3),
                         conv(256, 5, stride=2), leaky_relu(0.2), dropout(0.3),
                         conv(512, 5, stride=2), leaky_relu(0.2),
                         FLATTEN, dropout(0.2), dense(1)])),
    updates=dict(critic=(["D"], adam(2e-4, 0.5, 0.9)), generator=(["G"], adam(2e-4, 0.5, 0.9))),
    phases={"critic": ("critic", gp_critic), "generator": ("generator", gen_neg_mean)})

_MNIST_CLIP = dict(
    nets=dict(
        G=((50,), [dense(6272), leaky_relu(0.2), reshape([128, 7, 7]),
                   conv_transpose(128, 4, stride=2), batchnorm(), leaky_relu(0.2),
                   conv_transpose(128, 4, stride=2), batchnorm(), leaky_relu(0.2),
                   conv(1, 7), TANH]),
        D=((1, 28, 28), [conv(64, 4, stride=2, clip=0.01), batchnorm(), leaky_relu(0.2),
                         conv(64, 4, stride=2, clip=0.01), batchnorm(), leaky_relu(0.2),
                         FLATTEN, dense(1)])),
    updates=dict(critic=(["D"], rmsprop(5e-5)), generator=(["G", "D.batchnorm"], rmsprop(5e-5))),
    phases={"critic.real_half": ("critic", clip_real_half), "critic.fake_half": ("critic", clip_fake_half),
            "generator": ("generator", gen_neg_mean)})

MODELS = {"toy8_wgan_gp": _TOY8, "toy8_demo": _TOY8_DEMO, "mnist_wgan_gp": _MNIST_GP, "mnist_wgan_gp_paper": _MNIST_GP,
          "mnist_wgan_clip": _MNIST_CLIP}


# =============================================================================================
# Optimisers
# =============================================================================================
class KerasRMSprop(torch.optim.Optimizer):
    """Keras' RMSprop (no momentum, not centred): ms = rho*ms + (1-rho)*g^2; p -= lr*g / sqrt(ms + eps).
    (torch.optim.RMSprop puts eps outside the root: p -= lr*g / (sqrt(ms) + eps).)"""

    def __init__(self, params, lr, rho=0.9, eps=1e-7):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            lr, rho, eps = group["lr"], group["rho"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st["step"], st["ms"] = 0, torch.zeros_like(p)
                st["ms"].mul_(rho).addcmul_(p.grad, p.grad, value=1 - rho)
                p.addcdiv_(p.grad, (st["ms"] + eps).sqrt(), value=-lr)
                st["step"] += 1


class Optimiser:
    """One wganc update's optimiser over named parameters, with wganc's slot names."""

    def __init__(self, update, cfg, names, tensors, decay_updates=None):
        """decay_updates: with decay=linear, the optimiser steps over which lr falls to 0."""
        self.update, self.cfg, self.names, self.tensors = update, cfg, names, tensors
        self.decay_updates = decay_updates
        ps = [tensors[n] for n in names]
        if cfg["kind"] == "adam":
            self.opt = torch.optim.Adam(ps, lr=cfg["lr"], betas=(cfg["beta1"], cfg["beta2"]), eps=cfg["eps"],
                                        foreach=False)
            self.slots = {"m": "exp_avg", "v": "exp_avg_sq"}
        elif cfg["convention"] == "keras":
            self.opt = KerasRMSprop(ps, lr=cfg["lr"], rho=cfg["rho"], eps=cfg["eps"])
            self.slots = {"ms": "ms"}
        else:
            self.opt = torch.optim.RMSprop(ps, lr=cfg["lr"], alpha=cfg["rho"], eps=cfg["eps"], foreach=False)
            self.slots = {"ms": "square_avg"}
        self.t = 1   # wganc's 1-based iteration of the next step

    def slot_names(self):
        return [f"{self.update}.{n}.{s}" for n in self.names for s in self.slots] + [f"{self.update}.t"]

    def load(self, ckpt, dtype):
        """Optimiser state from a checkpoint: slots and t (torch's step count is t - 1)."""
        self.t = int(round(float(ckpt[f"{self.update}.t"])))
        for n in self.names:
            p = self.tensors[n]
            st = {k: ckpt[f"{self.update}.{n}.{s}"].to(dtype).clone() for s, k in self.slots.items()}
            st["step"] = (torch.tensor(float(self.t - 1), dtype=torch.float32)
                          if not isinstance(self.opt, KerasRMSprop) else self.t - 1)
            self.opt.state[p] = st

    def dump(self):
        out = {f"{self.update}.t": torch.tensor(float(self.t))}
        for n in self.names:
            st = self.opt.state[self.tensors[n]]
            for s, k in self.slots.items():
                out[f"{self.update}.{n}.{s}"] = st[k].detach().clone()
        return out

    def step(self, grads):
        if self.cfg["kind"] == "adam" and self.cfg["convention"] == "keras":
            # Keras Adam = torch Adam with eps_t = eps / sqrt(1 - beta2^t) (see the docstring)
            self.opt.param_groups[0]["eps"] = self.cfg["eps"] / math.sqrt(1 - self.cfg["beta2"] ** self.t)
        if self.decay_updates:
            # decay=linear (wganc's Model.Linear): lr * max(0, 1 - (t-1)/updates)
            self.opt.param_groups[0]["lr"] = self.cfg["lr"] * max(0.0, 1 - (self.t - 1) / self.decay_updates)
        for n, g in zip(self.names, grads):
            self.tensors[n].grad = g
        self.opt.step()
        for n in self.names:
            self.tensors[n].grad = None
        self.t += 1


# =============================================================================================
# The replay
# =============================================================================================
class PhaseContext:
    """What one phase reads: its recorded inputs (each must be used) and the network applications."""

    def __init__(self, replay, inputs, phase):
        self.replay, self.inputs, self.phase = replay, inputs, phase
        self.used, self.count, self.stats_updates = set(), defaultdict(int), []

    def input(self, name):
        if name not in self.inputs:
            raise BadInput(f"phase {self.phase}: the inputs file lacks `{name}` (has: {sorted(self.inputs)})")
        self.used.add(name)
        return self.inputs[name]

    def apply(self, net_name, x, training=True):
        net = self.replay.nets[net_name]
        k = self.count[net_name]
        self.count[net_name] += 1
        masks = {i: self.input(f"{net_name}.{i}.mask.{k}") for i in net.dropouts} if training else {}
        start = len(self.stats_updates)
        y = net.forward(self.replay.S, x, training, masks, self.stats_updates)
        for name, value in self.stats_updates[start:]:   # chained in application order
            self.replay.S[name] = value
        return y


class Replay:
    """G and D of a supported model in one dtype, their optimisers, and the phases."""

    def __init__(self, model, dtype, jitter=None):
        """jitter: a seed; then every gradient element is moved by one ulp of its dtype, up or down at
        random, before each optimiser step (another float32 implementation's rounding)."""
        self.jitter = None if jitter is None else torch.Generator().manual_seed(jitter)
        if model not in MODELS:
            raise BadInput(f"model `{model}` is not supported; this replay knows {', '.join(sorted(MODELS))}")
        self.model, self.spec, self.dtype = model, MODELS[model], dtype
        self.nets = {n: Net(n, shape, layers) for n, (shape, layers) in self.spec["nets"].items()}
        self.S = {}
        self.trained = {}
        for u, (selections, _) in self.spec["updates"].items():
            names = []
            for sel in selections:
                net, _, kind = sel.partition(".")
                names += [p for p, k in self.nets[net].kinds.items() if not kind or k == kind]
            self.trained[u] = names
        self.opts = {}
        self.decay = {}   # update -> optimiser steps of its linear decay (set from the run's model.wgan)

    def expected(self):
        """Every tensor a checkpoint holds: name -> shape."""
        out = {}
        for net in self.nets.values():
            out.update(net.params)
            out.update(net.buffers)
        for u, names in self.trained.items():
            kind = self.spec["updates"][u][1]
            slots = ["m", "v"] if kind["kind"] == "adam" else ["ms"]
            for n in names:
                for s in slots:
                    out[f"{u}.{n}.{s}"] = out[n]
            out[f"{u}.t"] = ()
        return out

    def load(self, ckpt):
        for net in self.nets.values():
            for n in list(net.params) + list(net.buffers):
                self.S[n] = ckpt[n].to(self.dtype).clone()
        self.opts = {u: Optimiser(u, self.spec["updates"][u][1], names, self.S, self.decay.get(u))
                     for u, names in self.trained.items()}
        for o in self.opts.values():
            o.load(ckpt, self.dtype)

    def state(self):
        out = {n: t.detach().clone() for n, t in self.S.items()}
        for o in self.opts.values():
            out.update(o.dump())
        return out

    def run_phase(self, phase, inputs):
        """One phase: loss, gradients of the update's parameters, optimiser step, clipping. Returns
        (loss, named values, {param: gradient})."""
        if phase not in self.spec["phases"]:
            raise BadInput(f"model {self.model} has no phase `{phase}` (has {', '.join(self.spec['phases'])})")
        update, rule = self.spec["phases"][phase]
        names = self.trained[update]
        trained = set(names)
        for n, t in self.S.items():
            if n in trained or t.requires_grad:
                t.requires_grad_(n in trained)
        ph = PhaseContext(self, {k: v.to(self.dtype) for k, v in inputs.items()}, phase)
        loss, values = rule(ph)
        unused = sorted(set(inputs) - ph.used)
        if unused:
            raise BadInput(f"phase {phase}: the inputs file holds {unused}, which this replay does not use")
        grads = torch.autograd.grad(loss, [self.S[n] for n in names])
        if self.jitter is not None:
            ulp = torch.finfo(self.dtype).eps
            grads = tuple(g * (1 + (torch.randint(0, 2, g.shape, generator=self.jitter) * 2 - 1).to(g.dtype) * ulp)
                          for g in grads)
        self.opts[update].step(grads)
        with torch.no_grad():
            for net in self.nets.values():
                for n, c in net.clips.items():
                    if n in trained:
                        self.S[n].clamp_(-c, c)
        for n in names:
            self.S[n].requires_grad_(False)
        return loss.detach(), {k: v.detach() for k, v in values.items()}, dict(zip(names, grads))


# =============================================================================================
# Run directories
# =============================================================================================
def read_safetensors(path):
    if not os.path.exists(path):
        raise BadInput(f"{path}: no such file")
    with safe_open(path, "pt") as f:
        return {k: f.get_tensor(k) for k in f.keys()}, (f.metadata() or {})


def checkpoint_path(run, step):
    return os.path.join(run, "checkpoints", f"step-{step:06d}.safetensors")


def check_names(replay, ckpt, path):
    exp = replay.expected()
    missing = sorted(set(exp) - set(ckpt))
    extra = sorted(set(ckpt) - set(exp))
    wrong = sorted(f"{n}: {tuple(ckpt[n].shape)} (expected {exp[n]})" for n in set(exp) & set(ckpt)
                   if tuple(ckpt[n].shape) != tuple(exp[n]))
    if missing or extra or wrong:
        msg = [f"{path} does not match the {replay.model} networks built here:"]
        if missing:
            msg.append(f"  missing ({len(missing)}): {', '.join(missing[:12])}{' ...' if len(missing) > 12 else ''}")
        if extra:
            msg.append(f"  unexpected ({len(extra)}): {', '.join(extra[:12])}{' ...' if len(extra) > 12 else ''}")
        if wrong:
            msg.append(f"  wrong shape ({len(wrong)}): {'; '.join(wrong[:8])}")
        raise BadInput("\n".join(msg))


def ulp_perturbed(ckpt, seed):
    """The checkpoint with every float32 value moved by one ulp up or down at random (iteration counters
    kept): the start of a twin float32 replay, whose drift from t64 samples float32's spread again."""
    g = torch.Generator().manual_seed(seed)
    out = {}
    for k, v in ckpt.items():
        if k.endswith(".t") or not v.is_floating_point():
            out[k] = v
        else:
            sign = torch.randint(0, 2, v.shape, generator=g).to(torch.float32) * 2 - 1
            out[k] = (v.to(torch.float32) * (1 + sign * 2.0 ** -23)).to(v.dtype)
    return out


def rel_err(a, b):
    a, b = a.double().reshape(-1), b.double().reshape(-1)
    nb = b.norm().item()
    d = (a - b).norm().item()
    return d / nb if nb > 0 else d


def compare(wganc, t64, t32s, K, floor, fixed):
    """One row per checkpoint tensor, worst first. t32s: the float32 replays (t32 first, then its twins).
    `score` = error / bound (passes when <= 1)."""
    rows = []
    t32 = t32s[0] if t32s else None
    for name in sorted(wganc):
        w = wganc[name]
        r = dict(name=name, shape=list(w.shape))
        if t64 is not None:
            r["err_wganc_t64"] = rel_err(w, t64[name])
        if t32 is not None:
            r["err_wganc_t32"] = rel_err(w, t32[name])
        if t64 is not None and t32 is not None:
            r["err_t32s_t64"] = [rel_err(x[name], t64[name]) for x in t32s]
            r["err_t32_t64"] = max(r["err_t32s_t64"])   # the float32 noise scale: the worst float32 replay
            # float32 has not one significant digit of the float64 value: a quantity that is zero in exact
            # arithmetic and moved by rounding only (a conv bias before batchnorm has a zero gradient)
            r["roundoff"] = r["err_t32_t64"] > 1
            r["bound"] = max(K * r["err_t32_t64"], floor)
        else:
            r["roundoff"] = False
            r["bound"] = fixed
        err = r.get("err_wganc_t64", r.get("err_wganc_t32"))
        r["score"] = err / r["bound"] if r["bound"] else None
        r["ok"] = r["score"] is None or r["score"] <= 1
        rows.append(r)
    rows.sort(key=lambda r: -(r["score"] if r["score"] is not None else
                              r.get("err_wganc_t64", r.get("err_wganc_t32"))))
    return rows


def summarise(step, rows):
    """Verdict and worst figures of one checkpoint; roundoff-driven tensors are counted apart."""
    out = dict(step=step, passed=all(r["ok"] for r in rows), failing=[r["name"] for r in rows if not r["ok"]],
               tensors=len(rows), roundoff=[r["name"] for r in rows if r["roundoff"]])
    sig = [r for r in rows if not r["roundoff"]]
    for key in ("err_wganc_t64", "err_t32_t64", "err_wganc_t32", "score"):
        have = [r for r in sig if r.get(key) is not None]
        if have:
            w = max(have, key=lambda r: r[key])
            out["worst_" + key] = dict(name=w["name"], value=w[key])
    noise = [r for r in rows if r["roundoff"] and r.get("err_t32_t64")]
    if noise:   # for these, err(wganc,t64)/err(t32,t64) ~ |wganc| / |t32|: the ratio of rounding noise amplitudes
        w = max(noise, key=lambda r: r["err_wganc_t64"] / r["err_t32_t64"])
        out["roundoff_worst_ratio"] = dict(name=w["name"], value=w["err_wganc_t64"] / w["err_t32_t64"])
    return out


def fmt(x):
    return "-" if x is None else f"{x:.2e}"


def print_table(rows, limit):
    n = len(rows) if limit == 0 else min(limit, len(rows))
    print(f"{'tensor':<34} {'shape':<18} {'wganc~t64':>10} {'t32~t64':>10} {'wganc~t32':>10} {'bound':>10} "
          f"{'score':>7}  verdict")
    for r in rows[:n]:
        sc = "-" if r["score"] is None else f"{r['score']:.3f}"
        print(f"{r['name']:<34} {str(tuple(r['shape'])):<18} {fmt(r.get('err_wganc_t64')):>10} "
              f"{fmt(r.get('err_t32_t64')):>10} {fmt(r.get('err_wganc_t32')):>10} {fmt(r['bound']):>10} "
              f"{sc:>7}  {'ok' if r['ok'] else 'FAIL'}{' (roundoff-driven)' if r['roundoff'] else ''}")
    if n < len(rows):
        print(f"... {len(rows) - n} more rows" + (" (all ok)" if all(r["ok"] for r in rows[n:]) else ""))


def describe(sm):
    parts = [f"{k.replace('worst_', 'worst ')} {sm[k]['value']:.2e} ({sm[k]['name']})"
             for k in ("worst_err_wganc_t64", "worst_err_t32_t64", "worst_err_wganc_t32") if k in sm]
    if "worst_score" in sm:
        parts.append(f"worst score {sm['worst_score']['value']:.3f} ({sm['worst_score']['name']}; 1 is the bound)")
    if sm["roundoff"]:
        parts.append(f"{len(sm['roundoff'])} roundoff-driven tensors"
                     + (f" (noise ratio wganc/t32 up to {sm['roundoff_worst_ratio']['value']:.2f})"
                        if "roundoff_worst_ratio" in sm else ""))
    return "; ".join(parts)


def model_steps(path):
    """The train block's `steps N` of a model file."""
    try:
        with open(path) as f:
            m = re.search(r"^\s*train\b[^{]*\bsteps\s+(\d+)", f.read(), re.M)
    except OSError as e:
        raise BadInput(f"{path}: {e.strerror}")
    if not m:
        raise BadInput(f"{path}: no `steps N` in its train block (a linear decay runs over it)")
    return int(m.group(1))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", help="run directory (wganc train --record-inputs --out RUN)")
    ap.add_argument("--steps", type=int, help="replay up to this step (default: the newest checkpoint's)")
    ap.add_argument("--from", dest="start", type=int, default=0, help="start from this checkpoint (default 0)")
    ap.add_argument("--dtype", choices=["both", "float64", "float32"], default="both",
                    help="replays to run (default both; the K criterion needs both)")
    ap.add_argument("--tolerance", type=float, default=10.0, metavar="K",
                    help="err(wganc,t64) may be at most K * err(t32,t64) (default 10)")
    ap.add_argument("--floor", type=float, default=1e-6, help="smallest bound on a tensor's relative error (1e-6)")
    ap.add_argument("--fixed-tolerance", type=float,
                    help="with one --dtype only: pass when every err(wganc, replay) <= this (default: no verdict)")
    ap.add_argument("--twins", type=int, default=1,
                    help="extra float32 replays whose start state and every gradient are moved by one ulp at random "
                         "(default 1; 0 = none)")
    ap.add_argument("--save", metavar="DIR", help="write the replays' final states to DIR as safetensors")
    ap.add_argument("--threads", type=int, default=2, help="torch intra-op threads (2)")
    ap.add_argument("--json", action="store_true", help="print a JSON summary instead of the table")
    ap.add_argument("--rows", type=int, default=25, help="table rows to print, worst first (0 = all; default 25)")
    a = ap.parse_args(argv)

    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(a.threads)
    self_test()
    log = (lambda m: print(m, file=sys.stderr, flush=True))
    t_start = time.perf_counter()
    try:
        mpath = os.path.join(a.run, "manifest.json")
        if not os.path.exists(mpath):
            raise BadInput(f"{mpath}: no such file (is {a.run} a wganc run directory?)")
        with open(mpath) as f:
            manifest = json.load(f)
        model, schedule = manifest.get("model"), manifest.get("schedule")
        if model not in MODELS:
            raise BadInput(f"model `{model}` is not supported; this replay knows {', '.join(sorted(MODELS))}")
        if not schedule:
            raise BadInput(f"{mpath} has no `schedule` (train with a wganc that records inputs)")
        ckdir = os.path.join(a.run, "checkpoints")
        available = sorted(int(f[5:-12]) for f in (os.listdir(ckdir) if os.path.isdir(ckdir) else [])
                           if f.startswith("step-") and f.endswith(".safetensors") and f[5:-12].isdigit())
        if not available:
            raise BadInput(f"{ckdir} holds no step-*.safetensors")
        if a.steps is None:
            a.steps = available[-1]
        if a.steps <= a.start:
            raise BadInput(f"--steps {a.steps} must be after the starting checkpoint {a.start}")
        if a.steps not in available:
            raise BadInput(f"no checkpoint at step {a.steps} (have {', '.join(map(str, available))})")
        compare_at = [s for s in available if a.start < s <= a.steps]   # every checkpoint on the way
        ck0, meta0 = read_safetensors(checkpoint_path(a.run, a.start))
        replays, start_state = {}, {}
        if a.dtype in ("both", "float64"):
            replays["t64"], start_state["t64"] = Replay(model, torch.float64), ck0
        if a.dtype in ("both", "float32"):
            replays["t32"], start_state["t32"] = Replay(model, torch.float32), ck0
        if a.dtype == "both":
            for i in range(a.twins):
                name = "t32" + "bcdefghijklmnopqrstuvwxyz"[i]
                replays[name], start_state[name] = Replay(model, torch.float32, jitter=i + 1), ulp_perturbed(ck0, seed=i + 1)
        both = "t64" in replays and "t32" in replays
        probe = next(iter(replays.values()))
        check_names(probe, ck0, checkpoint_path(a.run, a.start))
        for ph in schedule:
            if ph not in probe.spec["phases"]:
                raise BadInput(f"schedule phase `{ph}` is not a phase of {model}")
        decay = {}
        for u, (_, cfg) in probe.spec["updates"].items():
            if cfg.get("decay") == "linear":
                # over the model's `steps` (not the run's), each step taking this many optimiser steps of u
                per_step = sum(1 for ph in schedule if probe.spec["phases"][ph][0] == u)
                decay[u] = model_steps(os.path.join(a.run, "model.wgan")) * per_step
        for name, rp in replays.items():
            rp.decay = decay
            rp.load(start_state[name])
        rng = int(meta0.get("rng_step", a.start * len(schedule)))
        log(f"replaying {a.run}: {model}, steps {a.start}..{a.steps} ({', '.join(replays)} in lockstep), "
            f"schedule {schedule}, comparing at steps {compare_at}, threads {a.threads}")
        results, secs = [], defaultdict(float)
        for step in range(a.start + 1, a.steps + 1):
            for phase in schedule:
                inputs, meta = read_safetensors(os.path.join(a.run, "inputs", f"{rng:06d}-{phase}.safetensors"))
                if meta.get("phase", phase) != phase or int(meta.get("rng_step", rng)) != rng:
                    raise BadInput(f"inputs {rng:06d}-{phase}: its metadata says phase {meta.get('phase')}, "
                                   f"rng_step {meta.get('rng_step')}")
                for name, rp in replays.items():
                    t0 = time.perf_counter()
                    rp.run_phase(phase, inputs)
                    secs[name] += time.perf_counter() - t0
                rng += 1
            if step in compare_at:
                path = checkpoint_path(a.run, step)
                ck, _ = read_safetensors(path)
                check_names(probe, ck, path)
                st = {name: rp.state() for name, rp in replays.items()}
                rows = compare(ck, st.get("t64"), [v for k, v in st.items() if k.startswith("t32")], a.tolerance,
                               a.floor, a.fixed_tolerance if not both else None)
                if a.save and step == a.steps:
                    os.makedirs(a.save, exist_ok=True)
                    for name, v in st.items():
                        save_file({k: t.contiguous() for k, t in v.items()},
                                  os.path.join(a.save, f"{name}-step-{step:06d}.safetensors"))
                results.append((summarise(step, rows), rows))
            if (step - a.start) % max(1, (a.steps - a.start) // 10) == 0 or step == a.steps:
                log(f"  step {step}/{a.steps}: " + ", ".join(f"{k} {v:.1f} s" for k, v in secs.items()))
    except BadInput as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    verdict = both or a.fixed_tolerance is not None
    crit = (f"err(wganc,t64) <= max({a.tolerance:g} * max(err(t32,t64), err(twin,t64)), {a.floor:g})"
            if both and a.twins else f"err(wganc,t64) <= max({a.tolerance:g} * err(t32,t64), {a.floor:g})" if both else
            f"err(wganc,{next(iter(replays))}) <= {a.fixed_tolerance:g}" if verdict else
            "none (one replay only: errors are reported, no verdict)")
    passed = all(sm["passed"] for sm, _ in results)
    final, final_rows = results[-1]
    summary = dict(run=a.run, model=model, start=a.start, steps=a.steps, batch=manifest.get("batch"),
                   schedule=schedule, replays=list(replays), criterion=crit,
                   passed=passed if verdict else None, seconds={k: round(v, 1) for k, v in secs.items()},
                   total_seconds=round(time.perf_counter() - t_start, 1),
                   checkpoints=[sm for sm, _ in results])
    if a.json:
        summary["rows"] = final_rows
        print(json.dumps(summary, indent=1))
    else:
        print(f"step {final['step']} ({model}, {a.run}):")
        print_table(final_rows, a.rows)
        for sm, _ in results[:-1]:
            print(f"step {sm['step']}: {'pass' if sm['passed'] else 'FAIL ' + ', '.join(sm['failing'])}; "
                  f"{describe(sm)}")
        head = ("PASS" if passed else "FAIL") if verdict else "NO VERDICT"
        print(f"{head}: {model}, steps {a.start}..{a.steps}, {len(results)} checkpoint(s) compared, "
              f"{final['tensors']} tensors, {sum(len(sm['failing']) for sm, _ in results)} failing; criterion {crit}; "
              f"at step {final['step']}: {describe(final)}; replay " + ", ".join(f"{k} {v:.1f} s" for k, v in secs.items()))
    return 0 if passed or not verdict else 1


if __name__ == "__main__":
    sys.exit(main())
