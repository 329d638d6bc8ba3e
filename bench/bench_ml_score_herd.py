"""Benchmark: score the whole 255-cow herd for one day from 30 days of data.

Prints one JSON object: the herd scoring time (median of several runs, trained models), the
baseline measured in the same run (scoring the same herd one animal at a time, as a naive
per-record integration would), their ratio, and the 2 s budget from the issue.
"""

import json
import statistics
import time
import warnings

from smart_dairy_ml.artifacts import ModelBundle
from smart_dairy_ml.evaluate import train_forecast_sim, train_health
from smart_dairy_ml.scoring import score_herd
from smart_dairy_ml.simulator import HerdSimulator

warnings.simplefilter("ignore")
BUDGET_S = 2.0


def main():
    herd = HerdSimulator(n_cows=255, days=30, seed=42).run()
    models = ModelBundle(
        health=train_health(n_cows=80, days=200), forecast=train_forecast_sim(n_cows=60, days=400)
    )
    an = herd.animals()
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        out = score_herd(herd.hourly, herd.milkings, an, models=models)
        runs.append(time.perf_counter() - t)
    herd_s = statistics.median(runs)
    # baseline: one animal at a time (25 animals, extrapolated to the herd)
    sample = an.animal_id.iloc[:25].tolist()
    t = time.perf_counter()
    for aid in sample:
        score_herd(
            herd.hourly[herd.hourly.cow_id == aid],
            herd.milkings[herd.milkings.cow_id == aid],
            an[an.animal_id == aid],
            models=models,
        )
    per_animal_s = (time.perf_counter() - t) / len(sample) * len(an)
    print(
        json.dumps(
            {
                "benchmark": "score_herd 255 cows x 30 days (heat, health, 7-day forecast, residual)",
                "herd_scoring_s": round(herd_s, 3),
                "runs_s": [round(x, 3) for x in runs],
                "baseline_per_animal_loop_s": round(per_animal_s, 3),
                "ratio_baseline_over_herd": round(per_animal_s / herd_s, 1),
                "budget_s": BUDGET_S,
                "within_budget": herd_s < BUDGET_S,
                "animals_scored": len(out),
                "ok_results": sum(o["status"] == "ok" for o in out),
            }
        )
    )


if __name__ == "__main__":
    main()
