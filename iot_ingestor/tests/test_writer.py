"""The writer's batch path without MQTT: a message the storage refuses is isolated into the
dead letters (reason storage_error) and the rest of the batch is committed."""

from __future__ import annotations

import time

from iot_ingestor import storage
from iot_ingestor.config import Config
from iot_ingestor.daemon import Ingestor, connect_db, parse_messages


def test_refused_message_is_isolated_and_the_batch_goes_on(db, monkeypatch):
    real = storage.write_batch

    def picky(conn, items, **kw):
        if any(getattr(it, "device_code", "") == "BOOM" for it in items):
            raise ValueError("the database refused this value")
        return real(conn, items, **kw)

    monkeypatch.setattr(storage, "write_batch", picky)
    ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
    msgs = [
        (
            1,
            i,
            1,
            b"farm/sd1/sensors/temperature",
            b'{"device_id":"%s","timestamp":"%s","value":20}' % (dev, ts.encode()),
            time.time(),
        )
        for i, dev in enumerate((b"ENV-1", b"BOOM", b"ENV-2"))
    ]
    msgs.append((1, 9, 1, b"farm/sd1/sensors/temperature", b"nope", time.time()))
    ing = Ingestor(Config(db_dsn=db.dsn, metrics_port=0))
    items, letters, per = parse_messages(msgs, ing.limits)
    conn = connect_db(db.dsn)
    try:
        res = ing._write(conn, items, letters, per)
    finally:
        conn.close()
    assert res.inserted == 2 and res.dead_letters == 2
    assert db.rows("SELECT device_code FROM iot.reading ORDER BY 1") == [("ENV-1",), ("ENV-2",)]
    assert dict(db.rows("SELECT reason, count(*) FROM iot.dead_letter GROUP BY 1")) == {
        "storage_error": 1,
        "not_json": 1,
    }
