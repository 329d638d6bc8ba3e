# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Milk recording rules (pure Python)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_YIELD_PER_MILKING = 60.0  # litres; more is a typing or meter error
# Physical ranges for cow's milk (anything outside is a wrong entry, not a sick cow).
RANGES = {
    "yield_l": (0.0, MAX_YIELD_PER_MILKING, "L"),
    "fat_pct": (1.0, 12.0, "%"),
    "snf_pct": (5.0, 12.0, "%"),
    "scc": (0.0, 10000.0, "×1000 cells/mL"),
    "conductivity": (0.0, 20.0, "mS/cm"),
    "milk_temp_c": (0.0, 45.0, "°C"),
}
# Local time of the two milkings (Bangladesh farms milk twice a day).
SESSION_TIMES = {"am": time(5, 30), "pm": time(16, 30)}
DEFAULT_TZ = "Asia/Dhaka"
HIGH_SCC = 200.0  # ×1000 cells/mL: above it the quarter is suspect of mastitis


def check_range(field, value):
    """Return an error message when ``value`` is outside the physical range of ``field``.

    ``None``/``False`` (not measured) is fine; ``yield_l`` accepts 0 (cow not milked)
    but never a negative value.
    """
    if value is None or value is False:
        return None
    low, high, unit = RANGES[field]
    if field != "yield_l" and value == 0:
        return None  # 0 = not measured for the optional quality figures
    if value < low or value > high:
        return f"{value} {unit} is outside {low:g}–{high:g} {unit}"
    return None


def session_from_time(milking_time, tz=DEFAULT_TZ):
    """``(local date, 'am'|'pm')`` for a naive UTC milking datetime."""
    local = milking_time.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(tz or DEFAULT_TZ))
    return local.date(), ("am" if local.hour < 12 else "pm")


def time_from_session(day, session, tz=DEFAULT_TZ):
    """Naive UTC datetime of the usual milking time of ``session`` on local ``day``."""
    local = datetime.combine(day, SESSION_TIMES[session], tzinfo=ZoneInfo(tz or DEFAULT_TZ))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def lactation_stage(dim):
    if dim is None or dim is False or dim < 0:
        return False
    if dim <= 100:
        return "early"
    if dim <= 200:
        return "mid"
    return "late"


def lactation_summary(daily, calving_date):
    """Totals of one lactation from ``{date: litres of that day}``.

    Returns ``dict(total, yield_305, peak_yield, peak_dim, days_recorded)``; the
    305-day yield counts days 0–304 after calving (ICAR standard lactation).
    """
    total = sum(daily.values())
    limit = calving_date + timedelta(days=305) if calving_date else None
    yield_305 = sum(v for d, v in daily.items() if limit is None or d < limit)
    peak_yield, peak_dim = 0.0, 0
    for day in sorted(daily):
        if daily[day] > peak_yield:
            peak_yield = daily[day]
            peak_dim = (day - calving_date).days if calving_date else 0
    return {
        "total": round(total, 2),
        "yield_305": round(yield_305, 2),
        "peak_yield": round(peak_yield, 2),
        "peak_dim": peak_dim,
        "days_recorded": len(daily),
    }


def under_withdrawal(day, windows):
    """Is milk of ``day`` under withdrawal for any ``(start, sellable_from)`` window?"""
    return any(start <= day < end for start, end in windows if start and end)
