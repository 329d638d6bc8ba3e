"""The ingestor daemon: MQTT v5 QoS 1 consumer with manual acks and a batching writer.

Threads:

* paho network thread: ``on_message`` only enqueues ``(generation, mid, qos, topic, payload,
  receive time)``;
* writer: takes up to ``IOT_BATCH_MAX`` messages or what arrived within ``IOT_BATCH_WAIT_MS`` of
  the first one, parses them, writes valid items + dead letters + rule state + outbox rows in
  ONE transaction, commits, then PUBACKs the batch in receive order. A database error keeps the
  batch (nothing is acked) and retries with backoff on a fresh connection until it commits;
* housekeeping: outbox delivery to Odoo, cache pull, heartbeats, discovered devices,
  connectivity rules, animal notifications, partition maintenance and retention.

Acks are only sent on the connection the message arrived on (``generation``): after a reconnect
the broker redelivers whatever was not acked, and the idempotent upsert absorbs it. The broker
holds at most ``IOT_MQTT_RECEIVE_MAXIMUM`` unacked messages for us, which bounds memory.
"""

from __future__ import annotations

import logging
import queue
import signal
import threading
import time
from datetime import UTC, datetime, timedelta

import paho.mqtt.client as mqtt
import psycopg2
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from . import alerts, outbox, schema, storage, sync
from .metrics import Metrics, serve
from .odoo_client import OdooClient, TransportError
from .payloads import Limits, PayloadError, parse

log = logging.getLogger("iot_ingestor.daemon")


def connect_db(dsn: str):
    conn = psycopg2.connect(
        dsn,
        connect_timeout=5,
        application_name="iot_ingestor",
        keepalives=1,
        keepalives_idle=10,
        keepalives_interval=5,
        keepalives_count=3,
    )
    conn.autocommit = False
    return conn


def parse_messages(msgs, limits: Limits):
    """-> (items, letters, per_message) where per_message[i] = (items_i | None, msg)."""
    items, letters, per = [], [], []
    for msg in msgs:
        _gen, _mid, _qos, topic_b, payload, recv = msg
        received_at = datetime.fromtimestamp(recv, UTC)
        topic = topic_b.decode("utf-8", "replace") if isinstance(topic_b, bytes) else topic_b
        try:
            its = parse(topic, payload, received_at, limits)
        except PayloadError as exc:
            letters.append((topic, payload, received_at, exc.reason, exc.message))
            per.append((None, msg))
            continue
        items.extend(its)
        per.append((its, msg))
    return items, letters, per


