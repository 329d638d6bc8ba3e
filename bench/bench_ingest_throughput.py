"""Sustained ingest throughput of one iot_ingestor process (QoS 1, manual acks, batches),
against -- in the same run, same machine, same stream --

* the seed design (baseline): one INSERT + COMMIT per message, automatic acks;
* the ceilings: ``mosquitto_sub`` draining the stream (broker + network only) and a raw
  ``COPY`` of the same rows (database only).

The publisher is the C client (``mosquitto_pub -l -q 1``, chunks of 20,000 lines) running on the
same 2 cores; publishing and ingesting overlap, so the figure is a sustained rate.

Prints ONE JSON object. ``IOT_BENCH_N`` (default 100000) messages; baseline on
``IOT_BENCH_BASELINE_N`` (default 5000). PostgreSQL admin DSN: ``IOT_BENCH_PG``.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import time

import psycopg2

from iot_ingestor import benchkit as bk


def ingestor_rate(n: int, payloads) -> dict:
    with bk.private_broker() as port, bk.temp_database() as dsn:
        d = bk.Daemon(dsn, port)
        d.start()
        try:
            t0 = time.time()
            pub_s = bk.mosquitto_pub(port, payloads)
            t1 = bk.wait_count(dsn, n, 600)
        finally:
            d.stop()
        assert int(bk.scalar(dsn, "SELECT sum(n) FROM iot.reading_hourly")) == n
    return {
        "seconds": round(t1 - t0, 3),
        "publisher_seconds": round(pub_s, 3),
        "msgs_per_s": round(n / (t1 - t0), 1),
    }


def baseline_rate(n: int, payloads) -> dict:
    with bk.private_broker() as port, bk.temp_database() as dsn:
        c = bk.SeedConsumer(dsn, port)
        try:
            t0 = time.time()
            bk.mosquitto_pub(port, payloads)
            deadline = time.time() + 600
            while c.count < n and time.time() < deadline:
                time.sleep(0.02)
            t1 = time.time()
        finally:
            c.close()
    return {"seconds": round(t1 - t0, 3), "msgs_per_s": round(n / (t1 - t0), 1)}


def mosquitto_sub_rate(n: int, payloads) -> dict:
    with bk.private_broker() as port:
        sub = subprocess.Popen(
            [
                "mosquitto_sub",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-q",
                "1",
                "-V",
                "mqttv5",
                "-t",
                bk.TOPIC,
                "-C",
                str(n),
            ],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.5)
        t0 = time.time()
        bk.mosquitto_pub(port, payloads)
        sub.wait(600)
        t1 = time.time()
    return {"seconds": round(t1 - t0, 3), "msgs_per_s": round(n / (t1 - t0), 1)}


def raw_copy_rate(n: int, payloads) -> dict:
    from datetime import UTC, datetime

    from iot_ingestor.payloads import parse

    now = datetime.now(UTC)
    rows = [parse(bk.TOPIC, p, now)[0] for p in payloads]
    buf = io.StringIO()
    for r in rows:
        buf.write(
            f"{r.device_code}\t{r.metric}\t{r.ts.isoformat()}\t{r.value!r}\t"
            f"{r.received_at.isoformat()}\t{r.farm}\t{r.unit}\n"
        )
    with bk.temp_database() as dsn:
        conn = psycopg2.connect(dsn)
        try:
            buf.seek(0)
            t0 = time.time()
            with conn.cursor() as cur:
                cur.copy_expert(
                    "COPY iot.reading (device_code, metric, ts, value, received_at, "
                    "farm, unit) FROM STDIN",
                    buf,
                )
            conn.commit()
            t1 = time.time()
        finally:
            conn.close()
    return {"seconds": round(t1 - t0, 3), "rows_per_s": round(n / (t1 - t0), 1)}


def main() -> None:
    n = int(os.environ.get("IOT_BENCH_N", 100_000))
    nb = int(os.environ.get("IOT_BENCH_BASELINE_N", 5_000))
    base = time.time() - n / 255 - 3600
    payloads = bk.lines(n, base)
    ing = ingestor_rate(n, payloads)
    seed = baseline_rate(nb, payloads[:nb])
    sub = mosquitto_sub_rate(n, payloads)
    copy = raw_copy_rate(n, payloads)
    rate = ing["msgs_per_s"]
    print(
        json.dumps(
            {
                "bench": "ingest_throughput",
                "cpus": os.cpu_count(),
                "messages": n,
                "ingestor": ing,
                "baseline_seed_insert_commit_per_message": {**seed, "messages": nb},
                "ratio_vs_baseline": round(rate / seed["msgs_per_s"], 2),
                "ceiling_mosquitto_sub": sub,
                "ratio_vs_mosquitto_sub": round(rate / sub["msgs_per_s"], 3),
                "ceiling_raw_copy": copy,
                "ratio_vs_raw_copy": round(rate / copy["rows_per_s"], 3),
                "target_msgs_per_s": 5000,
                "meets_target": rate >= 5000,
            }
        )
    )


if __name__ == "__main__":
    main()
