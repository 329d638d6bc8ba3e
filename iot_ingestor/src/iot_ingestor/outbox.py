"""Durable outbox for calls to Odoo (``iot.outbox``).

Producers call :func:`enqueue` inside the transaction that decided the call (same commit as
the readings that caused it), with an idempotency key: the same key is queued at most once.
:func:`deliver` sends pending rows in id order, merging consecutive rows of the same method into
one call (every contract method takes one list of items). A delivered row is marked only after
Odoo answered; if the process dies in between, the row is sent again and Odoo de-duplicates by
each item's ``key`` -- so every effect happens exactly once.

Failures: transport errors (Odoo down, timeouts, 5xx) back off exponentially with jitter and are
retried for ever; an XML-RPC Fault is retried ``max_attempts`` times, then the row is marked
``dead`` (visible in metrics). Rows sharing an ``order_key`` (an alert's raise, updates, clear)
are never delivered out of order.
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass

from .odoo_client import RemoteError, TransportError

log = logging.getLogger(__name__)

OUTBOX_LOCK = 0x10_7_1_2
MAX_ITEMS_PER_CALL = 200


def enqueue(
    cur, model: str, method: str, items: list, idem_key: str, order_key: str | None = None
) -> int:
    """Queue one call; returns 1 if queued, 0 if this idempotency key was already queued."""
    cur.execute(
        "INSERT INTO iot.outbox (model, method, payload, idem_key, order_key) "
        "VALUES (%s, %s, %s::jsonb, %s, %s) ON CONFLICT (idem_key) DO NOTHING",
        (model, method, json.dumps(items, default=str), idem_key, order_key),
    )
    return cur.rowcount


def depth(cur) -> int:
    cur.execute("SELECT count(*) FROM iot.outbox WHERE delivered_at IS NULL AND NOT dead")
    return cur.fetchone()[0]


@dataclass
class DeliveryResult:
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    transport_error: str | None = None
    locked: bool = False


def _backoff(attempts: int, base: float, cap: float) -> float:
    return min(cap, base * (2 ** min(attempts, 20))) * random.uniform(0.8, 1.2)


def deliver(
    conn,
    client,
    *,
    limit: int = 500,
    base_backoff: float = 1.0,
    max_backoff: float = 60.0,
    max_attempts: int = 12,
) -> DeliveryResult:
    """One delivery pass. ``conn`` is a dedicated psycopg2 connection (commits)."""
    res = DeliveryResult()
    with conn.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", (OUTBOX_LOCK,))
        if not cur.fetchone()[0]:
            conn.rollback()
            res.locked = True
            return res
    try:
        return _deliver(conn, client, res, limit, base_backoff, max_backoff, max_attempts)
    finally:
        try:
            conn.rollback()
            with conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", (OUTBOX_LOCK,))
            conn.commit()
        except Exception:  # noqa: BLE001 - connection gone: the session lock went with it
            pass


def _deliver(conn, client, res, limit, base_backoff, max_backoff, max_attempts):
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, model, method, payload, order_key, attempts, "
            "next_attempt_at <= now() FROM iot.outbox "
            "WHERE delivered_at IS NULL AND NOT dead ORDER BY id LIMIT %s",
            (limit,),
        )
        rows = cur.fetchall()
    blocked: set = set()
    groups: list = []  # [(model, method, [rows])]
    for row in rows:
        _id, model, method, payload, order_key, attempts, due = row
        if order_key is not None and order_key in blocked:
            continue
        if not due:
            if order_key is not None:
                blocked.add(order_key)
            continue
        if (
            groups
            and groups[-1][0] == model
            and groups[-1][1] == method
            and sum(len(r[3]) for r in groups[-1][2]) + len(payload) <= MAX_ITEMS_PER_CALL
        ):
            groups[-1][2].append(row)
        else:
            groups.append((model, method, [row]))
    try:
        for model, method, grp in groups:
            if any(r[4] is not None and r[4] in blocked for r in grp):
                grp = [r for r in grp if r[4] is None or r[4] not in blocked]
                if not grp:
                    continue
            items = [item for r in grp for item in r[3]]
            ids = [r[0] for r in grp]
            try:
                result = client.call(model, method, items)
            except RemoteError as exc:
                log.warning(
                    "odoo rejected call", extra={"method": f"{model}.{method}", "error": str(exc)}
                )
                with conn.cursor() as cur:
                    for r in grp:
                        dead = r[5] + 1 >= max_attempts
                        cur.execute(
                            "UPDATE iot.outbox SET attempts = attempts + 1, last_error = %s, "
                            "dead = %s, next_attempt_at = now() + %s * interval '1 second' "
                            "WHERE id = %s",
                            (
                                str(exc)[:2000],
                                dead,
                                _backoff(r[5], base_backoff, max_backoff),
                                r[0],
                            ),
                        )
                        res.dead += int(dead)
                        if r[4] is not None:
                            blocked.add(r[4])
                conn.commit()
                res.failed += len(grp)
                continue
            with conn.cursor() as cur:
                cur.execute(
                    "UPDATE iot.outbox SET delivered_at = now(), attempts = attempts + 1, "
                    "last_error = NULL, result = %s::jsonb WHERE id = ANY(%s)",
                    (json.dumps(result, default=str), ids),
                )
            conn.commit()
            res.delivered += len(grp)
    except TransportError as exc:
        res.transport_error = str(exc)
        pending = [r for _m, _me, grp in groups for r in grp]
        with conn.cursor() as cur:
            cur.execute(
                "UPDATE iot.outbox SET attempts = attempts + 1, last_error = %s, "
                "next_attempt_at = now() + least(%s, %s * power(2, least(attempts, 20))) "
                "* interval '1 second' WHERE id = ANY(%s) AND delivered_at IS NULL",
                (str(exc)[:2000], max_backoff, base_backoff, [r[0] for r in pending]),
            )
        conn.commit()
        res.failed += len(pending)
    conn.commit()
    return res
