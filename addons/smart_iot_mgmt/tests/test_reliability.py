# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""End-to-end reliability cases 6 and 7 of issue #4, with the real daemon (subprocess), a
private Mosquitto, this database's schema ``iot`` and this HttpCase's Odoo server:

6. Odoo down while alerts fire → they arrive once Odoo is back, exactly once (even when the
   first answer is lost on the way back).
7. Collar readings above a rule's threshold for its duration → one Odoo alert, visible on the
   dashboard; readings back to normal → the alert is cleared.
"""

from datetime import timedelta

import psycopg2

from odoo import sql_db
from odoo.tests import tagged

from iot_ingestor.benchkit import TcpProxy

from .common import utcnow
from .http_common import IotHttpCase
from .reliability_helpers import Broker, Daemon, Publisher, wait_until


@tagged("post_install", "-at_install")
class TestEndToEnd(IotHttpCase):
    def setUp(self):
        super().setUp()
        _db, info = sql_db.connection_info_for(self.db)
        info = dict(info, dbname=info.get("database") or self.db)
        self.dsn = " ".join(
            f"{k}={info[k]}" for k in ("host", "port", "user", "password", "dbname") if info.get(k)
        )
        self.admin_uid = self.xmlrpc_common.authenticate(self.db, "admin", "admin", {})
        self.assertTrue(self.admin_uid, "admin/admin must log in (test database)")
        self.infra = []
        self.rules = []
        self.codes = []

    def tearDown(self):
        for thing in reversed(self.infra):
            thing.close()
        self._sql("DELETE FROM iot.reading WHERE device_code = ANY(%s)", (self.codes,))
        for table in ("reading_hourly", "reading_daily", "device_status"):
            self._sql(f"DELETE FROM iot.{table} WHERE device_code = ANY(%s)", (self.codes,))
        self._sql("DELETE FROM iot.rule_state WHERE rule_id = ANY(%s)", (self.rules,))
        self._sql(
            "DELETE FROM iot.outbox WHERE (payload -> 0 ->> 'rule_id')::int = ANY(%s)",
            (self.rules,),
        )
        super().tearDown()

    # ------------------------------------------------------------------ helpers
    def _sql(self, query, params=None, fetch=False):
        """On the daemon's side of the database (own connection, autocommit)."""
        conn = psycopg2.connect(self.dsn)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(query, params)
                return cur.fetchall() if fetch else None
        finally:
            conn.close()

    def _admin(self, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.db, self.admin_uid, "admin", model, method, list(args), kwargs
        )

    def _fever_rule(self, collar, **vals):
        rule = self.Rule.create(
            dict(
                {
                    "name": f"Fever {collar.code}",
                    "metric": "body_temp_c",
                    "scope": "device",
                    "device_ids": [(6, 0, [collar.id])],
                    "use_max": True,
                    "max_value": 39.5,
                    "duration_min": 0,
                    "repeat_count": 2,
                    "hysteresis": 0.3,
                    "severity": "major",
                    "notify_activity": True,
                    "notify_bus": True,
                },
                **vals,
            )
        )
        # only this rule is active, so the daemon's work is exactly what the test expects
        self.Rule.search([("id", "!=", rule.id)]).write({"active": False})
        self.rules.append(rule.id)
        self.codes.append(collar.code)
        self.env.flush_all()
        return rule

    def _start(self, rule_id):
        self._sql("DELETE FROM iot.meta WHERE key IN ('devices_since', 'rules_since')")
        broker = Broker()
        self.infra.append(broker)
        self.proxy = TcpProxy(self.http_port())
        self.infra.append(self.proxy)
        daemon = Daemon(self.dsn, broker.port, self.proxy.url, self.db, self.ingestor_key)
        self.infra.append(daemon)
        self.daemon = daemon
        self.pub = Publisher(broker.port)
        self.infra.append(self.pub)
        wait_until(
            lambda: self._sql("SELECT 1 FROM iot.rule_cache WHERE id = %s", (rule_id,), fetch=True),
            60,
            "the daemon to pull the rule",
        )

    def _send(self, eid, code, t0, values, step_min=5):
        # plain strings only: while the daemon runs, the server threads own the test cursor
        for k, value in enumerate(values):
            self.pub.publish(
                f"farm/sd1/animals/{eid}/activity",
                {
                    "collar_id": code,
                    "body_temp_c": value,
                    "activity": 300 + k,
                    "timestamp": (t0 + timedelta(minutes=step_min * k)).isoformat(),
                },
            )

    def _outbox(self, rule_id, method):
        return self._sql(
            "SELECT attempts, delivered_at IS NOT NULL, last_error FROM iot.outbox "
            "WHERE method = %s AND (payload -> 0 ->> 'rule_id')::int = %s ORDER BY id",
            (method, rule_id),
            fetch=True,
        )

    def _alerts(self, rule_id):
        return self._admin(
            "iot.alert",
            "search_read",
            [["rule_id", "=", rule_id]],
            fields=[
                "state",
                "animal_id",
                "barn_id",
                "reading_count",
                "episode_ids",
                "activity_ids",
            ],
        )

    # ------------------------------------------------------------------ case 6
    def test_6_odoo_down_while_alerts_fire(self):
        rule = self._fever_rule(self.collar)
        eid, code, cow_id, rule = self.cow.eid, self.collar.code, self.cow.id, rule.id
        self._start(rule)
        self.proxy.cut()  # Odoo is down for the daemon from now on
        t0 = utcnow() - timedelta(minutes=40)
        self._send(eid, code, t0, (40.0, 40.2, 40.4))
        wait_until(
            lambda: any(r[0] >= 1 and r[2] for r in self._outbox(rule, "ingestor_raise")),
            60,
            "the raise to be tried while Odoo is down",
        )
        self._send(eid, code, t0 + timedelta(minutes=20), (38.6,))
        wait_until(lambda: self._outbox(rule, "ingestor_clear"), 60, "the clear to be queued")
        self.assertFalse(self._alerts(rule), "nothing may reach Odoo while it is down")
        # Odoo comes back, and the first answer to the raise is lost on the way back
        self.proxy.drop_next_responses(b"ingestor_raise", 1)
        self.proxy.restore()
        wait_until(
            lambda: all(
                r[1]
                for r in self._outbox(rule, "ingestor_raise") + self._outbox(rule, "ingestor_clear")
            ),
            90,
            "the outbox to drain once Odoo is back",
        )
        self.assertEqual(self.proxy.dropped, 1, "the lost-answer case must have happened")
        raise_rows = self._outbox(rule, "ingestor_raise")  # the raise (+ its update)
        self.assertGreaterEqual(raise_rows[0][0], 2, "the raise was sent again after the loss")
        alerts = self._alerts(rule)
        self.assertEqual(len(alerts), 1, f"exactly one alert expected, got {alerts}")
        alert = alerts[0]
        self.assertEqual(alert["state"], "cleared")
        self.assertEqual(alert["animal_id"][0], cow_id)
        self.assertEqual(len(alert["episode_ids"]), 1)
        self.assertEqual(len(alert["activity_ids"]), 1, "people are notified once")

    # ------------------------------------------------------------------ case 7
    def test_7_collar_fever_end_to_end(self):
        collar = self.Device.create(
            {
                "code": f"COL2-{self.tag}",
                "device_type": "activity_collar",
                "animal_id": self.cow2.id,
            }
        )
        rule = self._fever_rule(collar, duration_min=10, repeat_count=3)
        eid, code, cow_id, rule, barn_id = (
            self.cow2.eid,
            collar.code,
            self.cow2.id,
            rule.id,
            self.barn.id,
        )
        self._start(rule)
        t0 = utcnow() - timedelta(minutes=60)
        # 38.6 normal, then above 39.5 from t0+5: the 3rd breaching reading (t0+15) is the
        # first with both 3 in a row and 10 minutes of breach
        self._send(eid, code, t0, (38.6, 39.8, 40.1))
        # not yet: two readings, 5 minutes
        self.assertFalse(self._alerts(rule))
        self._send(eid, code, t0 + timedelta(minutes=15), (40.3, 40.2))
        wait_until(lambda: self._alerts(rule), 60, "the alert to reach Odoo")
        wait_until(
            lambda: all(r[1] for r in self._outbox(rule, "ingestor_raise")),
            60,
            "the raise and its update to be delivered",
        )
        alerts = self._alerts(rule)
        self.assertEqual(len(alerts), 1)
        self.assertEqual(alerts[0]["state"], "active")
        self.assertEqual(alerts[0]["animal_id"][0], cow_id)
        self.assertEqual(alerts[0]["barn_id"][0], barn_id)
        self.assertGreaterEqual(alerts[0]["reading_count"], 3)
        board = self._admin("iot.dashboard", "get_data")
        barn = [b for b in board["barns"] if b["id"] == barn_id][0]
        self.assertIn(alerts[0]["id"], [a["id"] for a in barn["alerts"]])
        # back to normal (below 39.5 − 0.3 hysteresis) → cleared
        self._send(eid, code, t0 + timedelta(minutes=25), (38.8,))
        wait_until(lambda: self._alerts(rule)[0]["state"] == "cleared", 60, "the alert to clear")
        board = self._admin("iot.dashboard", "get_data")
        barn = [b for b in board["barns"] if b["id"] == barn_id][0]
        self.assertNotIn(alerts[0]["id"], [a["id"] for a in barn["alerts"]])
        self.assertEqual(len(self._alerts(rule)), 1)
