#!/usr/bin/env python3
"""Reference runs of gradstep's optimizers, computed with numpy alone.

Writes tests/data/optimizer_reference.json, which tests/optimizers.rs checks
the Rust optimizers against. The update rules are PyTorch's documented
algorithms with its defaults (torch.optim.SGD with and without momentum and
nesterov, Adagrad, RMSprop, Adam), written out below in the order PyTorch's
code evaluates them.

Data: tests/data/stackloss.csv (linear regression, L = (1/n)·Σ(t − y)²,
∇L = (2/n)·Aᵀr with r = Aθ − t) and tests/data/spector.csv (logistic,
L = mean(softplus(z) − t·z), ∇L = Aᵀ(σ(z) − t)/n), target = last column,
features standardized with the population std, A = [Z 1], θ = [w…, b]
starting at 0. Each run makes 50 updates and records the full-data loss
before the first and after every update (51 values) and θ after every
update.

Run from the repository root:  python3 scripts/reference/optimizers.py
"""

import csv
import json
import math
import os

import numpy as np

STEPS = 50
ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "tests", "data", "optimizer_reference.json")

SOURCES = {
    "gd": "https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html",
    "momentum": "https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html",
    "nesterov": "https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html",
    "adagrad": "https://docs.pytorch.org/docs/stable/generated/torch.optim.Adagrad.html",
    "rmsprop": "https://docs.pytorch.org/docs/stable/generated/torch.optim.RMSprop.html",
    "adam": "https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html",
}

FORMULAS = {
    "gd": "θ ← θ − α·g",
    "momentum": "v ← g (t = 1), v ← μ·v + g (t > 1); θ ← θ − α·v",
    "nesterov": "v ← g (t = 1), v ← μ·v + g (t > 1); θ ← θ − α·(g + μ·v)",
    "adagrad": "G ← G + g²; θ ← θ − α·(g/(√G + ε))",
    "rmsprop": "s ← a·s + (1 − a)·g²; θ ← θ − α·(g/(√s + ε))",
    "adam": "m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; c₁ = 1 − β₁ᵗ; c₂ = 1 − β₂ᵗ; "
    "θ ← θ − (α/c₁)·(m/(√v/√c₂ + ε))",
}

# PyTorch's defaults.
DEFAULTS = {"momentum": 0.9, "beta1": 0.9, "beta2": 0.999, "decay": 0.99}
DEFAULT_EPS = {"adagrad": 1e-10, "rmsprop": 1e-8, "adam": 1e-8}
DEFAULT_LR = {"adagrad": 0.01, "rmsprop": 0.01, "adam": 0.001}


def load(name):
    path = os.path.join(ROOT, "tests", "data", name)
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    data = np.array([[float(c) for c in r] for r in body])
    x, t = data[:, :-1], data[:, -1]
    z = (x - x.mean(axis=0)) / x.std(axis=0)  # population std (ddof = 0)
    a = np.hstack([z, np.ones((len(t), 1))])
    return header, a, t


def linear_loss_grad(a, t, theta):
    r = a @ theta - t
    n = len(t)
    return float(r @ r) / n, (2.0 / n) * (a.T @ r)


def logistic_loss_grad(a, t, theta):
    z = a @ theta
    n = len(t)
    loss = float(np.mean(np.logaddexp(0.0, z) - t * z))
    p = 1.0 / (1.0 + np.exp(-z))
    return loss, a.T @ (p - t) / n


def curvature(model, a):
    n = a.shape[0]
    top = float(np.linalg.eigvalsh(a.T @ a)[-1])
    # Linear: λmax of the Hessian (2/n)AᵀA; logistic: the bound (1/4n)·λmax(AᵀA).
    return 2.0 * top / n if model == "linear" else top / (4.0 * n)


