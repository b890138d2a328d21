"""Expected daily counts and their upper bounds (docs/alerts.md#spike).

Both methods look at a reason's counts on the ``baseline`` days that end ``lag`` days before the
day tested (EARS C2: the 7 days d−9 … d−3), with mean μ and sample standard deviation s
(n − 1 in the denominator), σ = max(s, √μ, min_sigma). The √μ floor is ours: a count's own
(Poisson) spread is √μ, and the spread of seven small counts is itself so noisy that without it
EARS C2 flagged 11 reason-days of the sample recall's ordinary Poisson noise; with it, 3.

- **EARS C2** (R ``surveillance::earsC``, method C2): upper bound U = μ + z·σ with
  z = Φ⁻¹(1 − α) (3.090 for α = 0.001); the day is a spike when its count x > U.
- **EWMA** (λ, L): z₀ = μ on the last baseline day, then zₖ = λ·xₖ + (1 − λ)·zₖ₋₁ over the
  ``lag`` days after it and the day tested (k = 1 … lag + 1); upper bound
  U = μ + L·σ·√(λ/(2 − λ)·(1 − (1 − λ)^(2k))); a spike when z_k > U. Reported "observed" is the
  day's count, "expected" μ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist, mean, stdev


@dataclass(frozen=True)
class Verdict:
    observed: float
    expected: float
    upper: float
    statistic: float  # the count (EARS) or the EWMA value compared with ``upper``
    spike: bool


def z_alpha(alpha: float) -> float:
    return NormalDist().inv_cdf(1 - alpha)


def spread(baseline: list[float], min_sigma: float) -> float:
    """σ = max(s, √μ, min_sigma)."""
    s = stdev(baseline) if len(baseline) > 1 else 0.0
    return max(s, math.sqrt(max(mean(baseline), 0.0)), min_sigma)


def ears_c2(baseline: list[float], observed: float, alpha: float = 0.001, min_sigma: float = 0.5) -> Verdict:
    mu, sigma = mean(baseline), spread(baseline, min_sigma)
    upper = mu + z_alpha(alpha) * sigma
    return Verdict(observed, mu, upper, observed, observed > upper)


def ewma(
    baseline: list[float], recent: list[float], lam: float = 0.1, limit: float = 2.8, min_sigma: float = 0.5
) -> Verdict:
    """``recent``: the counts after the baseline up to and including the day tested (last)."""
    mu, sigma = mean(baseline), spread(baseline, min_sigma)
    z = mu
    for x in recent:
        z = lam * x + (1 - lam) * z
    k = len(recent)
    upper = mu + limit * sigma * math.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * k)))
    return Verdict(recent[-1], mu, upper, z, z > upper)
