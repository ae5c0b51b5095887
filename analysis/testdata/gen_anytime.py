#!/usr/bin/python3
"""Generate anytime.json: reference values for analysis.CountTest and
analysis.QuantileBounds, computed independently with Python 3's standard
library only (math, random, json).

Run from analysis/testdata:  python3 gen_anytime.py > anytime.json
The inputs come from a fixed seed, so the output is reproducible.

Counts: the mixtures are over theta on the grid 2^(-10 + i/8), i = 0..160,
with weights 0.3 of a normal density exp(-ln(theta)^2 / 2) (sd 1),
normalised on the grid, and 0.7 uniform on it; the test of a regression
mixes over theta >= 1 (decides at 1/alpha), that of no regression over
theta <= 1+minEffect (decides at 1/beta; the weights renormalised), the
confidence sequence over all; each tick
(canary n, canary events x, stable n, stable events y) adds
x ln(rho) + y ln(1-rho), rho = theta p / (theta p + 1 - p), p = the canary's
share of recent requests (each side's, decayed by 1 - 1/500 a request).
Rates: the largest p with BB(x; n, 1, k) / Bin(x; n, p) < 1/alpha, k = 5/floor - 1
(at least 1), scanned on a grid of 10^6 steps in p (the Go code bisects).
Quantiles: the beta-binomial mixture BB(s; n, 100q, 100(1-q)) / Bin(s; n, q)
is scanned over every s = 0..n (no search), which is how this script
differs from the Go code's ternary and binary searches.
"""
import json
import math
import random

GRID = [2 ** (-10 + i / 8) for i in range(161)]
_n = [math.exp(-math.log(t) ** 2 / 2) for t in GRID]
W = [0.3 * w / sum(_n) + 0.7 / len(GRID) for w in _n]


def logsum(terms):
    hi = max(terms)
    return hi + math.log(sum(math.exp(t - hi) for t in terms))


def log_mixture(lls, keep):
    """ln of the prior's mixture restricted to the thetas keep accepts."""
    total = sum(w for w, t in zip(W, GRID) if keep(t))
    return logsum([math.log(w / total) + l for w, t, l in zip(W, GRID, lls) if keep(t)])


def rho(theta, p):
    return theta * p / (theta * p + 1 - p)


def shares(ticks, weight):
    """The canary's share of recent requests at each tick: each side's
    requests, decayed by (1 - 1/500) a request, starting from 500 requests
    at weight (when it is in (0, 1))."""
    out, c, s = [], 0.0, 0.0
    if 0 < weight < 1:
        c, s = weight * 500, (1 - weight) * 500
    for cn, _, sn, _ in ticks:
        d = (1 - 1.0 / 500) ** (cn + sn)
        c, s = c * d + cn, s * d + sn
        out.append(c / (c + s) if c + s else 0.0)
    return out


def loglik(theta, ticks, weight):
    ll = 0.0
    for (cn, x, sn, y), p in zip(ticks, shares(ticks, weight)):
        if x + y == 0:
            continue
        r = rho(theta, p)
        if x:
            ll += x * math.log(r)
        if y:
            ll += y * math.log(1 - r)
    return ll


def score(theta, ticks, weight):
    s = 0.0
    for (cn, x, sn, y), p in zip(ticks, shares(ticks, weight)):
        if x + y == 0:
            continue
        r = rho(theta, p)
        s += x * (1 - r) - y * r
    return s


def count_case(name, ticks, alpha, beta, min_effect, floor, weight):
    lls = [loglik(t, ticks, weight) for t in GRID]
    lm = log_mixture(lls, lambda t: True)
    bound = math.log(1 / alpha)
    log_e = log_mixture(lls, lambda t: t >= 1) - loglik(1.0, ticks, weight)
    log_pass = log_mixture(lls, lambda t: t <= 1 + min_effect) - loglik(1 + min_effect, ticks, weight)
    inside = [t for t, l in zip(GRID, lls) if lm - l < bound]
    lower, upper = min(inside), max(inside)
    lower = 0.0 if lower == GRID[0] else lower
    upper = "inf" if upper == GRID[-1] else upper
    cn = sum(t[0] for t in ticks)
    x = sum(t[1] for t in ticks)
    sn = sum(t[2] for t in ticks)
    y = sum(t[3] for t in ticks)
    if x == 0 and y == 0:
        est = "nan"
    elif y == 0:
        est = "inf"
    else:
        est = (x / cn) / (y / sn)
    e_num = float("inf") if est == "inf" else (float("nan") if est == "nan" else est)
    verdict = "pending"
    if score(1.0, ticks, weight) > 0 and log_e >= bound and e_num - 1 > min_effect and x / max(cn, 1) > floor:
        verdict = "fail"
    elif score(1 + min_effect, ticks, weight) < 0 and log_pass >= math.log(1 / beta):
        verdict = "pass"
    elif floor > 0 and x / cn < floor and rate_upper(x, cn, beta, floor) <= floor:
        verdict = "pass"
    return {"name": name, "ticks": ticks, "alpha": alpha, "beta": beta, "minEffect": min_effect, "floor": floor, "weight": weight,
            "logE": log_e, "logPass": log_pass, "lower": lower, "upper": upper,
            "estimate": est, "verdict": verdict}


def rate_upper(x, n, alpha, floor):
    """Largest p with BB(x; n, 1, k) / Bin(x; n, p) < 1/alpha, k = 5/floor - 1
    (at least 1), on a grid of 10^6 steps in p (the Go code bisects)."""
    if n == 0:
        return 1.0
    k = max(5 / floor - 1, 1)
    mix = lbeta(1 + x, k + n - x) - lbeta(1, k)
    bound = math.log(1 / alpha)
    best = x / n
    for i in range(1, 10 ** 6):
        p = i / 10 ** 6
        if p <= x / n:
            continue
        if mix - x * math.log(p) - (n - x) * math.log1p(-p) < bound:
            best = p
        else:
            break
    return best


