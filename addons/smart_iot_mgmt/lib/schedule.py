# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Alert-rule active schedule, in the ingestor's format.

Odoo stores schedule lines as (day of week or every day, hour from, hour to) in float hours
like ``resource.calendar.attendance``; the ingestor wants ``[{"days": [0..6] | None,
"start": "HH:MM", "end": "HH:MM"}]`` evaluated in the farm's timezone. An empty list means
"always active"; ``end`` < ``start`` spans midnight; a slot without ``days`` is every day (no
``None`` values: Odoo's XML-RPC cannot send them).
"""


def hhmm(hours):
    hours = max(0.0, min(24.0, float(hours or 0.0)))
    minutes = int(round(hours * 60))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def to_ingestor(lines):
    """``lines``: iterable of ``(dayofweek or None, hour_from, hour_to)``."""
    out = []
    for day, start, end in lines:
        slot = {"start": hhmm(start), "end": hhmm(end)}
        if day not in (None, False, "", "all"):
            slot["days"] = [int(day)]
        out.append(slot)
    return out


def is_active(schedule, weekday, hour):
    """Pure mirror of the ingestor's check, for the UI ("is this rule active now?")."""
    if not schedule:
        return True
    hm = hhmm(hour)
    for slot in schedule:
        days = slot.get("days")
        if days is not None and weekday not in days:
            continue
        start, end = slot.get("start", "00:00"), slot.get("end", "24:00")
        if (start <= hm < end) if start <= end else (hm >= start or hm < end):
            return True
    return False