class Ingestor:
    def __init__(self, cfg, metrics: Metrics | None = None):
        self.cfg = cfg
        self.metrics = metrics or Metrics()
        self.q: queue.SimpleQueue = queue.SimpleQueue()
        self.gen = 0
        self.stop = threading.Event()
        self.subscribed = threading.Event()
        self.limits = Limits(
            max_future=timedelta(seconds=cfg.max_future_s),
            max_age=timedelta(days=cfg.retention_days),
        )
        self.client = self._make_client()
        self.odoo = OdooClient.from_config(cfg)
        self.sync_requested = threading.Event()
        self.threads: list[threading.Thread] = []

    # ---------------------------------------------------------------- MQTT
    def _make_client(self):
        c = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.cfg.mqtt_client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        if self.cfg.mqtt_username:
            c.username_pw_set(self.cfg.mqtt_username, self.cfg.mqtt_password or None)
        c.reconnect_delay_set(min_delay=1, max_delay=5)
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_message = self._on_message
        c.on_subscribe = self._on_subscribe
        return c

    def topics(self) -> list[str]:
        out = []
        for t in self.cfg.mqtt_topics.split(","):
            t = t.strip()
            if t:
                out.append(
                    f"$share/{self.cfg.mqtt_share_group}/{t}" if self.cfg.mqtt_share_group else t
                )
        return out

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.error("mqtt connect refused", extra={"reason": str(reason_code)})
            return
        self.gen += 1
        self.metrics.set("mqtt_connected", 1)
        log.info(
            "mqtt connected",
            extra={"session_present": flags.session_present, "generation": self.gen},
        )
        client.subscribe([(t, SubscribeOptions(qos=1)) for t in self.topics()])

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        self.subscribed.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.metrics.set("mqtt_connected", 0)
        log.warning("mqtt disconnected", extra={"reason": str(reason_code)})

    def _on_message(self, client, userdata, msg):
        self.q.put((self.gen, msg.mid, msg.qos, msg._topic, msg.payload, time.time()))
        self.metrics.c["received"] += 1  # single writer (network thread): no lock needed

    def connect_mqtt(self):
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = self.cfg.mqtt_session_expiry_s
        props.ReceiveMaximum = max(1, min(65535, self.cfg.mqtt_receive_maximum))
        self.client.connect_async(
            self.cfg.mqtt_host,
            self.cfg.mqtt_port,
            keepalive=self.cfg.mqtt_keepalive_s,
            clean_start=False,
            properties=props,
        )
        self.client.loop_start()

    # ---------------------------------------------------------------- writer
    def _collect(self) -> list:
        try:
            first = self.q.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        deadline = first[5] + self.cfg.batch_wait_ms / 1000.0
        limit = self.cfg.batch_max
        get = self.q.get
        while len(batch) < limit:
            remaining = deadline - time.time()
            if remaining <= 0:
                break
            try:
                batch.append(get(timeout=remaining))
            except queue.Empty:
                break
        get_nowait = self.q.get_nowait
        while len(batch) < limit:
            try:
                batch.append(get_nowait())
            except queue.Empty:
                break
        return batch

    def writer(self):
        conn = None
        backoff = 0.2
        while not (self.stop.is_set() and self.q.empty()):
            batch = self._collect()
            self.metrics.set("queue_depth", self.q.qsize())
            if not batch:
                if self.stop.is_set():
                    break
                continue
            items, letters, per = parse_messages(batch, self.limits)
            t0 = time.time()
            while True:
                try:
                    if conn is None:
                        conn = connect_db(self.cfg.db_dsn)
                    res = self._write(conn, items, letters, per)
                    break
                except psycopg2.OperationalError as exc:
                    self.metrics.inc("db_errors")
                    self.metrics.set("db_up", 0)
                    log.warning(
                        "database unavailable, batch kept for retry",
                        extra={"error": str(exc).strip()[:300], "batch": len(batch)},
                    )
                    conn = _close(conn)
                    if self.stop.wait(backoff):
                        return  # shutting down: nothing acked, the broker will redeliver
                    backoff = min(backoff * 2, 5.0)
                except psycopg2.InterfaceError:
                    conn = _close(conn)
            backoff = 0.2
            self.metrics.set("db_up", 1)
            now = time.time()
            self._ack(batch)
            m = self.metrics
            m.observe_batch(now - t0)
            m.inc("committed", len(batch))
            m.inc("batches")
            m.inc("inserted_rows", res.inserted)
            m.inc("duplicates", res.duplicates)
            m.inc("dead_lettered", res.dead_letters)
            m.inc("alerts_queued", res.alerts_queued)
            m.set("lag_seconds", round(now - batch[0][5], 4))
            m.set("last_commit_unixtime", now)
        _close(conn)

    def _write(self, conn, items, letters, per):
        try:
            with conn.cursor() as cur:
                res = storage.write_batch(cur, items)
                storage.write_dead_letters(cur, letters)
                res.dead_letters = len(letters)
            conn.commit()
            return res
        except (psycopg2.OperationalError, psycopg2.InterfaceError):
            raise
        except Exception as exc:  # noqa: BLE001 - refused value or a bug: isolate, go on
            conn.rollback()
            log.warning(
                "batch refused, isolating messages",
                extra={"error": f"{exc.__class__.__name__}: {exc}"[:300]},
            )
            return self._write_isolated(conn, per, letters)

    def _write_isolated(self, conn, per, letters):
        total = storage.BatchResult()
        letters = list(letters)
        with conn.cursor() as cur:
            for its, msg in per:
                if its is None:
                    continue
                cur.execute("SAVEPOINT one")
                try:
                    r = storage.write_batch(cur, its)
                    cur.execute("RELEASE SAVEPOINT one")
                    total.inserted += r.inserted
                    total.duplicates += r.duplicates
                    total.alerts_queued += r.alerts_queued
                except (psycopg2.OperationalError, psycopg2.InterfaceError):
                    raise
                except Exception as exc:  # noqa: BLE001 - dead-letter it; replay after a fix
                    cur.execute("ROLLBACK TO SAVEPOINT one")
                    topic = msg[3].decode("utf-8", "replace")
                    letters.append(
                        (
                            topic,
                            msg[4],
                            datetime.fromtimestamp(msg[5], UTC),
                            "storage_error",
                            str(exc).strip()[:500],
                        )
                    )
            storage.write_dead_letters(cur, letters)
        conn.commit()
        total.dead_letters = len(letters)
        return total

    def _ack(self, batch):
        gen = self.gen
        ack = self.client.ack
        for g, mid, qos, *_ in batch:
            if qos and g == gen:
                ack(mid, qos)

    # ---------------------------------------------------------------- housekeeping
    def housekeeping(self):
        cfg = self.cfg
        conn = None
        last = {"sync": 0.0, "hb": 0.0, "conn": 0.0, "animals": 0.0, "maint": 0.0}
        next_outbox = 0.0
        while not self.stop.wait(0.5):
            now = time.time()
            try:
                if conn is None:
                    conn = connect_db(cfg.db_dsn)
                if self.odoo and (
                    now - last["sync"] >= cfg.odoo_sync_s or self.sync_requested.is_set()
                ):
                    self.sync_requested.clear()
                    last["sync"] = now
                    try:
                        sync.pull(conn, self.odoo)
                    except TransportError as exc:
                        conn.rollback()
                        log.warning("odoo pull failed", extra={"error": str(exc)})
                    except Exception as exc:  # noqa: BLE001 - Odoo Fault etc.: retry later
                        conn.rollback()
                        log.warning("odoo pull failed", extra={"error": str(exc)[:300]})
                if now - last["hb"] >= cfg.heartbeat_s:
                    last["hb"] = now
                    with conn.cursor() as cur:
                        n = sync.queue_discovered(cur)
                        sync.queue_heartbeats(cur)
                    conn.commit()
                    if n:
                        self.sync_requested.set()
                if now - last["conn"] >= cfg.connectivity_check_s:
                    last["conn"] = now
                    with conn.cursor() as cur:
                        self.metrics.inc("alerts_queued", alerts.check_connectivity(cur))
                    conn.commit()
                if now - last["animals"] >= cfg.notify_animals_s:
                    last["animals"] = now
                    with conn.cursor() as cur:
                        sync.queue_animal_notifications(cur)
                    conn.commit()
                if now - last["maint"] >= cfg.maintenance_s:
                    last["maint"] = now
                    self.maintenance(conn)
                if self.odoo and now >= next_outbox:
                    r = outbox.deliver(
                        conn,
                        self.odoo,
                        base_backoff=cfg.outbox_base_backoff_s,
                        max_backoff=cfg.outbox_max_backoff_s,
                        max_attempts=cfg.outbox_max_attempts,
                    )
                    self.metrics.inc("outbox_delivered", r.delivered)
                    self.metrics.inc("outbox_failed", r.failed)
                    if r.transport_error:
                        next_outbox = now + cfg.outbox_base_backoff_s
                with conn.cursor() as cur:
                    self.metrics.set("outbox_depth", outbox.depth(cur))
                conn.commit()
            except psycopg2.Error as exc:
                log.warning("housekeeping database error", extra={"error": str(exc)[:300]})
                conn = _close(conn)
            except Exception:  # noqa: BLE001 - keep the daemon alive, log the bug
                log.exception("housekeeping error")
                if conn is not None:
                    try:
                        conn.rollback()
                    except psycopg2.Error:
                        conn = _close(conn)
        _close(conn)

    def maintenance(self, conn):
        with conn.cursor() as cur:
            cur.execute("SELECT value FROM iot.meta WHERE key = 'mode'")
            if cur.fetchone()[0] != "native":
                conn.rollback()
                return
            today = datetime.now(UTC).date().replace(day=1)
            months = [
                schema._add_months(today, k)
                for k in range(-1, self.cfg.partitions_ahead_months + 1)
            ]
            schema.ensure_partitions(cur, months)
            dropped = schema.drop_old_partitions(cur, self.cfg.retention_days)
        conn.commit()
        if dropped:
            log.info("retention dropped partitions", extra={"partitions": dropped})

    # ---------------------------------------------------------------- lifecycle
    def start(self):
        while not self.stop.is_set():
            try:
                conn = connect_db(self.cfg.db_dsn)
                try:
                    schema.migrate(
                        conn,
                        timescale=_ts_mode(self.cfg.timescale),
                        retention_days=self.cfg.retention_days,
                        months_ahead=self.cfg.partitions_ahead_months,
                        tz=self.cfg.rollup_tz,
                    )
                finally:
                    conn.close()
                self.metrics.set("db_up", 1)
                break
            except psycopg2.OperationalError as exc:
                log.warning("database not reachable at start", extra={"error": str(exc)[:200]})
                self.stop.wait(2)
        if self.cfg.metrics_port:
            self.http = serve(self.metrics, self.cfg.metrics_host, self.cfg.metrics_port)
        for target in (self.writer, self.housekeeping):
            t = threading.Thread(target=target, name=target.__name__, daemon=True)
            t.start()
            self.threads.append(t)
        self.connect_mqtt()
        log.info(
            "ingestor started",
            extra={"client_id": self.cfg.mqtt_client_id, "topics": self.topics()},
        )

    def shutdown(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)
        self.client.disconnect()
        self.client.loop_stop()
        log.info("ingestor stopped")


def _ts_mode(v: str) -> str:
    v = (v or "auto").lower()
    return {
        "on": "timescale",
        "true": "timescale",
        "1": "timescale",
        "off": "native",
        "false": "native",
        "0": "native",
    }.get(v, v if v in ("timescale", "native") else "auto")


def _close(conn):
    if conn is not None:
        try:
            conn.close()
        except psycopg2.Error:
            pass
    return None


def run(cfg) -> int:
    ing = Ingestor(cfg)
    done = threading.Event()

    def _sig(signum, frame):
        log.info("signal received, stopping", extra={"signal": signum})
        done.set()

    signal.signal(signal.SIGTERM, _sig)
    signal.signal(signal.SIGINT, _sig)
    ing.start()
    done.wait()
    ing.shutdown()
    return 0
