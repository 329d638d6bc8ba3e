"""Benchmark: simulate 255 cows x 730 days (vectorised numpy) vs a 30-day run scaled up.

Prints one JSON object with the 730-day figure, the baseline (30-day run x 730/30, i.e. the
cost if runtime grew linearly from the small run), and the ratio.
"""

import json
import time

from smart_dairy_ml.simulator import HerdSimulator


def main():
    t = time.perf_counter()
    small = HerdSimulator(n_cows=255, days=30, seed=1).run()
    small_s = time.perf_counter() - t
    t = time.perf_counter()
    res = HerdSimulator(n_cows=255, days=730, seed=1).run()
    full_s = time.perf_counter() - t
    base = small_s * 730 / 30
    print(
        json.dumps(
            {
                "benchmark": "HerdSimulator 255 cows x 730 days",
                "simulate_730d_s": round(full_s, 2),
                "baseline_30d_run_scaled_s": round(base, 2),
                "ratio_full_over_baseline": round(full_s / base, 2),
                "hourly_rows": len(res.hourly),
                "milkings": len(res.milkings),
                "events": len(res.events),
                "small_hourly_rows": len(small.hourly),
                "budget_s": 60,
                "within_budget": full_s < 60,
            }
        )
    )


if __name__ == "__main__":
    main()
