#!/usr/bin/python3
"""Generate mannwhitney.json: reference vectors for analysis.MannWhitneyU.

Source of truth: scipy.stats.mannwhitneyu from Debian 12's python3-scipy
(1.10.1), called as
    mannwhitneyu(a, b, alternative='two-sided', method='asymptotic',
                 use_continuity=True)
Run: apt-get install -y python3-scipy && /usr/bin/python3 gen_mannwhitney.py > mannwhitney.json
The inputs are drawn from a fixed seed, so the output is reproducible.
"""
import json

import numpy as np
import scipy
from scipy.stats import mannwhitneyu

rng = np.random.default_rng(20240604)


def r(x):
    return [float(v) for v in x]


cases = [
    ("n5 vs n5 distinct", r(rng.normal(10, 2, 5)), r(rng.normal(12, 2, 5))),
    ("n5 vs n7 disjoint", [1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11, 12]),
    ("n8 identical samples", [3.0] * 8, [3.0] * 8),
    ("n10 same sample twice", r(np.round(rng.normal(5, 1, 10), 2)) * 1, None),
    ("n10 heavy ties", r(rng.integers(0, 3, 10)), r(rng.integers(0, 4, 10))),
    ("n20 shifted latency", r(rng.lognormal(1.6, 0.3, 20)), r(rng.lognormal(2.0, 0.3, 20))),
    ("n30 vs n25 no shift", r(rng.normal(0, 1, 30)), r(rng.normal(0, 1, 25))),
    ("n50 small shift", r(rng.normal(100, 15, 50)), r(rng.normal(105, 15, 50))),
    ("n60 error counts with ties", r(rng.poisson(2, 60)), r(rng.poisson(4, 60))),
    ("n100 latency p99 2x", r(rng.lognormal(1.7, 0.2, 100)), r(rng.lognormal(2.4, 0.2, 100))),
    ("n100 rounded ms ties", r(np.round(rng.normal(20, 3, 100))), r(np.round(rng.normal(20.5, 3, 100)))),
    ("n150 vs n200 heavy tail", r(rng.pareto(3, 150)), r(rng.pareto(2.5, 200))),
    ("n200 equal", r(rng.normal(50, 5, 200)), r(rng.normal(50, 5, 200))),
    ("n200 zeros mostly", r(np.where(rng.random(200) < 0.9, 0, 1)), r(np.where(rng.random(200) < 0.8, 0, 1))),
    ("n7 vs n200", r(rng.normal(1, 1, 7)), r(rng.normal(0, 1, 200))),
    ("one value each", [1.0], [2.0]),
]

out = {
    "source": "scipy.stats.mannwhitneyu, Debian python3-scipy %s, "
              "alternative='two-sided', method='asymptotic', use_continuity=True" % scipy.__version__,
    "generator": "gen_mannwhitney.py",
    "cases": [],
}
for name, a, b in cases:
    if b is None:
        b = list(a)
    res = mannwhitneyu(a, b, alternative="two-sided", method="asymptotic", use_continuity=True)
    out["cases"].append({"name": name, "a": a, "b": b, "u": float(res.statistic), "p": float(res.pvalue)})

for name, a, b in [("empty a", [], [1.0, 2.0]), ("empty b", [1.0, 2.0], [])]:
    try:
        mannwhitneyu(a, b, alternative="two-sided", method="asymptotic", use_continuity=True)
        err = False
    except ValueError:
        err = True
    out["cases"].append({"name": name, "a": a, "b": b, "error": err})

print(json.dumps(out, indent=1))
