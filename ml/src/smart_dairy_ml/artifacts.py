"""Model artifacts: joblib files that carry their own metadata, validated on load.

An artifact is a dict ``{"format", "kind", "version", "created", "library_versions",
"features", "training_summary", "metrics", "params", "estimator"}``.  :func:`load_artifact`
refuses files that are not artifacts, are of another kind, were written by an incompatible
format or lack the fitted estimator - with an :class:`ArtifactError` that says why.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import scipy
import sklearn

from . import __version__

FORMAT = "smart_dairy_ml.artifact/1"
KINDS = {"heat": "heat.joblib", "health": "health.joblib", "forecast": "forecast.joblib"}
REQUIRED = (
    "format",
    "kind",
    "version",
    "created",
    "features",
    "training_summary",
    "metrics",
    "estimator",
)


class ArtifactError(ValueError):
    pass


def library_versions():
    return {
        "smart_dairy_ml": __version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
    }


def save_artifact(estimator, path, kind, features, training_summary, metrics, params=None):
    if kind not in KINDS:
        raise ArtifactError(f"unknown artifact kind {kind!r}")
    data = {
        "format": FORMAT,
        "kind": kind,
        "version": __version__,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "library_versions": library_versions(),
        "features": list(features),
        "training_summary": dict(training_summary),
        "metrics": dict(metrics),
        "params": dict(params or {}),
        "estimator": estimator,
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(data, path, compress=3)
    return path


def load_artifact(path, kind=None) -> dict:
    path = Path(path)
    if not path.is_file():
        raise ArtifactError(f"artifact {path} does not exist")
    try:
        data = joblib.load(path)
    except Exception as e:  # noqa: BLE001 - any unpickling problem is a bad artifact
        raise ArtifactError(f"{path} is not a readable joblib artifact: {e}") from e
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ArtifactError(f"{path} is not a {FORMAT} artifact")
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise ArtifactError(f"{path} lacks metadata {missing}")
    if kind is not None and data["kind"] != kind:
        raise ArtifactError(f"{path} holds a {data['kind']!r} model, expected {kind!r}")
    est = data["estimator"]
    fitted = {"heat": "threshold", "health": "models_", "forecast": "model_"}[data["kind"]]
    if not hasattr(est, fitted):
        raise ArtifactError(f"{path}: estimator is not fitted")
    feats = getattr(est, "features_", None)
    if feats is not None and list(feats) != list(data["features"]):
        raise ArtifactError(f"{path}: feature list does not match the estimator")
    return data


@dataclass
class ModelBundle:
    """The models :func:`smart_dairy_ml.scoring.score_herd` uses (None = built-in fallback)."""

    heat: object = None
    health: object = None
    forecast: object = None
    meta: dict | None = None

    @classmethod
    def load(cls, directory) -> ModelBundle:
        d = Path(directory)
        meta, est = {}, {}
        for kind, fname in KINDS.items():
            p = d / fname
            if p.exists():
                a = load_artifact(p, kind)
                est[kind] = a["estimator"]
                meta[kind] = {k: v for k, v in a.items() if k != "estimator"}
        if not est:
            raise ArtifactError(f"no artifacts in {d}")
        return cls(
            heat=est.get("heat"), health=est.get("health"), forecast=est.get("forecast"), meta=meta
        )
