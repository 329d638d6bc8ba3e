# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Occurrences of a standing order (plain Python).

Rules: ``daily``; ``weekly`` / ``biweekly`` on chosen weekdays (0 = Monday), bi-weekly counted
from the week of the start date; ``monthly`` on a day of the month (clamped to the month's
last day). Skip dates (holidays) produce no occurrence.
"""

import calendar
from datetime import timedelta

RULES = (
    ("daily", "Daily"),
    ("weekly", "Weekly"),
    ("biweekly", "Every two weeks"),
    ("monthly", "Monthly"),
)
CATCH_UP_DAYS = 60


def occurs_on(day, rule, start, weekdays=(), day_of_month=1, end=None, skip=()):
    """Whether the standing order has an occurrence on ``day``."""
    if day < start or (end and day > end) or day in skip:
        return False
    if rule == "daily":
        return True
    if rule in ("weekly", "biweekly"):
        if day.weekday() not in weekdays:
            return False
        if rule == "biweekly":
            start_monday = start - timedelta(days=start.weekday())
            return ((day - start_monday).days // 7) % 2 == 0
        return True
    if rule == "monthly":
        last = calendar.monthrange(day.year, day.month)[1]
        return day.day == min(day_of_month, last)
    raise ValueError(f"Unknown recurrence {rule!r}")


def occurrences(rule, start, date_from, date_to, weekdays=(), day_of_month=1, end=None, skip=()):
    """All occurrence dates in ``[date_from, date_to]``."""
    if rule in ("weekly", "biweekly") and not weekdays:
        raise ValueError("Choose at least one weekday.")
    day = max(start, date_from)
    out = []
    while day <= date_to:
        if occurs_on(day, rule, start, weekdays, day_of_month, end, skip):
            out.append(day)
        day += timedelta(days=1)
    return out


def due_occurrences(rule, start, today, existing, catch_up_days=CATCH_UP_DAYS, **kw):
    """Occurrences up to ``today`` (at most ``catch_up_days`` back) without an order yet."""
    dates = occurrences(rule, start, today - timedelta(days=catch_up_days), today, **kw)
    done = set(existing)
    return [d for d in dates if d not in done]
