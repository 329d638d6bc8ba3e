import json

import pandas as pd

from smart_dairy_ml.artifacts import ModelBundle, load_artifact
from smart_dairy_ml.cli import main


def test_train_writes_valid_artifacts_and_score_uses_them(tmp_path, capsys):
    out = tmp_path / "models"
    assert main(["train", "--out", str(out), "--cows", "60", "--models", "heat,forecast"]) == 0
    heat = load_artifact(out / "heat.joblib", "heat")
    fc = load_artifact(out / "forecast.joblib", "forecast")
    for a in (heat, fc):
        assert a["version"] and a["features"] and a["training_summary"] and a["metrics"]
    assert 0 <= heat["metrics"]["sensitivity"] <= 1
    assert fc["metrics"]["mape_h7"] < 15
    bundle = ModelBundle.load(out)
    assert bundle.health is None and bundle.forecast is not None
    capsys.readouterr()
    assert main(["score", "--models", str(out), "--cows", "30", "--days", "20", "--show", "3"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert len(shown) == 3 and shown[0]["models"]["forecast"] == "trained"


def test_simulate_writes_csv(tmp_path, capsys):
    out = tmp_path / "herd"
    assert main(["simulate", "--out", str(out), "--cows", "5", "--days", "3"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["hourly"] == 5 * 3 * 24
    cows = pd.read_csv(out / "cows.csv.gz", dtype={"eid": str})
    assert cows.eid.iloc[0] == "050000100000001"
    assert {"kind", "onset_ts"} <= set(pd.read_csv(out / "events.csv.gz").columns)
