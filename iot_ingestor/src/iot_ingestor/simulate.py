"""``iot-ingestor simulate``: publish a realistic farm over MQTT from the herd simulator.

Uses ``smart_dairy_ml.simulator.HerdSimulator`` (imported lazily) and the shared identity
contract: cow i -> EID from the simulator, collar ``COL-iiii``, barn ``B{(i-1)//64+1}``;
climate nodes ``ENV-B{k}``; milk meters ``MM-P01``..``MM-P08`` (parlour stalls); RFID reader
``RFID-P1`` at the parlour entrance (a scan 2 minutes before each milking).

History mode publishes the simulated days (device timestamps = simulated time) as fast as
possible (``--speed 0``) or paced (``--speed S`` simulated seconds per wall second).
``--history`` picks what it publishes: ``all`` (default), ``sensors`` (collars/boluses and
barn climate only: no milk-meter milkings and RFID scans, for a farm whose milk records come
from elsewhere - the demo seed writes them in Odoo, and meter milkings of this simulation
would add records the seed's herd does not have, e.g. for cows it has dried off) or ``none``.
``--wait-ingestor PORT`` also paces the history by the ingestor whose ``/healthz`` answers
on that 127.0.0.1 port - at most ``BACKLOG`` published messages not yet committed, because a
broker drops what it cannot queue for a slow subscriber (Mosquitto's default
``max_queued_messages`` is 1000) - and then waits until the ingestor has committed the whole
history (its ``committed`` counter grew by as many messages), so that what follows - scoring -
sees it. ``--live`` then keeps publishing current readings so a dashboard moves: collars carry
the simulated herd on into the present (the simulation runs ``LIVE_DAYS`` past today, and each
cow's reading is her simulated value for the current hour, with a little jitter), so live
data keeps the daily rhythm, heats and illnesses the scorer expects; barn climate is a random
walk around the last values. ``--heat-barn B1`` adds ``--heat-offset`` (12) degC to that barn
in live mode to trigger a heat-stress alert.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from datetime import UTC, date, datetime, timedelta

log = logging.getLogger(__name__)

SENSOR_TOPICS = (
    ("temperature", "temperature_c"),
    ("humidity", "humidity_pct"),
    ("ammonia", "ammonia_ppm"),
)


def _iso(ts) -> str:
    if hasattr(ts, "to_pydatetime"):
        ts = ts.to_pydatetime()
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC).isoformat()


def _num(v):
    if v is None:
        return None
    v = float(v)
    return None if math.isnan(v) else round(v, 3)


# --wait-ingestor: published but not yet committed messages allowed during the history, below
# what a broker queues for a subscriber by default (Mosquitto: max_queued_messages 1000)
BACKLOG = 800
# --live: days simulated past today, so collars go on with the simulated herd
LIVE_DAYS = 2
COLLAR_METRICS = ("activity", "rumination_min", "body_temp_c")


def build_events(res, farm: str = "sd1", milkings: bool = True) -> list[tuple[float, str, dict]]:
    """(epoch seconds, topic, payload dict) for every simulated observation, time-ordered.

    ``milkings=False`` leaves out the milk-meter milkings and their RFID scans (collars,
    boluses and barn climate only).
    """
    cows = {int(c.cow_id): c for c in res.cows.itertuples(index=False)}
    events = []
    for h in res.hourly.itertuples(index=False):
        cow = cows[int(h.cow_id)]
        payload = {
            "device_id": getattr(cow, "collar", None) or f"COL-{int(h.cow_id):04d}",
            "timestamp": _iso(h.ts),
            "barn": cow.barn,
        }
        for field in ("activity", "rumination_min", "body_temp_c"):
            v = _num(getattr(h, field))
            if v is not None:
                payload[field] = max(0.0, v)
        if len(payload) == 3:
            continue  # the simulator dropped this reading (sensor fault): nothing to send
        payload["battery_pct"] = round(
            100 - (int(h.cow_id) * 7 % 60) - h.ts.timestamp() / 86400 % 30 / 3, 1
        )
        events.append((h.ts.timestamp(), f"farm/{farm}/animals/{cow.eid}/activity", payload))
    milk_rows = res.milkings.itertuples(index=False) if milkings else ()
    for m in milk_rows:
        cow = cows[int(m.cow_id)]
        stall = (int(m.cow_id) - 1) % 8 + 1
        payload = {"device_id": f"MM-P{stall:02d}", "timestamp": _iso(m.ts), "session": m.session}
        for field in ("yield_l", "fat_pct", "snf_pct", "conductivity_ms_cm", "milk_temp_c"):
            v = _num(getattr(m, field))
            if v is not None:
                payload[field] = v
        if "yield_l" not in payload:
            continue
        events.append((m.ts.timestamp(), f"farm/{farm}/milking/{cow.eid}/production", payload))
        scan = m.ts - timedelta(minutes=2)
        events.append(
            (
                scan.timestamp(),
                f"farm/{farm}/rfid/scan",
                {"reader_id": "RFID-P1", "eid": cow.eid, "timestamp": _iso(scan), "location": "P1"},
            )
        )
    for e in res.environment.itertuples(index=False):
        for kind, field in SENSOR_TOPICS:
            v = _num(getattr(e, field))
            if v is None:
                continue
            events.append(
                (
                    e.ts.timestamp(),
                    f"farm/{farm}/sensors/{kind}",
                    {
                        "device_id": f"ENV-{e.barn}",
                        "timestamp": _iso(e.ts),
                        "value": v,
                        "barn": e.barn,
                    },
                )
            )
    events.sort(key=lambda ev: ev[0])
    return events


class _Publisher:
    def __init__(self, cfg, client_id: str, qos: int):
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        self.qos = qos
        self.acked = 0
        self.sent = 0
        self.c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        if cfg.mqtt_username:
            self.c.username_pw_set(cfg.mqtt_username, cfg.mqtt_password or None)
        self.c.max_inflight_messages_set(1000)
        self.c.on_publish = self._on_publish
        self.c.connect(cfg.mqtt_host, cfg.mqtt_port)
        self.c.loop_start()

    def _on_publish(self, client, userdata, mid, reason_code, properties):
        self.acked += 1

    def publish(self, topic, payload):
        self.c.publish(topic, json.dumps(payload, separators=(",", ":")), qos=self.qos)
        self.sent += 1

    def wait_acked(self, timeout=120):
        deadline = time.time() + timeout
        while self.qos and self.acked < self.sent and time.time() < deadline:
            time.sleep(0.05)

    def close(self, timeout=120):
        self.wait_acked(timeout)
        self.c.disconnect()
        self.c.loop_stop()


def _committed(port: int, patience: float = 30.0) -> int:
    """The ``committed`` counter of the ingestor's ``/healthz`` on 127.0.0.1:``port``
    (waits ``patience`` seconds for an ingestor that is starting)."""
    from .metrics import read_healthz

    deadline = time.time() + patience
    while (doc := read_healthz(port, timeout=5)) is None:
        if time.time() >= deadline:
            raise SystemExit(f"no ingestor answers on http://127.0.0.1:{port}/healthz")
        time.sleep(0.5)
    return int(doc["committed"])


def _wait_committed(port: int, target: int, timeout: float, interval: float = 0.5) -> bool:
    """Wait until the ingestor has committed ``target`` messages; False after ``timeout``."""
    deadline = time.time() + timeout
    while True:
        if _committed(port) >= target:
            return True
        if time.time() >= deadline:
            log.warning("the ingestor has not committed the history after %.0f s", timeout)
            return False
        time.sleep(interval)


def run_simulation(cfg, args) -> dict:
    try:
        from smart_dairy_ml.simulator import HerdSimulator
    except ImportError as exc:
        raise SystemExit(f"simulate needs smart_dairy_ml (pip install -e ml): {exc}") from None
    start = args.start or (date.today() - timedelta(days=args.days)).isoformat()
    # always LIVE_DAYS more than published, so that a history run and a live run with the same
    # arguments simulate the same herd (the draws depend on the length)
    res = HerdSimulator(
        n_cows=args.cows, start=start, days=args.days + LIVE_DAYS, seed=args.seed
    ).run()
    if args.history == "none":
        events = []
    else:
        events = build_events(res, args.farm, milkings=args.history == "all")
        end = datetime.fromisoformat(start).replace(tzinfo=UTC) + timedelta(days=args.days)
        cut = min(end.timestamp(), time.time()) if args.live else end.timestamp()
        events = [e for e in events if e[0] < cut]
    wait_port = args.wait_ingestor
    committed0 = _committed(wait_port) if wait_port else None
    pub = _Publisher(cfg, args.client_id, args.qos)
    t_wall0 = time.time()
    sim0 = events[0][0] if events else time.time()
    limit = time.time() + cfg.max_future_s - 5
    skipped = 0
    stop_at = t_wall0 + args.max_seconds if args.max_seconds else None
    released = 0  # messages the ingestor has committed, as far as we know
    for ts, topic, payload in events:
        if args.speed > 0:
            delay = t_wall0 + (ts - sim0) / args.speed - time.time()
            if delay > 0:
                time.sleep(delay)
        if ts > limit:
            skipped += 1  # would be refused as a future timestamp
            continue
        if stop_at and time.time() > stop_at:
            break
        if wait_port and pub.sent - released >= BACKLOG:
            # backpressure: never more than BACKLOG messages ahead of the ingestor
            released = pub.sent - BACKLOG // 2
            if not _wait_committed(wait_port, committed0 + released, args.wait_timeout_s, 0.05):
                raise SystemExit(f"the ingestor stopped committing after {released} messages")
        pub.publish(topic, payload)
    history = pub.sent
    ingested = None
    if wait_port:
        pub.wait_acked()
        ingested = _wait_committed(wait_port, committed0 + history, args.wait_timeout_s)
    if args.live:
        _live(pub, res, args, stop_at)
    pub.close()
    return {
        "cows": args.cows,
        "days": args.days,
        "start": start,
        "history": args.history,
        "history_messages": history,
        "history_ingested": ingested,
        "live_messages": pub.sent - history,
        "skipped_future": skipped,
        "acked": pub.acked,
        "seconds": round(time.time() - t_wall0, 1),
    }


def live_collar_table(hourly):
    """{cow id: {hour (epoch s): (activity, rumination_min, body_temp_c)}} of the simulation."""
    table = {}
    ts = hourly["ts"]
    epochs = (ts.dt.tz_convert("UTC") if ts.dt.tz is not None else ts).astype("int64") // 10**9
    for cow, hour, *vals in zip(
        hourly["cow_id"], epochs, *(hourly[m] for m in COLLAR_METRICS), strict=True
    ):
        table.setdefault(int(cow), {})[int(hour)] = tuple(vals)
    return table


def live_collar_readings(table, cows, now, rnd, farm="sd1"):
    """(topic, payload) per cow for wall-clock time ``now`` (epoch s): the cow's simulated
    values for this hour, +-5 % jitter; a cow whose sensor is silent in the simulation (a gap)
    publishes nothing, a missing metric is left out."""
    hour = int(now // 3600 * 3600)
    ts = datetime.fromtimestamp(now, UTC).isoformat()
    out = []
    for cow_id, series in table.items():
        vals = series.get(hour)
        if vals is None:
            continue
        reading = {
            m: v for m, v in zip(COLLAR_METRICS, vals, strict=True) if not math.isnan(float(v))
        }
        if not reading:
            continue
        cow = cows[cow_id]
        payload = {
            "device_id": getattr(cow, "collar", None) or f"COL-{cow_id:04d}",
            "timestamp": ts,
            "barn": cow.barn,
        }
        if "activity" in reading:
            payload["activity"] = round(max(0.0, reading["activity"] * rnd.uniform(0.95, 1.05)), 1)
        if "rumination_min" in reading:
            payload["rumination_min"] = round(
                max(0.0, reading["rumination_min"] * rnd.uniform(0.95, 1.05)), 1
            )
        if "body_temp_c" in reading:
            payload["body_temp_c"] = round(reading["body_temp_c"] + rnd.gauss(0, 0.03), 2)
        out.append((f"farm/{farm}/animals/{cow.eid}/activity", payload))
    return out


def _live(pub, res, args, stop_at):
    rnd = random.Random(args.seed)
    table = live_collar_table(res.hourly)
    cows = {int(c.cow_id): c for c in res.cows.itertuples(index=False)}
    # barn climate starts from the simulated hour before now (the simulation runs on past it)
    env = res.environment
    env = env[env["ts"] <= datetime.now(UTC)] if len(env) else env
    last_env = {e.barn: e for e in (env if len(env) else res.environment).itertuples(index=False)}
    env_state = {
        b: {f: float(getattr(e, f)) for _k, f in SENSOR_TOPICS} for b, e in last_env.items()
    }
    next_env = next_collar = 0.0
    while stop_at is None or time.time() < stop_at:
        now = time.time()
        ts = datetime.now(UTC).isoformat()
        if now >= next_env:
            next_env = now + args.env_interval_s
            for barn, st in env_state.items():
                st["temperature_c"] += rnd.gauss(0, 0.15)
                st["humidity_pct"] = min(100.0, max(0.0, st["humidity_pct"] + rnd.gauss(0, 0.5)))
                st["ammonia_ppm"] = max(0.0, st["ammonia_ppm"] + rnd.gauss(0, 0.3))
                for kind, field in SENSOR_TOPICS:
                    v = st[field] + (
                        args.heat_offset
                        if field == "temperature_c" and barn == args.heat_barn
                        else 0.0
                    )
                    pub.publish(
                        f"farm/{args.farm}/sensors/{kind}",
                        {
                            "device_id": f"ENV-{barn}",
                            "timestamp": ts,
                            "value": round(v, 2),
                            "barn": barn,
                        },
                    )
        if now >= next_collar:
            next_collar = now + args.collar_interval_s
            for topic, payload in live_collar_readings(table, cows, now, rnd, args.farm):
                pub.publish(topic, payload)
        time.sleep(0.2)
