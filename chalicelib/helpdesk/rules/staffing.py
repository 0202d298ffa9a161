"""Agents needed to meet a response target (Erlang C), pure.

Tickets arrive at `arrivals` per hour; each takes an agent `handle_minutes` on average; the desk wants
`service_level` of them answered within `target_minutes`. Traffic A = arrivals × handle time (in
Erlangs). With N > A agents, the probability that a ticket waits is Erlang C, and the share answered
within t is 1 − C(N, A)·e^(−(N − A)·t / handle time). Probabilities are floats: they are not money.
"""
from __future__ import annotations

import math

MAX_AGENTS = 1000


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability by the stable recursion B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1))."""
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return b


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that an arrival waits: 1 when the agents cannot keep up (N ≤ A)."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    b = erlang_b(agents, traffic)
    return agents * b / (agents - traffic * (1 - b))


def service_level(agents: int, traffic: float, target_minutes: float, handle_minutes: float) -> float:
    """Share of arrivals answered within the target."""
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    return 1 - erlang_c(agents, traffic) * math.exp(-(agents - traffic) * target_minutes / handle_minutes)


def agents_needed(arrivals_per_hour: float, handle_minutes: float, target_minutes: float,
                  target_level: float) -> int:
    """The fewest agents whose service level meets `target_level` (0 with no arrivals)."""
    if arrivals_per_hour <= 0:
        return 0
    if handle_minutes <= 0 or not 0 < target_level < 1:
        raise ValueError("handle time must be positive and the level between 0 and 1")
    traffic = arrivals_per_hour * handle_minutes / 60
    n = max(1, math.floor(traffic) + 1)
    while service_level(n, traffic, target_minutes, handle_minutes) < target_level:
        n += 1
        if n > MAX_AGENTS:
            raise ValueError("more agents than this desk could have")
    return n
