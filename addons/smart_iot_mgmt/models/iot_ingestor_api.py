# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Methods the ingestor daemon calls over XML-RPC (the "Odoo contract").

Every method takes ONE list of items (dicts) and is idempotent: the ingestor's outbox retries a
call whose answer was lost, so a replay must change nothing. Callers need the "IoT Ingestor"
group (technical user with an API key); the methods then work with ``sudo()`` because that user
has read-only ACLs on purpose: it can do what these methods do and nothing else.
"""

import logging
from datetime import UTC, datetime

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .iot_device import guess_type

_logger = logging.getLogger(__name__)
INGESTOR_GROUP = "smart_iot_mgmt.group_iot_ingestor"


def to_naive_utc(value):
    """ISO-8601 (any offset, 'Z', or naive = UTC) → naive UTC datetime (Odoo storage)."""
    if not value:
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt.replace(microsecond=0)


def xmlrpc_safe(value):
    """Odoo's XML-RPC refuses ``None``: send ``False`` instead (the ingestor reads both)."""
    if value is None:
        return False
    if isinstance(value, dict):
        return {k: xmlrpc_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [xmlrpc_safe(v) for v in value]
    return value


def _check_ingestor(env):
    if env.su or env.user.has_group(INGESTOR_GROUP) or env.user._is_system():
        return
    raise AccessError(_("Only the IoT ingestor may call this method."))


def _since_domain(since):
    since = to_naive_utc(since) if since else None
    return [("write_date", ">=", since)] if since else []


class IotDevice(models.Model):
    _inherit = "iot.device"

    @api.model
    def create_ingestor_api_key(self, name="iot_ingestor daemon"):
        """Create an XML-RPC API key for the ingestor's technical user; return it once.

        Administrators only (``make demo`` calls it from ``odoo-bin shell``). The key has no
        expiry: it is a machine credential, rotated by creating a new one and deleting the old.
        """
        if not (self.env.su or self.env.user._is_system()):
            raise UserError(_("Only administrators can create the ingestor's API key."))
        user = self.env.ref("smart_iot_mgmt.user_iot_ingestor")
        # sudo + with_user: keys are generated for the current user; the administrator acts
        # for the technical user, which has no UI session of its own.
        return self.env["res.users.apikeys"].with_user(user).sudo()._generate(None, name, None)

    def _ingestor_dict(self):
        self.ensure_one()
        return {
            "id": self.id,
            "code": self.code,
            "device_type": self.device_type or "",  # never False: cached in a text column
            "barn": self.barn_id.code or None,
            "animal_eid": self.animal_id.eid or None,
            "animal_tag": self.animal_id.visual_tag or None,
            "expected_interval_s": self.expected_interval_s or None,
            "status": self.status,
            "active": self.active and self.status != "retired",
            "write_date": fields.Datetime.to_string(self.write_date),
        }

    @api.model
    def ingestor_pull_devices(self, since=False):
        """Devices changed since ``since`` (Odoo datetime string, or False for all).

        Returns ``{"devices": [device dict], "codes": [every code the ingestor should
        know]}``; archived/retired devices come with ``"active": False`` so the cache drops
        them. Device dict: id, code, device_type, barn, animal_eid, animal_tag,
        expected_interval_s, status, active, write_date.
        """
        _check_ingestor(self.env)
        Device = self.sudo().with_context(active_test=False)
        changed = Device.search(_since_domain(since), order="write_date, id")
        # an animal that changed EID changes what its collar reports for
        if since:
            animals = (
                self.env["dairy.animal"]
                .sudo()
                .with_context(active_test=False)
                .search(_since_domain(since))
            )
            changed |= Device.search([("animal_id", "in", animals.ids)])
        codes = Device.search([("active", "=", True), ("status", "!=", "retired")]).mapped("code")
        return xmlrpc_safe({"devices": [d._ingestor_dict() for d in changed], "codes": codes})

    @api.model
    def ingestor_report_discovered(self, items):
        """Devices heard on MQTT that Odoo does not know → ``discovered`` devices.

        Item: ``{"key", "code", "farm", "kind", "first_seen", "last_seen", "msg_count"}``.
        A code already registered (in any state) is left alone: a replay creates nothing.
        Returns ``{"results": [{"code", "device_id", "created"}]}``.
        """
        _check_ingestor(self.env)
        Device = self.sudo().with_context(active_test=False)
        codes = [it.get("code") for it in items if it.get("code")]
        existing = {d.code: d for d in Device.search([("code", "in", codes)])}
        results, to_create, seen = [], [], set()
        for item in items:
            code = item.get("code")
            if not code or code in seen:
                continue
            seen.add(code)
            if code in existing:
                results.append({"code": code, "device_id": existing[code].id, "created": False})
                continue
            to_create.append(
                {
                    "code": code,
                    "status": "discovered",
                    "device_type": guess_type(code, item.get("kind")),
                    "discovered_kind": item.get("kind"),
                    "discovered_farm": item.get("farm"),
                    "first_seen": to_naive_utc(item.get("first_seen")),
                    "last_seen": to_naive_utc(item.get("last_seen")),
                    "last_received_at": to_naive_utc(item.get("last_seen")),
                    "msg_count": int(item.get("msg_count") or 0),
                    "expected_interval_s": 0,
                }
            )
        created = Device.create(to_create) if to_create else Device
        for device in created:
            results.append({"code": device.code, "device_id": device.id, "created": True})
        if created:
            _logger.info(
                "IoT: %d device(s) discovered: %s", len(created), ", ".join(created.mapped("code"))
            )
        return xmlrpc_safe(
            {
                "results": results,
                "created": [r["code"] for r in results if r["created"]],
                "known": [r["code"] for r in results if not r["created"]],
            }
        )

    @api.model
    def ingestor_heartbeat(self, items):
        """Liveness of known devices.

        Item: ``{"code", "last_seen", "last_received_at", "battery_pct", "msg_count"}``.
        Times only move forward, so an old or repeated heartbeat changes nothing; a silent
        device that is heard again becomes active. Returns ``{"updated": n, "unknown":
        [codes]}``.
        """
        _check_ingestor(self.env)
        Device = self.sudo().with_context(active_test=False)
        by_code = {it["code"]: it for it in items if it.get("code")}
        devices = Device.search([("code", "in", list(by_code))])
        updated = 0
        for device in devices:
            item = by_code[device.code]
            vals = {}
            last_seen = to_naive_utc(item.get("last_seen"))
            received = to_naive_utc(item.get("last_received_at"))
            if last_seen and (not device.last_seen or last_seen > device.last_seen):
                vals["last_seen"] = last_seen
            if received and (not device.last_received_at or received > device.last_received_at):
                vals["last_received_at"] = received
                if item.get("battery_pct") is not None:
                    vals["battery_pct"] = max(0.0, min(100.0, float(item["battery_pct"])))
                if device.status == "silent":
                    vals["status"] = "active"
            if item.get("msg_count") and int(item["msg_count"]) > device.msg_count:
                vals["msg_count"] = int(item["msg_count"])
            if not device.first_seen and (last_seen or received):
                vals["first_seen"] = received or last_seen
            if vals:
                device.write(vals)
                updated += 1
        unknown = sorted(set(by_code) - set(devices.mapped("code")))
        return xmlrpc_safe({"updated": updated, "unknown": unknown})

    @api.model
    def ingestor_notify_animal_data(self, items):
        """Animals that received new sensor/milk data (debounced by the ingestor).

        Item: ``{"animal": tag or EID, "eid", "last_data_at"}``. Marks the animals, imports
        pending milk-meter milkings as ``dairy.milk.record`` and hands the animals to ML
        scoring when the farm module provides it (``_score_new_sensor_data``). Idempotent:
        times only move forward, milk records are keyed by ``external_ref``.
        Returns ``{"animals": n, "unknown": [refs], "milk_records": created}``.
        """
        _check_ingestor(self.env)
        Animal = self.env["dairy.animal"].sudo().with_context(active_test=False)
        refs = set()
        for item in items:
            for key in ("eid", "animal"):
                if item.get(key):
                    refs.add(item[key])
        animals = Animal.search(["|", ("eid", "in", list(refs)), ("visual_tag", "in", list(refs))])
        by_ref = {}
        for animal in animals:
            by_ref[animal.eid] = animal
            by_ref[animal.visual_tag] = animal
        touched, unknown = Animal.browse(), []
        for item in items:
            animal = by_ref.get(item.get("eid")) or by_ref.get(item.get("animal"))
            if not animal:
                unknown.append(item.get("animal") or item.get("eid"))
                continue
            when = to_naive_utc(item.get("last_data_at")) or fields.Datetime.now()
            if not animal.iot_last_data_at or when > animal.iot_last_data_at:
                animal.iot_last_data_at = when
            touched |= animal
        created = self.env["iot.milk.import"].sudo().import_pending()
        scored = False
        if touched and hasattr(Animal, "_score_new_sensor_data"):
            # best effort: the farm's scoring cron catches up; a scoring bug must not make
            # the ingestor retry (and dead-letter) a notification whose data is already stored
            try:
                with self.env.cr.savepoint():
                    touched._score_new_sensor_data()
                scored = True
            except Exception:  # noqa: BLE001
                _logger.exception("ML scoring of %d animal(s) failed", len(touched))
        return xmlrpc_safe(
            {
                "animals": len(touched),
                "queued": len(touched),
                "unknown": unknown,
                "milk_records": created,
                "scored": scored,
            }
        )


class IotAlertRule(models.Model):
    _inherit = "iot.alert.rule"

    @api.model
    def ingestor_pull_rules(self, since=False):
        """Alert rules changed since ``since`` (False = all).

        Returns ``{"rules": [rule dict], "ids": [ids of every active rule]}``; archived rules
        come with ``"active": False``. Group-scoped rules are always sent (their animal list
        follows group membership, which does not touch the rule). Rule dict: see
        ``iot_ingestor.alerts.Rule.from_dict``.
        """
        _check_ingestor(self.env)
        Rule = self.sudo().with_context(active_test=False)
        domain = _since_domain(since)
        rules = Rule.search(domain, order="write_date, id")
        if since:
            rules |= Rule.search([("scope", "=", "group"), ("active", "=", True)])
        ids = Rule.search([("active", "=", True)]).ids
        return xmlrpc_safe({"rules": [r._ingestor_dict() for r in rules], "ids": ids})


class IotAlert(models.Model):
    _inherit = "iot.alert"

    @api.model
    def ingestor_raise(self, items):
        """Raise or update alerts for breach episodes.

        Item: ``{"key", "rule_id", "metric", "severity", "device_code", "animal_eid",
        "subject", "value", "min_value", "max_value", "first_seen", "last_seen", "count",
        "message"}``. The first call for a key opens the alert (or joins the open alert of the
        same rule and subject, or reopens one cleared within the reopen window) and notifies;
        later calls for the key only move ``last_seen``/count/severity forward.
        Returns ``{"results": [{"key", "alert_id", "created", "status"}]}``.
        """
        _check_ingestor(self.env)
        Alert = self.sudo()
        Episode = self.env["iot.alert.episode"].sudo()
        Rule = self.env["iot.alert.rule"].sudo().with_context(active_test=False)
        Device = self.env["iot.device"].sudo().with_context(active_test=False)
        Animal = self.env["dairy.animal"].sudo().with_context(active_test=False)
        results = []
        for item in items:
            key = item.get("key")
            if not key:
                results.append(
                    {"key": key, "alert_id": False, "created": False, "status": "no_key"}
                )
                continue
            episode = Episode.search([("key", "=", key)], limit=1)
            seen_at = to_naive_utc(item.get("last_seen")) or fields.Datetime.now()
            if episode:
                episode.alert_id._iot_absorb(item, seen_at, key)
                results.append(
                    {
                        "key": key,
                        "alert_id": episode.alert_id.id,
                        "created": False,
                        "status": "updated",
                    }
                )
                continue
            rule = Rule.browse(int(item.get("rule_id") or 0)).exists()
            if not rule:
                results.append(
                    {"key": key, "alert_id": False, "created": False, "status": "unknown_rule"}
                )
                continue
            device = (
                Device.search([("code", "=", item.get("device_code"))], limit=1)
                if item.get("device_code")
                else Device
            )
            animal = Animal
            if item.get("animal_eid"):
                animal = Animal.search(
                    [
                        "|",
                        ("eid", "=", item["animal_eid"]),
                        ("visual_tag", "=", item["animal_eid"]),
                    ],
                    limit=1,
                )
            if not animal and device.animal_id:
                animal = device.animal_id
            first_seen = to_naive_utc(item.get("first_seen")) or seen_at
            vals = Alert._iot_values(item, rule, device, animal)
            before = Alert.search([("dedup_key", "=", vals["dedup_key"])])
            was_open = before.filtered("is_open")
            alert = Alert.raise_alert(vals, seen_at=first_seen)
            if alert not in before:
                status = "created"
            elif alert in was_open:
                status = "joined"
            else:
                status = "reopened"
            Episode.create({"key": key, "alert_id": alert.id, "first_seen": first_seen})
            alert.write({"current_key": key})
            alert._iot_absorb(item, seen_at, key)
            if status in ("created", "reopened"):
                alert._notify_channels()
            results.append(
                {"key": key, "alert_id": alert.id, "created": status == "created", "status": status}
            )
        return xmlrpc_safe({"results": results})

    @api.model
    def ingestor_clear(self, items):
        """The condition behind an episode went away.

        Item: ``{"key", "rule_id", "subject", "cleared_at", "value", "reason"}``. Clears the
        alert when this episode is the one currently behind it and it is still open (an alert
        a person resolved stays resolved). A replay, or a clear for an unknown key, changes
        nothing. Returns ``{"results": [{"key", "alert_id", "status"}]}``.
        """
        _check_ingestor(self.env)
        Episode = self.env["iot.alert.episode"].sudo()
        results = []
        for item in items:
            key = item.get("key")
            episode = Episode.search([("key", "=", key)], limit=1) if key else Episode
            if not episode:
                results.append({"key": key, "alert_id": False, "status": "unknown"})
                continue
            alert = episode.alert_id
            if episode.cleared_at:
                results.append(
                    {
                        "key": key,
                        "alert_id": alert.id,
                        "status": "already_cleared",
                        "state": alert.state,
                    }
                )
                continue
            cleared_at = to_naive_utc(item.get("cleared_at")) or fields.Datetime.now()
            episode.write({"cleared_at": cleared_at, "clear_reason": item.get("reason")})
            status = "closed"
            if alert.is_open and alert.current_key == key:
                self.sudo().clear_alert(alert.dedup_key, cleared_at=cleared_at)
                if item.get("value") is not None:
                    alert.last_value = float(item["value"])
                status = "cleared"
            results.append(
                {"key": key, "alert_id": alert.id, "status": status, "state": alert.state}
            )
        return xmlrpc_safe({"results": results})
