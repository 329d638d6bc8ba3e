"""``smart-dairy-ml`` command line: evaluate, train, simulate, score."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd


def _cmd_evaluate(args):
    from .evaluate import format_table, run_all

    seeds = tuple(int(s) for s in args.seeds.split(","))
    res = run_all(
        seeds=seeds,
        quick=args.quick,
        milkman=args.milkman,
        log=lambda s: print(s, file=sys.stderr, flush=True),
    )
    print(format_table(res))
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1, default=str))
    return 0


def _cmd_train(args):
    from .artifacts import save_artifact
    from .evaluate import (
        eval_forecast_sim,
        eval_health,
        eval_heat,
        train_forecast_sim,
        train_health,
        train_heat,
    )
    from .forecast import FEATURES as FC_FEATURES
    from .forecast import YieldForecaster, load_milkman

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    n = args.cows
    if "heat" in args.models:
        det = train_heat(seed=args.seed, n_cows=n)
        met = eval_heat(args.seed + 1, n_cows=n, detector=det)["detector"]
        p = save_artifact(
            det,
            out / "heat.joblib",
            "heat",
            det.features_,
            det.training_summary_,
            met,
            {k: v for k, v in vars(det).items() if not k.endswith("_")},
        )
        print(f"heat      -> {p}  threshold={det.threshold}  {met}")
    if "health" in args.models:
        hm = train_health(seeds=(args.seed,), n_cows=n, days=args.days)
        met = eval_health(args.seed + 1, hm, n_cows=n, days=120)["model"]
        p = save_artifact(
            hm,
            out / "health.joblib",
            "health",
            hm.features_,
            hm.training_summary_,
            met,
            {"thresholds": hm.thresholds_},
        )
        print(f"health    -> {p}  {json.dumps(met, default=str)}")
    if "forecast" in args.models:
        if args.milkman:
            fm = YieldForecaster().fit(load_milkman(args.milkman))
            src = {"source": "milkman", "path": Path(args.milkman).name}
        else:
            fm = train_forecast_sim(seed=args.seed, n_cows=n)
            src = {"source": "simulator", "seed": args.seed, "cows": n}
        if args.from_csv:
            daily = pd.read_csv(args.from_csv)
            fm = YieldForecaster().fit(daily)
            src = {"source": "csv", "path": Path(args.from_csv).name}
        met = eval_forecast_sim(args.seed + 1, fm, n_cows=min(n, 120))
        met = {k: v for k, v in met.items() if not isinstance(v, dict)}
        p = save_artifact(
            fm,
            out / "forecast.joblib",
            "forecast",
            FC_FEATURES,
            {**fm.training_summary_, **src},
            met,
        )
        print(f"forecast  -> {p}  {met}")
    return 0


def _cmd_simulate(args):
    from .simulator import HerdSimulator

    res = HerdSimulator(
        n_cows=args.cows, start=args.start, days=args.days, seed=args.seed, housing=args.housing
    ).run()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("cows", "hourly", "milkings", "environment", "events"):
        getattr(res, name).to_csv(out / f"{name}.csv.gz", index=False)
    print(
        json.dumps(
            {
                k: len(getattr(res, k))
                for k in ("cows", "hourly", "milkings", "environment", "events")
            }
        )
    )
    return 0


def _cmd_score(args):
    from .artifacts import ModelBundle
    from .scoring import score_herd
    from .simulator import HerdSimulator

    res = HerdSimulator(n_cows=args.cows, days=args.days, seed=args.seed).run()
    models = ModelBundle.load(args.models) if args.models else None
    out = score_herd(res.hourly, res.milkings, res.animals(), models=models)
    print(json.dumps(out[: args.show], indent=1, default=str))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(prog="smart-dairy-ml", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("evaluate", help="print the metric table (simulated seeds + milkman)")
    e.add_argument("--seeds", default="1,2,3")
    e.add_argument("--quick", action="store_true", help="smaller herds (for CI)")
    e.add_argument(
        "--milkman",
        default=None,
        help="path to milkman.csv.gz (default <repo>/../shared/data/milkman.csv.gz)",
    )
    e.add_argument("--json", default=None, help="also write the raw results here")
    e.set_defaults(fn=_cmd_evaluate)
    t = sub.add_parser("train", help="train models and write joblib artifacts")
    t.add_argument("--out", required=True, help="artifact directory")
    t.add_argument("--models", default="heat,health,forecast")
    t.add_argument("--seed", type=int, default=1000)
    t.add_argument("--cows", type=int, default=255)
    t.add_argument("--days", type=int, default=365)
    t.add_argument("--milkman", default=None, help="train the forecaster on milkman instead")
    t.add_argument(
        "--from-csv",
        default=None,
        help="train the forecaster on a daily CSV exported from the database "
        "(columns animal_id, dim, yield_kg, parity)",
    )
    t.set_defaults(fn=_cmd_train)
    s = sub.add_parser("simulate", help="write a simulated herd as CSV files")
    s.add_argument("--out", required=True)
    s.add_argument("--cows", type=int, default=255)
    s.add_argument("--days", type=int, default=30)
    s.add_argument("--start", default="2026-01-01")
    s.add_argument("--seed", type=int, default=42)
    s.add_argument("--housing", default="freestall", choices=["freestall", "tiestall"])
    s.set_defaults(fn=_cmd_simulate)
    c = sub.add_parser("score", help="score a simulated herd (demo of score_herd)")
    c.add_argument("--models", default=None, help="artifact directory")
    c.add_argument("--cows", type=int, default=255)
    c.add_argument("--days", type=int, default=30)
    c.add_argument("--seed", type=int, default=42)
    c.add_argument("--show", type=int, default=2)
    c.set_defaults(fn=_cmd_score)
    args = ap.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
