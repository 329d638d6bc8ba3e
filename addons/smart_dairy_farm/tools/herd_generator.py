# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Deterministic generator of a realistic HF × Local crossbred herd history.

Pure Python (stdlib only). Used by ``dairy.animal.seed_demo_herd`` and by the module
demo data. Cow ``i`` gets the same life whatever the herd size (its random stream is
seeded with ``(seed, i)``), and follows the suite identity contract (EID, tag, barn).

Biology kept simple but plausible for Bangladeshi crossbreds:

- Wood lactation curve ``y = a·t^b·e^(−c·t)``, peak ≈ 8–15 L/day around day 45–60,
  scaled by parity and by the Holstein Friesian share; 55 % of the day in the AM milking;
- first heat ≈ 45–70 days after calving, services every ≈ 21 days with a 45 %
  conception rate, pregnancy check 35–45 days after service, gestation 280 ± 4 days,
  dry-off 60 days before the expected calving, 3 % abortions;
- clinical mastitis (yield drop, SCC and conductivity up, 4-day antibiotic withdrawal),
  ketosis early in lactation, lameness; FMD vaccination every 6 months, LSD and
  anthrax yearly, the next FMD round planned in the future.
"""

import math
import random
from datetime import date, timedelta

from .eid import contract_barn_code, contract_eid, contract_tag

GESTATION = 280
NAMES = [
    "Lakshmi",
    "Kajol",
    "Moyna",
    "Shyama",
    "Dhoboli",
    "Rupa",
    "Sonali",
    "Champa",
    "Bokul",
    "Jhumur",
    "Kalo",
    "Laali",
    "Moni",
    "Pori",
    "Ranga",
    "Shapla",
    "Tara",
    "Jui",
    "Beli",
    "Mala",
    "Koli",
    "Shefali",
    "Rani",
    "Gita",
]
HF_SHARES = [50.0, 62.5, 75.0, 75.0, 75.0, 87.5]
SEMEN = ["HF-2031 (CAB)", "HF-1187 (BRAC)", "HF-2210 (DLS)", "HF-1954 (CAB)"]
TECHNICIANS = ["Abdul Karim", "Rahima Khatun", "Jamal Uddin"]
# product key → (name, withdrawal days, dose, unit, route)
MEDICINES = {
    "mastitis": ("Ceftiofur intramammary", 4, 1.0, "tube", "intramammary"),
    "ketosis": ("Propylene glycol drench", 0, 300.0, "ml", "oral"),
    "lameness": ("Meloxicam injection", 5, 15.0, "ml", "im"),
    "metritis": ("Oxytetracycline LA", 7, 20.0, "ml", "im"),
    "fmd": ("FMD trivalent vaccine", 0, 3.0, "ml", "sc"),
    "lsd": ("Lumpy skin disease vaccine", 0, 1.0, "ml", "sc"),
    "anthrax": ("Anthrax spore vaccine", 0, 1.0, "ml", "sc"),
}


def _wood(dim, a, b=0.22, c=0.0042):
    t = max(dim, 1)
    return a * t**b * math.exp(-c * t)


class HerdHistory:
    """Result of :func:`generate_herd`: plain lists of dicts/tuples."""

    def __init__(self, start, end):
        self.start, self.end = start, end
        self.cows = []  # dict per cow
        self.lactations = []  # dict(cow, number, calving_date, dry_off_date)
        self.milkings = []  # (cow, date, session, yield, fat, snf, scc, cond, temp, withdrawal)
        self.breeding = []  # dict(cow, date, event_type, ...)
        self.health = []  # dict(cow, date, event_type, disease, medicine, state)
        self.weights = []  # (cow, date, kg)
        self.calves = []  # dict(dam, date, sex, hf_pct)


def generate_herd(n_cows, days, seed=42, end=None):
    """History of cows ``1..n_cows`` over the ``days`` days ending ``end`` (today)."""
    end = end or date.today()
    start = end - timedelta(days=days - 1)
    history = HerdHistory(start, end)
    for i in range(1, n_cows + 1):
        _generate_cow(history, i, random.Random(f"{seed}-{i}"))
    _vaccinations(history, n_cows)
    return history


def _served_and_confirmed(rng, day):
    """An insemination on ``day`` confirmed pregnant 40 days later (breeding events)."""
    return [
        (
            "insemination",
            day,
            {"semen_straw": rng.choice(SEMEN), "technician": rng.choice(TECHNICIANS)},
        ),
        ("pregnancy_check", day + timedelta(days=40), {"pregnancy_result": "pregnant"}),
    ]


def _generate_cow(h, i, rng):
    start, end = h.start, h.end
    parity0 = rng.choices([1, 2, 3, 4, 5], weights=[30, 25, 20, 15, 10])[0]
    hf = rng.choice(HF_SHARES)
    offset = rng.randint(0, 395)  # days since the calving that opened the current lactation
    first_calving_age = rng.randint(30 * 27, 30 * 33)
    calving0 = start - timedelta(days=offset)
    birth = calving0 - timedelta(days=first_calving_age + (parity0 - 1) * rng.randint(380, 430))
    potential = 5.2 * (0.70 + 0.006 * hf) * rng.uniform(0.85, 1.15)
    cow = {
        "i": i,
        "eid": contract_eid(i),
        "tag": contract_tag(i),
        "name": f"{NAMES[(i - 1) % len(NAMES)]} {i}",
        "barn": contract_barn_code(i),
        "birth_date": birth,
        "hf_pct": hf,
        "previous_lactations": parity0 - 1,
        "purchased": i % 9 == 0,
        "status": "lactating",
    }
    h.cows.append(cow)
    withdrawal = []  # (start, sellable_from)
    calving, number = calving0, parity0
    while calving <= end:
        # ---------------------------------------------------------- breeding cycle
        parity_factor = {1: 0.80, 2: 0.93}.get(number, 1.0)
        a = potential * parity_factor
        ev = []
        day = calving + timedelta(days=rng.randint(45, 70))
        conception = None
        services = 0
        while conception is None and services < 6:
            ev.append(("heat", day, {"heat_source": rng.choice(["observed", "detected"])}))
            services += 1
            ev.append(
                (
                    "insemination",
                    day,
                    {"semen_straw": rng.choice(SEMEN), "technician": rng.choice(TECHNICIANS)},
                )
            )
            if rng.random() < 0.45:
                conception = day
                check = day + timedelta(days=rng.randint(35, 45))
                ev.append(("pregnancy_check", check, {"pregnancy_result": "pregnant"}))
            else:
                if rng.random() < 0.3:  # a missed return: found open at the check
                    check = day + timedelta(days=rng.randint(35, 45))
                    ev.append(("pregnancy_check", check, {"pregnancy_result": "open"}))
                    day = check + timedelta(days=rng.randint(2, 10))
                else:
                    day = day + timedelta(days=rng.randint(19, 23))
        if conception is None:
            conception = day + timedelta(days=21)
            ev += _served_and_confirmed(rng, conception)
        aborted = rng.random() < 0.03
        if aborted:
            abort_day = conception + timedelta(days=rng.randint(90, 200))
            ev.append(("abortion", abort_day, {}))
            conception = abort_day + timedelta(days=rng.randint(40, 70))
            ev.append(("heat", conception, {"heat_source": "observed"}))
            ev += _served_and_confirmed(rng, conception)
        next_calving = conception + timedelta(days=GESTATION + rng.randint(-4, 4))
        dry_off = next_calving - timedelta(days=rng.randint(55, 65))
        dry_off = max(dry_off, calving + timedelta(days=200))
        if dry_off <= end:
            ev.append(("dry_off", dry_off, {}))
        for kind, d, extra in ev:
            if start <= d <= end:
                h.breeding.append(dict(extra, cow=i, date=d, event_type=kind))
        if calving >= start:
            calf_sex = "female" if rng.random() < 0.5 else "male"
            h.breeding.append(
                {"cow": i, "date": calving, "event_type": "calving", "calf_sex": calf_sex}
            )
            if (end - calving).days <= 60:
                h.calves.append(
                    {
                        "dam": i,
                        "date": calving,
                        "sex": calf_sex,
                        "hf_pct": round((hf + 100.0) / 2, 1),
                    }
                )
        h.lactations.append(
            {
                "cow": i,
                "number": number,
                "calving_date": calving,
                "dry_off_date": dry_off if dry_off <= end else None,
            }
        )
        # ---------------------------------------------------------- health of the lactation
        episodes = []  # (start, days, kind, drop)
        lact_days = (dry_off - calving).days
        if rng.random() < 0.25:
            s = calving + timedelta(days=rng.randint(5, lact_days - 10))
            episodes.append((s, rng.randint(5, 9), "mastitis", rng.uniform(0.15, 0.35)))
        if rng.random() < 0.06:
            s = calving + timedelta(days=rng.randint(5, 30))
            episodes.append((s, rng.randint(5, 10), "ketosis", rng.uniform(0.10, 0.20)))
        if rng.random() < 0.05:
            s = calving + timedelta(days=rng.randint(3, 12))
            episodes.append((s, rng.randint(5, 8), "metritis", rng.uniform(0.05, 0.15)))
        if rng.random() < 0.08:
            s = calving + timedelta(days=rng.randint(20, lact_days - 10))
            episodes.append((s, rng.randint(7, 14), "lameness", rng.uniform(0.05, 0.12)))
        for s, _length, kind, _drop in episodes:
            treat = s + timedelta(days=1)
            if start <= s <= end:
                h.health.append(
                    {
                        "cow": i,
                        "date": s,
                        "event_type": "diagnosis",
                        "disease": kind,
                        "medicine": None,
                        "state": "done",
                    }
                )
            if start <= treat <= end:
                wd = MEDICINES[kind][1]
                for k in range(3 if kind == "mastitis" else 1):
                    t = treat + timedelta(days=k)
                    if t <= end:
                        h.health.append(
                            {
                                "cow": i,
                                "date": t,
                                "event_type": "treatment",
                                "disease": kind,
                                "medicine": kind,
                                "state": "done",
                            }
                        )
                        if wd:
                            withdrawal.append((t, t + timedelta(days=wd)))
        # ---------------------------------------------------------- milk of the lactation
        d = max(calving, start)
        stop = min(dry_off - timedelta(days=1), end)
        while d <= stop:
            dim = (d - calving).days
            factor = 1.0
            scc = rng.lognormvariate(math.log(110), 0.45)
            cond = rng.gauss(4.9, 0.25)
            for s, length, kind, drop in episodes:
                into = (d - s).days
                if 0 <= into < length:
                    factor -= drop * (1 - into / (length * 1.5))
                    if kind == "mastitis":
                        scc = rng.uniform(600, 2500) * (1 - into / (length * 2))
                        cond += rng.uniform(1.0, 2.0)
            daily = _wood(dim, a) * factor * rng.gauss(1.0, 0.06)
            fat_base = 4.3 + 0.004 * (dim - 60) - 0.04 * (daily - 10) - 0.006 * (hf - 50)
            sold = not any(ws <= d < we for ws, we in withdrawal)
            for session, share in (("am", 0.55), ("pm", 0.45)):
                y = max(daily * share * rng.gauss(1.0, 0.04), 0.3)
                fat = min(
                    max(fat_base + rng.gauss(0, 0.15) + (0.2 if session == "pm" else 0), 2.8), 6.5
                )
                snf = min(max(rng.gauss(8.5, 0.18), 7.6), 9.4)
                h.milkings.append(
                    (
                        i,
                        d,
                        session,
                        round(y, 2),
                        round(fat, 2),
                        round(snf, 2),
                        round(scc, 0),
                        round(cond, 2),
                        round(rng.gauss(37.6, 0.3), 1),
                        not sold,
                    )
                )
            d += timedelta(days=1)
        # ---------------------------------------------------------- next lactation
        if next_calving > end:
            cow["status"] = "dry" if dry_off <= end else "lactating"
            break
        calving, number = next_calving, number + 1
    # monthly weights (kg) on the 1st of each month
    weight = rng.uniform(330, 430) * (0.9 + 0.002 * hf)
    d = date(start.year, start.month, 1)
    while d <= end:
        if d >= start:
            h.weights.append((i, d, round(weight + rng.gauss(0, 6), 1)))
        weight += rng.uniform(-1, 3)
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _vaccinations(h, n_cows):
    """Herd-wide vaccination rounds, and the next FMD round planned."""
    rounds = []
    d = date(h.start.year, 1, 15)
    while d <= h.end + timedelta(days=200):
        for month, disease in ((1, "fmd"), (7, "fmd"), (3, "lsd"), (5, "anthrax")):
            day = date(d.year, month, 15)
            rounds.append((day, disease))
        d = date(d.year + 1, 1, 15)
    planned = min((r for r in rounds if r[0] > h.end and r[1] == "fmd"), default=None)
    for day, disease in sorted(set(rounds)):
        if h.start <= day <= h.end or (day, disease) == planned:
            state = "planned" if day > h.end else "done"
            for cow in h.cows:
                if cow["birth_date"] < day:
                    h.health.append(
                        {
                            "cow": cow["i"],
                            "date": day,
                            "event_type": "vaccination",
                            "disease": disease,
                            "medicine": disease,
                            "state": state,
                        }
                    )
