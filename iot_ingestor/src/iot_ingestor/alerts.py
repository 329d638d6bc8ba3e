"""Alert rule evaluation with state persisted in PostgreSQL (``iot.rule_state``).

Rules are pulled from Odoo (``iot.alert.rule``) into ``iot.rule_cache``; devices into
``iot.device_cache``. A threshold rule breaches when ``value < min_value`` or
``value > max_value``; it *fires* once the breach has lasted ``duration_s`` (device time) **and**
``repeat_count`` consecutive breaching readings were seen; it *clears* when a reading is back
inside the band narrowed by ``hysteresis``. The state machine runs in the same transaction as the
batch that carried the readings, so a crash/restart neither resets a 15-minute window nor
double counts a redelivered reading (only newly inserted rows are evaluated).

Raise/clear calls for Odoo are queued in ``iot.outbox`` with idempotency keys derived from the
alert key ``rule<id>:<subject>:<epoch of breach start>``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from psycopg2.extras import execute_values

from . import outbox

log = logging.getLogger(__name__)

UPDATE_EVERY = timedelta(minutes=5)  # at most one "still breaching" update per alert per 5 min


@dataclass(frozen=True, slots=True)
class Observation:
    device_code: str
    metric: str
    ts: datetime
    value: float
    barn: str | None = None
    animal_eid: str | None = None


@dataclass
class Rule:
    id: int
    metric: str
    name: str = ""
    kind: str = "threshold"  # threshold | connectivity
    scope: str = "all"  # all | device | device_type | barn | animal | group
    device_codes: tuple = ()
    device_type: str | None = None
    barn: str | None = None
    animal_eids: tuple = ()
    min_value: float | None = None
    max_value: float | None = None
    duration_s: int = 0
    repeat_count: int = 1
    hysteresis: float = 0.0
    severity: str = "major"
    schedule: list = field(default_factory=list)
    tz: str = "Asia/Dhaka"
    silence_factor: float = 3.0

    @classmethod
    def from_dict(cls, d: dict) -> Rule:
        def num(v):
            return None if v in (None, False) else float(v)

        return cls(
            id=int(d["id"]),
            metric=d.get("metric") or "",
            name=d.get("name") or "",
            kind=d.get("kind") or "threshold",
            scope=d.get("scope") or "all",
            device_codes=tuple(d.get("device_codes") or ()),
            device_type=d.get("device_type") or None,
            barn=d.get("barn") or None,
            animal_eids=tuple(d.get("animal_eids") or ()),
            min_value=num(d.get("min_value")),
            max_value=num(d.get("max_value")),
            duration_s=int(d.get("duration_s") or 0),
            repeat_count=max(1, int(d.get("repeat_count") or 1)),
            hysteresis=float(d.get("hysteresis") or 0.0),
            severity=d.get("severity") or "major",
            schedule=list(d.get("schedule") or []),
            tz=d.get("tz") or "Asia/Dhaka",
            silence_factor=float(d.get("silence_factor") or 3),
        )

    @property
    def by_animal(self) -> bool:
        return self.scope == "animal" or (self.scope == "group" and bool(self.animal_eids))

    def subject(self, obs: Observation, device: dict | None) -> str | None:
        """The key the rule state is kept for, or None when the rule does not apply."""
        scope = self.scope
        if scope in ("device", "group") and self.device_codes:
            if obs.device_code not in self.device_codes:
                return None
        elif scope == "device_type":
            if not device or device.get("device_type") != self.device_type:
                return None
        elif scope == "barn":
            barn = obs.barn or (device or {}).get("barn")
            if barn != self.barn:
                return None
        elif self.by_animal:
            eid = obs.animal_eid or (device or {}).get("animal_eid")
            if eid not in self.animal_eids:
                return None
            return f"animal:{eid}"
        return f"device:{obs.device_code}"

    def breach(self, v: float) -> bool:
        return (self.min_value is not None and v < self.min_value) or (
            self.max_value is not None and v > self.max_value
        )

    def cleared(self, v: float) -> bool:
        h = self.hysteresis
        return (self.min_value is None or v >= self.min_value + h) and (
            self.max_value is None or v <= self.max_value - h
        )

    def in_schedule(self, ts: datetime) -> bool:
        if not self.schedule:
            return True
        local = ts.astimezone(ZoneInfo(self.tz))
        hm = local.strftime("%H:%M")
        for slot in self.schedule:
            days = slot.get("days")
            if days is not None and local.weekday() not in days:
                continue
            start, end = slot.get("start", "00:00"), slot.get("end", "24:00")
            if (start <= hm < end) if start <= end else (hm >= start or hm < end):
                return True
        return False


_cache: dict = {"version": None, "rules": [], "devices": {}}


def load_rules(cur, version=None) -> list[Rule]:
    """Active threshold rules from ``iot.rule_cache`` (process cache keyed by rules_version;
    ``version=None`` always reloads). Also refreshes the device cache used for scoping."""
    if version is None or _cache["version"] != version:
        _reload(cur)
        _cache["version"] = version
    return [r for r in _cache["rules"] if r.kind == "threshold"]


def _reload(cur) -> None:
    cur.execute("SELECT data FROM iot.rule_cache ORDER BY id")
    rules = []
    for (data,) in cur.fetchall():
        if isinstance(data, str):
            data = json.loads(data)
        if data.get("active", True) is False:
            continue
        try:
            rules.append(Rule.from_dict(data))
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("ignoring malformed rule", extra={"rule": data, "error": str(exc)})
    cur.execute(
        "SELECT code, device_type, barn, animal_eid, expected_interval_s FROM iot.device_cache"
    )
    devices = {
        r[0]: {"device_type": r[1], "barn": r[2], "animal_eid": r[3], "expected_interval_s": r[4]}
        for r in cur.fetchall()
    }
    _cache.update(rules=rules, devices=devices)


def load_all_rules(cur) -> list[Rule]:
    load_rules(cur, None)
    return list(_cache["rules"])


def invalidate_cache() -> None:
    _cache.update(version=None)


def alert_key(rule: Rule, subject: str, since: datetime) -> str:
    return f"rule{rule.id}:{subject}:{int(since.timestamp())}"


def _event(rule, subject, key, obs, state, count) -> dict:
    animal = subject[7:] if subject.startswith("animal:") else obs.animal_eid
    return {
        "key": key,
        "rule_id": rule.id,
        "metric": rule.metric,
        "severity": rule.severity,
        "device_code": obs.device_code,
        "animal_eid": animal,
        "subject": subject,
        "value": obs.value,
        "min_value": rule.min_value,
        "max_value": rule.max_value,
        "first_seen": state["breach_since"].isoformat(),
        "last_seen": obs.ts.isoformat(),
        "count": count,
        "message": f"{rule.name or rule.metric}: {obs.value:g} outside "
        f"[{'' if rule.min_value is None else f'{rule.min_value:g}'}, "
        f"{'' if rule.max_value is None else f'{rule.max_value:g}'}] "
        f"on {subject.split(':', 1)[1]}",
    }


def step(rule: Rule, state: dict, obs: Observation, subject: str) -> list[tuple]:
    """Advance one rule state with one observation; return outbox events (kind, key, item)."""
    if state["last_ts"] is not None and obs.ts <= state["last_ts"]:
        return []  # late/out-of-order reading: stored and rolled up, but no state change
    if not rule.in_schedule(obs.ts):
        return []
    state["last_ts"], state["last_value"] = obs.ts, obs.value
    out = []
    if state["open_key"] is None:
        if rule.breach(obs.value):
            if state["breach_since"] is None:
                state["breach_since"], state["breach_count"] = obs.ts, 0
            state["breach_count"] += 1
            if state["breach_count"] >= rule.repeat_count and obs.ts - state[
                "breach_since"
            ] >= timedelta(seconds=rule.duration_s):
                key = alert_key(rule, subject, state["breach_since"])
                state["open_key"], state["opened_at"], state["last_sent_at"] = key, obs.ts, obs.ts
                out.append(
                    (
                        "raise",
                        f"raise:{key}",
                        _event(rule, subject, key, obs, state, state["breach_count"]),
                    )
                )
        else:
            state["breach_since"], state["breach_count"] = None, 0
    else:
        key = state["open_key"]
        if rule.breach(obs.value):
            state["breach_count"] += 1
            if state["last_sent_at"] is None or obs.ts - state["last_sent_at"] >= UPDATE_EVERY:
                state["last_sent_at"] = obs.ts
                out.append(
                    (
                        "raise",
                        f"update:{key}:{state['breach_count']}",
                        _event(rule, subject, key, obs, state, state["breach_count"]),
                    )
                )
        elif rule.cleared(obs.value):
            out.append(
                (
                    "clear",
                    f"clear:{key}",
                    {
                        "key": key,
                        "rule_id": rule.id,
                        "subject": subject,
                        "cleared_at": obs.ts.isoformat(),
                        "value": obs.value,
                        "reason": "condition cleared",
                    },
                )
            )
            state.update(
                open_key=None, opened_at=None, breach_since=None, breach_count=0, last_sent_at=None
            )
    return out


_STATE_COLS = (
    "breach_since",
    "breach_count",
    "last_ts",
    "last_value",
    "open_key",
    "opened_at",
    "last_sent_at",
)


def load_states(cur, pairs) -> dict:
    pairs = sorted(pairs)
    execute_values(
        cur,
        "INSERT INTO iot.rule_state (rule_id, subject) VALUES %s ON CONFLICT DO NOTHING",
        pairs,
        page_size=5000,
    )
    cur.execute(
        "SELECT rule_id, subject, " + ", ".join(_STATE_COLS) + " FROM iot.rule_state "
        "WHERE (rule_id, subject) IN (SELECT * FROM unnest(%s::int[], %s::text[])) "
        "ORDER BY rule_id, subject FOR UPDATE",
        ([p[0] for p in pairs], [p[1] for p in pairs]),
    )
    return {(r[0], r[1]): dict(zip(_STATE_COLS, r[2:], strict=True)) for r in cur.fetchall()}


def save_states(cur, states: dict) -> None:
    if not states:
        return
    rows = [(rid, subj, *(s[c] for c in _STATE_COLS)) for (rid, subj), s in sorted(states.items())]
    execute_values(
        cur,
        "UPDATE iot.rule_state AS s SET breach_since = v.breach_since, "
        "breach_count = v.breach_count, last_ts = v.last_ts, last_value = v.last_value, "
        "open_key = v.open_key, opened_at = v.opened_at, last_sent_at = v.last_sent_at "
        "FROM (VALUES %s) AS v(rule_id, subject, breach_since, breach_count, last_ts, "
        "last_value, open_key, opened_at, last_sent_at) "
        "WHERE s.rule_id = v.rule_id AND s.subject = v.subject",
        rows,
        template="(%s::int, %s::text, %s::timestamptz, %s::int, %s::timestamptz, %s::float8, "
        "%s::text, %s::timestamptz, %s::timestamptz)",
        page_size=5000,
    )


def queue_events(cur, events) -> int:
    n = 0
    for kind, idem, item in events:
        method = "ingestor_raise" if kind == "raise" else "ingestor_clear"
        n += outbox.enqueue(cur, "iot.alert", method, [item], idem, order_key=item["key"])
    return n


def evaluate(cur, rules: list[Rule], observations: list[Observation]) -> int:
    """Evaluate ``rules`` on newly stored observations; queue raise/clear calls. Returns count."""
    devices = _cache["devices"]
    by_metric: dict = {}
    for r in rules:
        by_metric.setdefault(r.metric, []).append(r)
    matched: dict = {}
    for obs in observations:
        for rule in by_metric.get(obs.metric, ()):
            subject = rule.subject(obs, devices.get(obs.device_code))
            if subject is not None:
                matched.setdefault((rule.id, subject), []).append(obs)
    if not matched:
        return 0
    rules_by_id = {r.id: r for r in rules}
    states = load_states(cur, matched.keys())
    events = []
    for pair, obs_list in matched.items():
        obs_list.sort(key=lambda o: o.ts)
        state, rule = states[pair], rules_by_id[pair[0]]
        for obs in obs_list:
            events += step(rule, state, obs, pair[1])
    save_states(cur, {p: states[p] for p in matched})
    return queue_events(cur, events)


def check_connectivity(cur, now: datetime | None = None) -> int:
    """Connectivity rules: a device silent for ``silence_factor`` x its expected interval.

    Silence is measured on receive time. Raises once per silence episode, clears when the
    device is heard again. Returns the number of events queued.
    """
    now = now or datetime.now(UTC)
    rules = [r for r in load_all_rules(cur) if r.kind == "connectivity"]
    if not rules:
        return 0
    cur.execute(
        "SELECT c.code, c.device_type, c.barn, c.expected_interval_s, s.last_received_at "
        "FROM iot.device_cache c LEFT JOIN iot.device_status s ON s.device_code = c.code "
        "WHERE c.expected_interval_s > 0 AND coalesce(c.status, 'active') <> 'retired'"
    )
    devices = cur.fetchall()
    pairs, plan = set(), []
    for rule in rules:
        for code, dtype, barn, interval, last in devices:
            if rule.device_type and dtype != rule.device_type:
                continue
            if rule.device_codes and code not in rule.device_codes:
                continue
            if rule.barn and barn != rule.barn:
                continue
            if last is None:
                continue  # never heard: nothing to be silent about yet (discovery is Odoo's)
            pairs.add((rule.id, f"device:{code}"))
            plan.append((rule, code, interval, last))
    if not plan:
        return 0
    states = load_states(cur, pairs)
    events = []
    for rule, code, interval, last in plan:
        subject = f"device:{code}"
        st = states[(rule.id, subject)]
        silent = now - last > timedelta(seconds=interval * rule.silence_factor)
        if silent and st["open_key"] is None:
            key = f"conn{rule.id}:{subject}:{int(last.timestamp())}"
            st.update(open_key=key, opened_at=now, breach_since=last, last_ts=now)
            events.append(
                (
                    "raise",
                    f"raise:{key}",
                    {
                        "key": key,
                        "rule_id": rule.id,
                        "metric": "connectivity",
                        "severity": rule.severity,
                        "device_code": code,
                        "animal_eid": None,
                        "subject": subject,
                        "value": (now - last).total_seconds(),
                        "min_value": None,
                        "max_value": interval * rule.silence_factor,
                        "first_seen": last.isoformat(),
                        "last_seen": now.isoformat(),
                        "count": 1,
                        "message": f"{code} silent since {last.isoformat()}",
                    },
                )
            )
        elif not silent and st["open_key"] is not None:
            key = st["open_key"]
            events.append(
                (
                    "clear",
                    f"clear:{key}",
                    {
                        "key": key,
                        "rule_id": rule.id,
                        "subject": subject,
                        "cleared_at": last.isoformat(),
                        "value": 0.0,
                        "reason": "device heard again",
                    },
                )
            )
            st.update(open_key=None, opened_at=None, breach_since=None, last_ts=now)
    save_states(
        cur, {(r.id, f"device:{c}"): states[(r.id, f"device:{c}")] for r, c, _i, _l in plan}
    )
    return queue_events(cur, events)