def rate(schedule, base, k):
    kind = schedule["kind"]
    if kind == "constant":
        return base
    if kind == "step":
        return base * schedule["factor"] ** (k // schedule["every"])
    if kind == "exp":
        return base * schedule["gamma"] ** k
    if kind == "inverse":
        return base / (1.0 + schedule["decay"] * k)
    if kind == "cosine":
        period = schedule["period"]
        return base * (1.0 + math.cos(math.pi * min(k, period) / period)) / 2.0
    raise ValueError(kind)


def run(loss_grad, a, t, kind, lr, schedule, hyper, eps):
    dim = a.shape[1]
    theta = np.zeros(dim)
    mem1 = np.zeros(dim)  # v (momentum), G, s, or m
    mem2 = np.zeros(dim)  # Adam's v
    mu, b1, b2, dec = hyper["momentum"], hyper["beta1"], hyper["beta2"], hyper["decay"]
    loss, g = loss_grad(a, t, theta)
    losses, thetas = [loss], []
    for k in range(STEPS):
        step_t = k + 1
        alpha = rate(schedule, lr, k)
        if kind == "gd":
            theta = theta - alpha * g
        elif kind in ("momentum", "nesterov"):
            mem1 = g.copy() if step_t == 1 else mu * mem1 + g
            direction = g + mu * mem1 if kind == "nesterov" else mem1
            theta = theta - alpha * direction
        elif kind == "adagrad":
            mem1 = mem1 + g * g
            theta = theta - alpha * (g / (np.sqrt(mem1) + eps))
        elif kind == "rmsprop":
            mem1 = dec * mem1 + (1.0 - dec) * (g * g)
            theta = theta - alpha * (g / (np.sqrt(mem1) + eps))
        elif kind == "adam":
            mem1 = b1 * mem1 + (1.0 - b1) * g
            mem2 = b2 * mem2 + (1.0 - b2) * (g * g)
            c1 = 1.0 - b1**step_t
            c2 = 1.0 - b2**step_t
            denom = np.sqrt(mem2) / math.sqrt(c2) + eps
            theta = theta - (alpha / c1) * (mem1 / denom)
        else:
            raise ValueError(kind)
        loss, g = loss_grad(a, t, theta)
        losses.append(loss)
        thetas.append(theta.tolist())
    return losses, thetas


def main():
    datasets = [
        ("stackloss", "stackloss.csv", "linear", linear_loss_grad),
        ("spector", "spector.csv", "logistic", logistic_loss_grad),
    ]
    out_datasets, runs = [], []
    for name, file, model, loss_grad in datasets:
        header, a, t = load(file)
        lip = curvature(model, a)
        out_datasets.append(
            {
                "name": name,
                "file": "tests/data/" + file,
                "model": model,
                "columns": header,
                "rows": int(a.shape[0]),
                "features": int(a.shape[1] - 1),
                "curvature_l": lip,
                "gd_learning_rate": 1.0 / lip,
            }
        )
        cases = []
        for kind in ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]:
            cases.append((kind, DEFAULT_LR.get(kind, 1.0 / lip), {"kind": "constant"}))
        cases.append(("adam", 0.1, {"kind": "constant"}))
        for schedule in [
            {"kind": "step", "every": 10, "factor": 0.5},
            {"kind": "exp", "gamma": 0.95},
            {"kind": "inverse", "decay": 0.1},
            {"kind": "cosine", "period": 30},
        ]:
            cases.append(("gd", 1.0 / lip, schedule))
        for kind, lr, schedule in cases:
            hyper = dict(DEFAULTS)
            eps = DEFAULT_EPS.get(kind)
            losses, thetas = run(loss_grad, a, t, kind, lr, schedule, hyper, eps)
            runs.append(
                {
                    "dataset": name,
                    "optimizer": kind,
                    "learning_rate": lr,
                    # OptimizerConfig's serde form; eps null = the kind's default.
                    "config": dict(kind=kind, eps=None, **hyper),
                    "eps_used": eps,
                    "schedule": schedule,
                    "steps": STEPS,
                    "loss": losses,
                    "theta": thetas,
                }
            )
    doc = {
        "header": {
            "script": "scripts/reference/optimizers.py",
            "numpy": np.__version__,
            "source": "PyTorch's documented update rules (torch.optim docs), defaults as documented",
            "sources": SOURCES,
            "formulas": FORMULAS,
            "losses": {
                "linear": "L = (1/n)·Σ(Aθ − t)², ∇L = (2/n)·Aᵀ(Aθ − t)",
                "logistic": "L = mean(softplus(Aθ) − t·Aθ), ∇L = Aᵀ(σ(Aθ) − t)/n",
            },
            "data": "features standardized with the population std; A = [Z 1]; θ = [w…, b] = 0 at start",
            "learning_rates": "gd, momentum, nesterov: 1/L (linear: λmax((2/n)AᵀA); "
            "logistic: λmax(AᵀA)/(4n)); adagrad 0.01, rmsprop 0.01, adam 0.001 and 0.1",
            "schedule": "k counts updates from 0: step α·F^⌊k/E⌋, exp α·γᵏ, "
            "inverse α/(1 + D·k), cosine α·(1 + cos(π·min(k, T)/T))/2",
            "recorded": "loss: 51 values (before the first update, then after each); "
            "theta: 50 vectors (after each update)",
        },
        "datasets": out_datasets,
        "runs": runs,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT, ROOT)}: {len(runs)} runs, numpy {np.__version__}")


if __name__ == "__main__":
    main()