def lbeta(a, b):
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def log_qe(s, n, q):
    a, b = 100 * q, 100 * (1 - q)
    return lbeta(a + s, b + n - s) - lbeta(a, b) - s * math.log(q) - (n - s) * math.log1p(-q)


def quantile_case(name, counts, upper, q, alpha):
    n = sum(counts)
    bound = math.log(1 / alpha)
    ok = [s for s in range(n + 1) if log_qe(s, n, q) < bound]
    s_lo, s_hi = min(ok), max(ok)
    lo, hi, s = 0.0, "inf", 0
    for c, u in zip(counts, upper):
        s += c
        if s < s_lo:
            lo = u
        if s > s_hi and hi == "inf":
            hi = u
    return {"name": name, "counts": counts, "upper": upper, "q": q, "alpha": alpha,
            "n": n, "sLo": s_lo, "sHi": s_hi, "lo": lo, "hi": hi}


def main():
    rnd = random.Random(20261207)
    counts = []
    for name, pc, ps, weight, nticks, alpha, beta, m, floor in [
        ("a/a 1% errors", 0.01, 0.01, 0.1, 400, 0.05, 0.05, 0.5, 0.0),
        ("20% vs 1% at 10%", 0.20, 0.01, 0.1, 20, 0.05, 0.2, 0.5, 0.0),
        ("20% vs 0% at 10%", 0.20, 0.0, 0.1, 10, 0.01, 0.01, 0.5, 0.0),
        ("5% vs 5% at 50%", 0.05, 0.05, 0.5, 300, 0.05, 0.2, 0.2, 0.0),
        ("better canary", 0.01, 0.05, 0.25, 200, 0.05, 0.05, 0.5, 0.0),
        ("worse but under floor", 0.03, 0.01, 0.2, 300, 0.05, 0.2, 0.5, 0.05),
        ("no errors, floor 2%", 0.0, 0.0, 0.1, 300, 0.05, 0.05, 0.5, 0.02),
        ("1.5% vs 1% at 10%", 0.015, 0.01, 0.1, 3000, 0.01, 0.01, 0.2, 0.0),
        ("no events", 0.0, 0.0, 0.1, 30, 0.05, 0.2, 0.5, 0.0),
        ("no errors, floor 1%, beta 0.2", 0.0, 0.0, 0.1, 100, 0.05, 0.2, 0.5, 0.01),
        ("no errors, floor 1%, beta 0.05", 0.0, 0.0, 0.1, 100, 0.05, 0.05, 0.5, 0.01),
        ("1% vs 1% at 10%, beta 0.2", 0.01, 0.01, 0.1, 1500, 0.05, 0.2, 0.5, 0.0),
    ]:
        ticks = []
        for _ in range(nticks):
            cn = sum(1 for _ in range(10) if rnd.random() < weight) + 1
            sn = 10 - cn + 1 + rnd.randrange(5)
            x = sum(1 for _ in range(cn) if rnd.random() < pc)
            y = sum(1 for _ in range(sn) if rnd.random() < ps)
            ticks.append([cn, x, sn, y])
        counts.append(count_case(name, ticks, alpha, beta, m, floor, weight if len(counts) % 2 else 0.0))
    upper = [0.001 * 1.125 ** i for i in range(60)]
    rates = []
    for x, n, alpha, floor in [(0, 10, 0.05, 0.01), (0, 500, 0.05, 0.01), (0, 3000, 0.01, 0.001), (3, 300, 0.05, 0.05),
                               (50, 1000, 0.05, 0.01), (10, 10, 0.1, 0.01), (0, 193, 0.2, 0.01), (1, 449, 0.2, 0.01), (2, 40, 0.1, 3.0)]:
        rates.append({"x": x, "n": n, "alpha": alpha, "floor": floor, "upper": rate_upper(x, n, alpha, floor)})
    quantiles = []
    for name, n, mu, sigma, q, alpha in [
        ("p99 of 50", 50, -4.0, 0.5, 0.99, 0.025),
        ("p99 of 2000", 2000, -4.0, 0.5, 0.99, 0.025),
        ("p99 of 600", 600, -4.0, 0.5, 0.99, 0.005),
        ("p50 of 30", 30, -4.0, 0.5, 0.5, 0.025),
        ("p50 of 1000", 1000, -3.0, 0.3, 0.5, 0.05),
        ("p90 of 400", 400, -4.0, 1.0, 0.9, 0.025),
        ("p99 of 1", 1, -4.0, 0.5, 0.99, 0.025),
    ]:
        c = [0] * len(upper)
        for _ in range(n):
            v = rnd.lognormvariate(mu, sigma)
            i = next((i for i, u in enumerate(upper) if v < u), len(upper) - 1)
            c[i] += 1
        quantiles.append(quantile_case(name, c, upper, q, alpha))
    # One case a line: the ticks make the file long otherwise.
    lines = ['{"generator": "gen_anytime.py (Python 3 standard library)",']
    for key, cases in (("counts", counts), ("rates", rates), ("quantiles", quantiles)):
        lines.append(' "%s": [' % key)
        lines.append(",\n".join("  " + json.dumps(c) for c in cases))
        lines.append(" ]" + ("," if key != "quantiles" else ""))
    lines.append("}")
    print("\n".join(lines))


main()
