"""Least-cost ration (LP with scipy HiGHS) with NRC (2001) requirements.

Requirements (:func:`requirements`), NRC (2001) Nutrient Requirements of Dairy Cattle, 7th ed.:

* Dry-matter intake (eq. 2-1): ``DMI = (0.372 FCM + 0.0968 BW^0.75) (1 - exp(-0.192 (WOL + 3.67)))``
  with 4 % fat-corrected milk ``FCM = 0.4 milk + 15 milk fat (kg)`` and WOL = week of lactation.
* Net energy for lactation: maintenance ``0.08 BW^0.75`` Mcal (+10 % activity allowance for
  grazing/loose housing when ``activity_allowance``), milk
  ``milk (0.0929 fat% + 0.0547 protein% + 0.0395 lactose%)`` Mcal.
* Metabolisable protein: maintenance ``4.1 BW^0.5 + 0.3 BW^0.6`` g (endogenous urinary + scurf,
  simplified) plus metabolic faecal ``30 g/kg DMI`` and milk ``milk protein / 0.67``; converted
  to crude protein with an MP/CP efficiency of 0.64 (typical RDP/RUP mix of straw-based
  South-Asian rations).
* Ca and P (absorbed requirement / absorption coefficient): Ca maintenance 0.0154 BW g +
  1.22 g/kg milk, absorption 0.38; P maintenance 1.0 g/kg DMI + 0.002 BW g + 0.9 g/kg milk,
  absorption 0.64.
* Fibre: NDF >= 28 % of DM and forage NDF >= 21 % of DM (NRC 2001 Table 4-3 minimums).

The LP variables are kg of DM per feed per day.  If the constraints cannot all be met, an
elastic LP (non-negative slack on each nutrient constraint, penalised far above any feed cost)
returns the nearest feasible ration and the list of violated constraints with the shortfall -
never a silent failure.

Feed values are typical for Bangladesh (BLRI / Feedipedia / Huque & Chowdhury 2017 tables);
prices in BDT per kg as fed and are meant to be edited in Odoo.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linprog

# name, forage, DM %, NEL Mcal/kg DM, CP %DM, NDF %DM, Ca %DM, P %DM, price BDT/kg as fed,
# min kg DM, max kg DM
FEED_LIBRARY = pd.DataFrame(
    [
        ("rice_straw", True, 90, 0.95, 4.0, 70, 0.25, 0.08, 8.0, 0.0, 6.0),
        ("napier_grass", True, 18, 1.15, 9.0, 65, 0.45, 0.30, 4.0, 0.0, 8.0),
        ("para_grass", True, 20, 1.20, 10.0, 63, 0.50, 0.30, 4.0, 0.0, 8.0),
        ("maize_silage", True, 30, 1.45, 8.0, 45, 0.25, 0.22, 10.0, 0.0, 8.0),
        ("wheat_bran", False, 89, 1.60, 17.0, 45, 0.13, 1.18, 45.0, 0.0, 4.0),
        ("rice_polish", False, 90, 1.75, 13.0, 25, 0.07, 1.60, 35.0, 0.0, 3.0),
        ("broken_maize", False, 88, 2.00, 9.0, 10, 0.03, 0.30, 40.0, 0.0, 4.0),
        ("mustard_oil_cake", False, 91, 1.75, 38.0, 25, 0.70, 1.10, 55.0, 0.0, 2.0),
        ("soybean_meal", False, 89, 1.95, 48.0, 14, 0.35, 0.70, 75.0, 0.0, 2.0),
        ("pulse_bran", False, 89, 1.50, 17.0, 40, 0.40, 0.40, 30.0, 0.0, 3.0),
        ("molasses", False, 75, 1.65, 4.0, 0, 0.90, 0.08, 30.0, 0.0, 1.0),
        ("dcp_mineral", False, 97, 0.0, 0.0, 0, 23.0, 18.0, 90.0, 0.0, 0.2),
        ("limestone", False, 98, 0.0, 0.0, 0, 38.0, 0.0, 15.0, 0.0, 0.2),
    ],
    columns=[
        "feed",
        "forage",
        "dm_pct",
        "nel_mcal_kg",
        "cp_pct",
        "ndf_pct",
        "ca_pct",
        "p_pct",
        "price_bdt_kg",
        "min_kg_dm",
        "max_kg_dm",
    ],
)


@dataclass
class Requirements:
    dmi_kg: float
    nel_mcal: float
    mp_g: float
    cp_kg: float
    ca_g: float
    p_g: float
    ndf_min_frac: float = 0.28
    forage_ndf_min_frac: float = 0.21


def requirements(
    body_weight_kg: float,
    milk_kg: float,
    fat_pct: float = 4.0,
    protein_pct: float = 3.2,
    lactose_pct: float = 4.85,
    dim: int = 60,
    activity_allowance: bool = False,
) -> Requirements:
    """NRC (2001) requirements for a lactating cow (see module docstring for the equations)."""
    if body_weight_kg <= 0 or milk_kg < 0 or dim < 0:
        raise ValueError("body weight must be > 0, milk and DIM >= 0")
    bw = float(body_weight_kg)
    mbw = bw**0.75
    fcm = 0.4 * milk_kg + 15.0 * milk_kg * fat_pct / 100.0
    wol = dim / 7.0
    dmi = (0.372 * fcm + 0.0968 * mbw) * (1 - np.exp(-0.192 * (wol + 3.67)))
    nel_m = 0.08 * mbw * (1.1 if activity_allowance else 1.0)
    nel_l = milk_kg * (0.0929 * fat_pct + 0.0547 * protein_pct + 0.0395 * lactose_pct)
    mp = 4.1 * bw**0.5 + 0.3 * bw**0.6 + 30.0 * dmi + milk_kg * protein_pct / 100 * 1000 / 0.67
    cp = mp / 0.64 / 1000.0
    ca = (0.0154 * bw + 1.22 * milk_kg) / 0.38
    p = (1.0 * dmi + 0.002 * bw + 0.9 * milk_kg) / 0.64
    return Requirements(
        dmi_kg=float(dmi),
        nel_mcal=float(nel_m + nel_l),
        mp_g=float(mp),
        cp_kg=float(cp),
        ca_g=float(ca),
        p_g=float(p),
    )


@dataclass
class RationResult:
    status: str  # "optimal" | "nearest_feasible" | "error"
    ration: pd.DataFrame
    cost_bdt: float
    supplied: dict
    required: dict
    violations: list = field(default_factory=list)
    message: str = ""

    def as_dict(self):
        return {
            "status": self.status,
            "cost_bdt": self.cost_bdt,
            "supplied": self.supplied,
            "required": self.required,
            "violations": self.violations,
            "message": self.message,
            "ration": self.ration.to_dict(orient="records"),
        }


class RationOptimizer:
    """Least-cost ration LP.  ``dmi_tolerance``: DM offered within +/- this fraction of DMI."""

    def __init__(
        self, feeds: pd.DataFrame | None = None, dmi_tolerance=0.05, nel_max_frac=1.15, penalty=1e5
    ):
        self.feeds = feeds
        self.dmi_tolerance = dmi_tolerance
        self.nel_max_frac = nel_max_frac
        self.penalty = penalty

    def _feeds(self):
        f = (FEED_LIBRARY if self.feeds is None else self.feeds).copy()
        need = set(FEED_LIBRARY.columns) - {"min_kg_dm", "max_kg_dm"}  # limits are optional
        missing = need - set(f.columns)
        if missing:
            raise ValueError(f"feed table lacks columns {sorted(missing)}")
        f["min_kg_dm"] = f.get("min_kg_dm", 0.0)
        f["max_kg_dm"] = f.get("max_kg_dm", np.inf)
        f = f.fillna({"min_kg_dm": 0.0, "max_kg_dm": np.inf})
        if (f["dm_pct"] <= 0).any():
            raise ValueError("dm_pct must be > 0 for every feed")
        return f.reset_index(drop=True)

    def solve(self, req: Requirements) -> RationResult:
        f = self._feeds()
        n = len(f)
        cost = (f["price_bdt_kg"] / (f["dm_pct"] / 100.0)).to_numpy()  # BDT per kg DM
        nel = f["nel_mcal_kg"].to_numpy()
        cp = f["cp_pct"].to_numpy() / 100
        ndf = f["ndf_pct"].to_numpy() / 100
        fndf = ndf * f["forage"].astype(bool).to_numpy()
        ca = f["ca_pct"].to_numpy() * 10  # g per kg DM
        p = f["p_pct"].to_numpy() * 10
        one = np.ones(n)
        # constraints as  A x >= b  (name, row, rhs)
        cons = [
            ("dmi_min", one, req.dmi_kg * (1 - self.dmi_tolerance)),
            ("dmi_max", -one, -req.dmi_kg * (1 + self.dmi_tolerance)),
            ("nel_min", nel, req.nel_mcal),
            ("nel_max", -nel, -req.nel_mcal * self.nel_max_frac),
            ("cp_min", cp, req.cp_kg),
            ("ndf_min", ndf - req.ndf_min_frac * one, 0.0),
            ("forage_ndf_min", fndf - req.forage_ndf_min_frac * one, 0.0),
            ("ca_min", ca, req.ca_g),
            ("p_min", p, req.p_g),
        ]
        A = -np.array([c[1] for c in cons])
        b = -np.array([c[2] for c in cons])
        bounds = list(zip(f["min_kg_dm"], f["max_kg_dm"].replace(np.inf, None), strict=True))
        res = linprog(cost, A_ub=A, b_ub=b, bounds=bounds, method="highs")
        status, violations, msg = "optimal", [], ""
        if res.status != 0:
            # elastic LP: slack s_i >= 0 on each constraint, scaled by its rhs magnitude
            m = len(cons)
            scale = np.array([max(abs(c[2]), 1.0) for c in cons])
            A2 = np.hstack([A, -np.diag(scale)])
            c2 = np.r_[cost, np.full(m, self.penalty)]
            res = linprog(c2, A_ub=A2, b_ub=b, bounds=bounds + [(0, None)] * m, method="highs")
            if res.status != 0:
                return RationResult(
                    "error",
                    pd.DataFrame(),
                    float("nan"),
                    {},
                    {},
                    [],
                    f"solver failed: {res.message}",
                )
            slack = res.x[n:] * scale
            x = res.x[:n]
            for (name, _row, rhs), s in zip(cons, slack, strict=True):
                if s > 1e-6:
                    violations.append(
                        {"constraint": name, "required": float(abs(rhs)), "shortfall": float(s)}
                    )
            status = "nearest_feasible"
            msg = "constraints cannot all be met; violated: " + ", ".join(
                v["constraint"] for v in violations
            )
        else:
            x = res.x
        x = np.where(x < 1e-6, 0.0, x)
        ration = pd.DataFrame(
            {
                "feed": f["feed"],
                "kg_dm": x.round(3),
                "kg_as_fed": (x / (f["dm_pct"] / 100)).round(3),
                "cost_bdt": (x * cost).round(2),
            }
        )
        ration = ration[ration.kg_dm > 0].reset_index(drop=True)
        dm = float(x.sum())
        supplied = {
            "dmi_kg": dm,
            "nel_mcal": float(nel @ x),
            "cp_kg": float(cp @ x),
            "ndf_frac": float(ndf @ x / dm) if dm else 0.0,
            "forage_ndf_frac": float(fndf @ x / dm) if dm else 0.0,
            "ca_g": float(ca @ x),
            "p_g": float(p @ x),
        }
        required = {
            "dmi_kg": req.dmi_kg,
            "nel_mcal": req.nel_mcal,
            "cp_kg": req.cp_kg,
            "ndf_frac": req.ndf_min_frac,
            "forage_ndf_frac": req.forage_ndf_min_frac,
            "ca_g": req.ca_g,
            "p_g": req.p_g,
        }
        return RationResult(status, ration, float(x @ cost), supplied, required, violations, msg)


def least_cost_ration(body_weight_kg, milk_kg, fat_pct=4.0, dim=60, feeds=None, **kw):
    """Convenience: requirements + LP in one call; returns :class:`RationResult`."""
    req = requirements(body_weight_kg, milk_kg, fat_pct=fat_pct, dim=dim, **kw)
    return RationOptimizer(feeds=feeds).solve(req)
