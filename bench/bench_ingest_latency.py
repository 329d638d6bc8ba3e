"""Latency publish -> commit at a steady ``IOT_BENCH_RATE`` (default 1000) msg/s for
``IOT_BENCH_SECONDS`` (default 30) s. Each payload carries its publish time (as the device
timestamp); a poller sees rows appear (every 20 ms, so figures are over-estimated by <= 20 ms).
Targets: p95 <= 1 s, p99 <= 2 s. Baseline in the same run: the seed design (INSERT + COMMIT per
message) at the same rate for a third of the duration. Prints ONE JSON object.
"""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import UTC, datetime

import psycopg2

from iot_ingestor import benchkit as bk


def _publisher(port: int, rate: float, seconds: float, tag: str) -> int:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"lat-{tag}", protocol=mqtt.MQTTv5)
    c.max_inflight_messages_set(1000)
    c.connect("127.0.0.1", port)
    c.loop_start()
    n = int(rate * seconds)
    t0 = time.time()
    for i in range(n):
        due = t0 + i / rate
        delay = due - time.time()
        if delay > 0:
            time.sleep(delay)
        ts = datetime.now(UTC).isoformat()
        c.publish(
            bk.TOPIC,
            b'{"device_id":"LAT-%04d","timestamp":"%s","value":21.5}' % (i % 1000, ts.encode()),
            qos=1,
        )
    c.loop_stop()
    c.disconnect()
    return n


def _poll(dsn: str, n: int, stop: threading.Event, seen: dict, timeout: float):
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    deadline = time.time() + timeout
    with conn.cursor() as cur:
        last = datetime(2000, 1, 1, tzinfo=UTC)
        while len(seen) < n and time.time() < deadline and not stop.is_set():
            cur.execute("SELECT device_code, ts FROM iot.reading WHERE received_at >= %s", (last,))
            now = time.time()
            for code, ts in cur.fetchall():
                if (code, ts) not in seen:
                    seen[(code, ts)] = now - ts.timestamp()
            if seen:
                # rows become visible in commit order; keep a 5 s safety window
                last = datetime.fromtimestamp(now - 5, UTC)
            time.sleep(0.02)
    conn.close()


def _pct(values, q):
    v = sorted(values)
    return round(v[min(len(v) - 1, int(q * len(v)))], 4) if v else None


def measure(kind: str, rate: float, seconds: float) -> dict:
    with bk.private_broker() as port, bk.temp_database() as dsn:
        if kind == "ingestor":
            d = bk.Daemon(dsn, port)
            d.start()
        else:
            c = bk.SeedConsumer(dsn, port)
        seen: dict = {}
        stop = threading.Event()
        n = int(rate * seconds)
        poller = threading.Thread(target=_poll, args=(dsn, n, stop, seen, seconds + 60))
        poller.start()
        _publisher(port, rate, seconds, kind)
        poller.join(seconds + 90)
        stop.set()
        if kind == "ingestor":
            d.stop()
        else:
            c.close()
    lat = list(seen.values())
    return {
        "messages": n,
        "committed_seen": len(lat),
        "p50_s": _pct(lat, 0.50),
        "p95_s": _pct(lat, 0.95),
        "p99_s": _pct(lat, 0.99),
        "max_s": _pct(lat, 1.0),
    }


def main() -> None:
    rate = float(os.environ.get("IOT_BENCH_RATE", 1000))
    seconds = float(os.environ.get("IOT_BENCH_SECONDS", 30))
    ing = measure("ingestor", rate, seconds)
    seed = measure("seed", rate, max(5.0, seconds / 3))
    print(
        json.dumps(
            {
                "bench": "ingest_latency",
                "cpus": os.cpu_count(),
                "rate_msgs_per_s": rate,
                "ingestor": ing,
                "baseline_seed_insert_commit_per_message": seed,
                "ratio_p95_baseline_over_ingestor": (
                    round(seed["p95_s"] / ing["p95_s"], 2)
                    if ing["p95_s"] and seed["p95_s"]
                    else None
                ),
                "targets": {"p95_s": 1.0, "p99_s": 2.0},
                "meets_target": bool(
                    ing["p95_s"] is not None
                    and ing["p95_s"] <= 1.0
                    and ing["p99_s"] <= 2.0
                    and ing["committed_seen"] == ing["messages"]
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
