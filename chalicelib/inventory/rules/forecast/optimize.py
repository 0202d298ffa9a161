"""A compact Nelder-Mead minimiser and the squashing that keeps parameters inside their bounds."""
from __future__ import annotations

import math
from typing import Callable


def nelder_mead(f: Callable[[list[float]], float], x0: list[float], step: float = 0.6, iters: int = 200,
                tol: float = 1e-6) -> tuple[list[float], float]:
    """A compact Nelder-Mead minimiser (standard coefficients) for a handful of parameters."""
    n = len(x0)
    pts = [list(x0)] + [[x + (step if i == j else 0.0) for j, x in enumerate(x0)] for i in range(n)]
    vals = [f(p) for p in pts]
    for _ in range(iters):
        order = sorted(range(n + 1), key=vals.__getitem__)
        pts, vals = [pts[i] for i in order], [vals[i] for i in order]
        if abs(vals[-1] - vals[0]) <= tol * (abs(vals[0]) + tol):
            break
        centre = [sum(p[j] for p in pts[:-1]) / n for j in range(n)]
        worst = pts[-1]
        refl = [c + (c - w) for c, w in zip(centre, worst)]
        fr = f(refl)
        if fr < vals[0]:
            exp = [c + 2 * (c - w) for c, w in zip(centre, worst)]
            fe = f(exp)
            pts[-1], vals[-1] = (exp, fe) if fe < fr else (refl, fr)
        elif fr < vals[-2]:
            pts[-1], vals[-1] = refl, fr
        else:
            con = [c + 0.5 * (w - c) for c, w in zip(centre, worst)]
            fc = f(con)
            if fc < vals[-1]:
                pts[-1], vals[-1] = con, fc
            else:  # shrink towards the best point
                best = pts[0]
                pts = [best] + [[b + 0.5 * (x - b) for b, x in zip(best, p)] for p in pts[1:]]
                vals = [vals[0]] + [f(p) for p in pts[1:]]
    i = min(range(n + 1), key=vals.__getitem__)
    return pts[i], vals[i]


def squash(x: float, lo: float, hi: float) -> float:
    """Map any real x into (lo, hi) smoothly (a logistic), so an unconstrained search stays in bounds."""
    return lo + (hi - lo) / (1.0 + math.exp(-max(-30.0, min(30.0, x))))
