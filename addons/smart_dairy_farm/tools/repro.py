# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reproduction KPIs (pure Python).

A cow's history is summarised as dated calvings, inseminations and conceptions;
the conception of a pregnancy is the last insemination before a positive pregnancy
check (or, when no check was recorded, ``GESTATION_DAYS`` before the calving).
"""

from datetime import timedelta

GESTATION_DAYS = 283
VOLUNTARY_WAITING_DAYS = 50
CYCLE_DAYS = 21


def conceptions_from_events(events):
    """Conception dates from ``(date, kind, result)`` tuples.

    ``kind``: heat, insemination, pregnancy_check, calving, abortion, dry_off;
    ``result`` is ``'pregnant'``/``'open'`` for pregnancy checks.
    """
    conceptions = []
    last_insem = None
    pregnant = False
    for day, kind, result in sorted(events, key=lambda e: (e[0], _ORDER.get(e[1], 9))):
        if kind == "insemination":
            last_insem = day
        elif kind == "pregnancy_check":
            if result == "pregnant" and not pregnant:
                conceptions.append(last_insem or day - timedelta(days=35))
                pregnant = True
            elif result == "open" and pregnant:
                conceptions.pop()
                pregnant = False
        elif kind in ("calving", "abortion"):
            if not pregnant and kind == "calving":
                conceptions.append(day - timedelta(days=GESTATION_DAYS))
            pregnant = False
            last_insem = None
    return conceptions


_ORDER = {"calving": 0, "abortion": 0, "heat": 1, "insemination": 2, "pregnancy_check": 3}


def animal_kpis(calvings, inseminations, conceptions, today):
    """Per-cow reproductive KPIs.

    - ``days_open``: last calving → next conception (→ today while still open);
    - ``calving_interval``: mean days between successive calvings (None with < 2);
    - ``services_per_conception``: inseminations / conceptions over the history
      (services of a still-open cycle are not counted).
    """
    calvings = sorted(calvings)
    conceptions = sorted(conceptions)
    inseminations = sorted(inseminations)
    days_open = None
    if calvings:
        last = calvings[-1]
        after = [c for c in conceptions if c > last]
        days_open = ((after[0] if after else today) - last).days
    intervals = [(b - a).days for a, b in zip(calvings, calvings[1:], strict=False)]
    calving_interval = round(sum(intervals) / len(intervals), 1) if intervals else None
    spc = None
    # only conceptions from a recorded service count (not those implied by a calving)
    served = [c for c in conceptions if c in set(inseminations)]
    if served:
        services = sum(1 for d in inseminations if d <= served[-1])
        spc = round(services / len(served), 2)
    return {
        "days_open": days_open,
        "calving_interval": calving_interval,
        "services_per_conception": spc,
    }


def pregnancy_rate_21d(cows, start, end, vwp=VOLUNTARY_WAITING_DAYS):
    """21-day pregnancy rate of a herd over ``[start, end)``.

    ``cows``: iterable of dicts with ``calvings`` and ``conceptions`` (date lists) and
    optional ``exit`` (date). In each 21-day cycle a cow is *eligible* when, at the
    cycle start, she has calved at least ``vwp`` days before, is not pregnant and has
    not left the herd; she *conceives* when a conception falls inside the cycle.
    Returns ``(rate %, eligible cow-cycles, pregnancies)``.
    """
    eligible = pregnancies = 0
    cycle = start
    while cycle + timedelta(days=CYCLE_DAYS) <= end:
        cycle_end = cycle + timedelta(days=CYCLE_DAYS)
        for cow in cows:
            if cow.get("exit") and cow["exit"] <= cycle:
                continue
            calved = [c for c in cow["calvings"] if c <= cycle]
            if not calved or (cycle - calved[-1]).days < vwp:
                continue
            last_calving = calved[-1]
            if any(last_calving < c < cycle for c in cow["conceptions"]):
                continue  # already pregnant
            eligible += 1
            if any(cycle <= c < cycle_end for c in cow["conceptions"]):
                pregnancies += 1
        cycle = cycle_end
    rate = round(100.0 * pregnancies / eligible, 1) if eligible else 0.0
    return rate, eligible, pregnancies


def reproductive_state(events):
    """Current reproductive state from ``(date, kind, result)`` tuples.

    Returns a dict: ``state`` (open / inseminated / pregnant), ``last_calving``,
    ``last_heat``, ``last_insemination``, ``services`` (since the last calving or
    abortion), ``conception`` and ``expected_calving`` (when pregnant).
    """
    out = {
        "state": "open",
        "last_calving": None,
        "last_heat": None,
        "last_insemination": None,
        "services": 0,
        "conception": None,
        "expected_calving": None,
    }
    for day, kind, result in sorted(events, key=lambda e: (e[0], _ORDER.get(e[1], 9))):
        if kind == "heat":
            out["last_heat"] = day
        elif kind == "insemination":
            out["last_insemination"] = day
            out["services"] += 1
            if out["state"] != "pregnant":
                out["state"] = "inseminated"
        elif kind == "pregnancy_check":
            if result == "pregnant":
                if out["state"] != "pregnant":
                    out["conception"] = out["last_insemination"] or day - timedelta(days=35)
                out["state"] = "pregnant"
            elif result == "open":
                out["state"] = "open"
                out["conception"] = None
        elif kind in ("calving", "abortion"):
            if kind == "calving":
                out["last_calving"] = day
            out.update(state="open", services=0, conception=None, last_insemination=None)
    if out["state"] == "pregnant" and out["conception"]:
        out["expected_calving"] = out["conception"] + timedelta(days=GESTATION_DAYS)
    return out
