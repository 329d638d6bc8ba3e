# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

import psycopg2

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.smart_dairy_alert_mixin import build_dedup_key, max_severity
from .common import FakeAlertCase

T0 = datetime(2026, 5, 1, 6, 0, 0)


@tagged("post_install", "-at_install")
class TestAlertMixin(FakeAlertCase):
    def _raise(self, when, severity="warning", subject="temp"):
        return self.Alert.raise_alert(
            {"name": "Barn B1 hot", "source": "B1", "subject": subject, "severity": severity},
            seen_at=when,
        )

    def test_pure_helpers(self):
        self.assertEqual(build_dedup_key(["rule", 3, False, None]), "rule|3||")
        self.assertEqual(max_severity("minor", "critical"), "critical")
        self.assertEqual(max_severity("critical", "warning"), "critical")

    def test_repeat_updates_the_open_alert(self):
        first = self._raise(T0)
        second = self._raise(T0 + timedelta(minutes=5), severity="major")
        third = self._raise(T0 + timedelta(minutes=2))  # late, out-of-order repeat
        self.assertEqual(first, second)
        self.assertEqual(first, third)
        self.assertEqual(self.Alert.search_count([("dedup_key", "=", first.dedup_key)]), 1)
        self.assertEqual(first.occurrence_count, 3)
        self.assertEqual(first.first_seen, T0)
        self.assertEqual(first.last_seen, T0 + timedelta(minutes=5))  # never goes back
        self.assertEqual(first.severity, "major")  # only goes up
        self.assertEqual(first.dedup_key, "smart.dairy.test.alert|B1|temp")

    def test_different_key_is_a_different_alert(self):
        a = self._raise(T0)
        b = self._raise(T0, subject="humidity")
        self.assertNotEqual(a, b)

    def test_lifecycle_acknowledge_resolve(self):
        alert = self._raise(T0)
        self.assertTrue(alert.is_open)
        alert.action_acknowledge()
        self.assertEqual(alert.state, "acknowledged")
        self.assertEqual(alert.acknowledged_by_id, self.env.user)
        self.assertTrue(alert.acknowledged_date)
        # an acknowledged alert still absorbs repeats
        self.assertEqual(self._raise(T0 + timedelta(minutes=1)), alert)
        with self.assertRaises(UserError):
            alert.action_acknowledge()
        alert.action_resolve(note="fans repaired")
        self.assertEqual(alert.state, "resolved")
        self.assertFalse(alert.is_open)
        self.assertEqual(alert.resolved_by_id, self.env.user)
        self.assertEqual(alert.resolution_note, "fans repaired")
        with self.assertRaises(UserError):
            alert.action_resolve()
        # the problem coming back after a resolution is a new alert
        again = self._raise(T0 + timedelta(hours=2))
        self.assertNotEqual(again, alert)
        self.assertEqual(again.occurrence_count, 1)

    def test_clear_and_reopen_window(self):
        self.env["ir.config_parameter"].set_param("smart_dairy.alert_reopen_window_minutes", "30")
        alert = self._raise(T0)
        cleared = self.Alert.clear_alert(alert.dedup_key, cleared_at=T0 + timedelta(minutes=10))
        self.assertEqual(cleared, alert)
        self.assertEqual(alert.state, "cleared")
        self.assertFalse(alert.is_open)
        # clearing again is harmless
        self.assertFalse(self.Alert.clear_alert(alert.dedup_key))
        # back within 30 minutes → the same alert reopens
        back = self._raise(T0 + timedelta(minutes=25))
        self.assertEqual(back, alert)
        self.assertEqual(alert.state, "active")
        self.assertEqual(alert.occurrence_count, 2)
        self.assertFalse(alert.cleared_date)
        # cleared again, back after the window → a new alert
        self.Alert.clear_alert(alert.dedup_key, cleared_at=T0 + timedelta(minutes=30))
        later = self._raise(T0 + timedelta(minutes=90))
        self.assertNotEqual(later, alert)
        self.assertEqual(alert.state, "cleared")

    def test_reopen_disabled(self):
        self.env["ir.config_parameter"].set_param("smart_dairy.alert_reopen_window_minutes", "0")
        alert = self._raise(T0)
        self.Alert.clear_alert(alert.dedup_key, cleared_at=T0 + timedelta(minutes=1))
        self.assertNotEqual(self._raise(T0 + timedelta(minutes=2)), alert)

    def test_database_allows_one_open_alert_per_key(self):
        self._raise(T0)
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self.Alert.create({"name": "dup", "source": "B1", "subject": "temp"})
        # a resolved alert does not block a new open one
        self.Alert.search([("source", "=", "B1")]).action_resolve()
        self.Alert.create({"name": "new", "source": "B1", "subject": "temp"})

    def test_missing_identity_is_refused(self):
        with self.assertRaises(ValidationError):
            self.Alert.raise_alert({"name": "no identity", "source": "B1"})
        self.assertFalse(self.Alert.search([("name", "=", "no identity")]))
