"""Drain of a backlog: ``IOT_BENCH_BACKLOG`` (default 250000) messages queued by the broker
for the ingestor's persistent session while it was down, then the ingestor starts.
Target: <= 180 s. Baseline in the same run: the seed design (INSERT + COMMIT per message)
draining a ``IOT_BENCH_BASELINE_N`` (default 5000) backlog, projected linearly to the same size.
Prints ONE JSON object.
"""

from __future__ import annotations

import json
import os
import time

from iot_ingestor import benchkit as bk


def main() -> None:
    n = int(os.environ.get("IOT_BENCH_BACKLOG", 250_000))
    nb = int(os.environ.get("IOT_BENCH_BASELINE_N", 5_000))
    base = time.time() - n / 255 - 3600
    payloads = bk.lines(n, base)
    with bk.private_broker(max_queued=n + 10) as port, bk.temp_database() as dsn:
        d = bk.Daemon(dsn, port)
        d.start()  # creates the persistent session (clean_start=False, expiry > 0)
        d.stop()
        pub_s = bk.mosquitto_pub(port, payloads)  # queued for the offline session
        t0 = time.time()
        d.start()
        t1 = bk.wait_count(dsn, n, 900, interval=0.2)
        d.stop()
        rollup = int(bk.scalar(dsn, "SELECT sum(n) FROM iot.reading_hourly"))
    drain = t1 - t0
    # baseline: the seed design on a smaller backlog (a persistent session too)
    with bk.private_broker() as port, bk.temp_database() as dsn:
        bk.SeedConsumer(dsn, port, client_id="seed-backlog").close()  # persistent session
        bk.mosquitto_pub(port, payloads[:nb])
        tb0 = time.time()
        c = bk.SeedConsumer(dsn, port, client_id="seed-backlog")
        while c.count < nb and time.time() - tb0 < 900:
            time.sleep(0.02)
        tb = time.time() - tb0
        base_rate = c.count / tb if tb else 0.0
        c.close()
    print(
        json.dumps(
            {
                "bench": "ingest_backlog_drain",
                "cpus": os.cpu_count(),
                "backlog_messages": n,
                "publish_seconds": round(pub_s, 1),
                "drain_seconds": round(drain, 1),
                "drain_msgs_per_s": round(n / drain, 1),
                "rollup_rows_counted": rollup,
                "target_seconds": 180,
                "meets_target": drain <= 180,
                "baseline_seed_insert_commit_per_message": {
                    "messages": nb,
                    "msgs_per_s": round(base_rate, 1),
                    "projected_drain_seconds": round(n / base_rate, 1) if base_rate else None,
                },
                "ratio_vs_baseline": round((n / base_rate) / drain, 2) if base_rate else None,
            }
        )
    )


if __name__ == "__main__":
    main()
