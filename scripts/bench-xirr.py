#!/usr/bin/env python3
"""Time pyxirr's xirr and numpy-financial's irr on the series of Worth's xirr bench.

The series are drawn with SplitMix64 from the seed of crates/worth-core/benches/xirr.rs,
in the same order and with the same arithmetic, so both sides solve the very same
100,000 series. Worth's own time comes from the criterion run (its estimates.json);
Worth's answers, when given with --worth-rates, are compared with pyxirr's.

numpy-financial has no xirr: its irr is timed on the same amounts taken as periodic
values (one period per flow), which is the same work for a polynomial root finder.
"""

import argparse
import datetime as dt
import json
import math
import sys
import time

SEED = 20_240_601
SERIES = 100_000
MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, state):
        self.state = state

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def unit(self):
        return (self.next() >> 11) * (1.0 / 9_007_199_254_740_992.0)


def series(count):
    """The bench's series, as (dates, amounts) pairs."""
    rng = SplitMix64(SEED)
    epoch = dt.date(2015, 1, 1)
    out = []
    for _ in range(count):
        n = 10 + rng.next() % 111
        start = epoch + dt.timedelta(days=rng.next() % 3650)
        investment = 1_000.0 + rng.unit() * 999_000.0
        dates, amounts = [start], [-investment]
        day = 0
        for _ in range(1, n):
            day += 1 + rng.next() % 90
            kind, size = rng.unit(), rng.unit()
            if kind < 0.1:
                amount = -investment * 0.1 * size
            else:
                amount = investment * (0.005 + 0.05 * size)
            dates.append(start + dt.timedelta(days=day))
            amounts.append(amount)
        out.append((dates, amounts))
    return out


def time_each(function, all_series):
    """Total seconds of calling function on every series, and the results."""
    results = []
    begin = time.perf_counter()
    for dates, amounts in all_series:
        results.append(function(dates, amounts))
    return time.perf_counter() - begin, results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=SERIES)
    parser.add_argument("--numpy-series", type=int, default=10_000,
                        help="numpy-financial takes milliseconds a series: time it on the first N")
    parser.add_argument("--worth-ns", type=float, help="Worth's mean ns per series")
    parser.add_argument("--worth-rates", help="Worth's answers, one line per series")
    parser.add_argument("--show", type=int, nargs="*", default=[], help="print these series")
    args = parser.parse_args()

    import numpy_financial as npf
    import pyxirr

    all_series = series(args.series)
    flows = sum(len(a) for _, a in all_series)
    total = math.fsum(a for _, amounts in all_series for a in amounts)
    print(f"{len(all_series)} series, {flows} flows, amounts sum to {total:.6e}")
    for i in args.show:
        print(json.dumps({"flows": [{"date": d.isoformat(), "amount": a}
                                    for d, a in zip(*all_series[i])]}))

    def py_xirr(dates, amounts):
        return pyxirr.xirr(dates, amounts)

    def np_irr(_dates, amounts):
        return npf.irr(amounts)

    py_seconds, py_rates = time_each(py_xirr, all_series)
    np_count = min(args.numpy_series, len(all_series))
    np_seconds, _ = time_each(np_irr, all_series[:np_count])
    np_seconds *= len(all_series) / np_count

    rows = [("pyxirr xirr", py_seconds), ("numpy-financial irr*", np_seconds)]
    print(f"* timed on the first {np_count} series, scaled to all")
    print(f"{'library':<24}{'total s':>10}{'µs/series':>12}{'vs worth':>10}")
    worth_us = args.worth_ns / 1000 if args.worth_ns else None
    if worth_us:
        print(f"{'worth xirr (criterion)':<24}{worth_us * len(all_series) / 1e6:>10.3f}"
              f"{worth_us:>12.2f}{1.0:>10.2f}")
    for name, seconds in rows:
        per = seconds / len(all_series) * 1e6
        ratio = f"{per / worth_us:>10.2f}" if worth_us else ""
        print(f"{name:<24}{seconds:>10.3f}{per:>12.2f}{ratio}")

    if args.worth_rates:
        compare(args.worth_rates, py_rates, all_series)


def compare(path, py_rates, all_series):
    """Counts where Worth's default root and pyxirr's answer agree, and shows where not."""
    import pyxirr

    with open(path) as f:
        worth = [line.split() for line in f]
    agree, differ = 0, []
    for i, (w, p) in enumerate(zip(worth, py_rates)):
        w_rate = float(w[0]) if len(w) == 2 else None
        if w_rate is None and p is None:
            agree += 1
        elif w_rate is not None and p is not None and abs(w_rate - p) <= 1e-6 * max(1, abs(p)):
            agree += 1
        else:
            differ.append(i)
    print(f"worth and pyxirr agree on {agree} of {len(worth)} series (1e-6 relative)")
    for i in differ[:10]:
        dates, amounts = all_series[i]
        w = worth[i]
        p = py_rates[i]
        w_rate = float(w[0]) if len(w) == 2 else None
        residual = lambda r: (None if r is None else
                              pyxirr.xnpv(r, dates, amounts) / math.fsum(abs(a) for a in amounts))
        print(f"  series {i}: worth {' '.join(w)} (xnpv/size {residual(w_rate)}), "
              f"pyxirr {p} (xnpv/size {residual(p)})")


if __name__ == "__main__":
    sys.exit(main())
