# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Milk-meter milkings stored by the ingestor (``iot.milking``) → ``dairy.milk.record``.

Idempotent: each milking becomes one record with ``external_ref`` = ``iot:<meter>:<animal>:
<device time>`` (unique per company in the farm module). The import walks ``iot.milking`` by
its ``seq`` column and re-reads an overlap window, because rows of concurrent writers may
commit out of ``seq`` order; already imported references are skipped. Milkings of unknown
animals, or a second milking in a session that already has a record, are skipped and counted.
"""

import logging

from odoo import api, fields, models

from odoo.addons.smart_dairy_farm.tools.milk import session_from_time

from .iot_ingestor_api import to_naive_utc
from .iot_schema import iot_schema_ready

_logger = logging.getLogger(__name__)
SEQ_PARAM = "smart_iot_mgmt.milking_seq"
OVERLAP = 2000
BATCH = 5000
FIELD_MAP = {
    "yield_l": "yield_l",
    "fat_pct": "fat_pct",
    "snf_pct": "snf_pct",
    "conductivity_ms_cm": "conductivity",
    "milk_temp_c": "milk_temp_c",
}


def external_ref(device_code, animal_ref, ts):
    return f"iot:{device_code}:{animal_ref}:{ts.isoformat()}"


class IotMilkImport(models.AbstractModel):
    _name = "iot.milk.import"
    _description = "Import of milk-meter readings"

    @api.model
    def import_pending(self, limit=BATCH):
        """Import milkings stored since the last run; return how many records were created."""
        cr = self.env.cr
        if not iot_schema_ready(cr):
            return 0
        icp = self.env["ir.config_parameter"].sudo()
        last = int(icp.get_param(SEQ_PARAM, "0") or 0)
        cr.execute(
            "SELECT seq, animal_ref, animal_eid, ts, device_code, yield_l, fat_pct, snf_pct, "
            "conductivity_ms_cm, milk_temp_c FROM iot.milking WHERE seq > %s ORDER BY seq "
            "LIMIT %s",
            (max(last - OVERLAP, 0), limit),
        )
        rows = cr.fetchall()
        if not rows:
            return 0
        created = self._create_records(rows)
        top = max(r[0] for r in rows)
        if top > last:
            icp.set_param(SEQ_PARAM, str(top))
        return created

    @api.model
    def _create_records(self, rows):
        Record = self.env["dairy.milk.record"].sudo()
        Animal = self.env["dairy.animal"].sudo()
        refs = {external_ref(r[4], r[1], r[3]): r for r in rows}
        existing = set(Record.search([("external_ref", "in", list(refs))]).mapped("external_ref"))
        todo = {ref: r for ref, r in refs.items() if ref not in existing}
        if not todo:
            return 0
        keys = {r[2] for r in todo.values() if r[2]} | {r[1] for r in todo.values()}
        animals = {}
        for animal in Animal.search(
            ["|", ("eid", "in", list(keys)), ("visual_tag", "in", list(keys))]
        ):
            animals[animal.eid] = animal
            animals[animal.visual_tag] = animal
        tz = Record._farm_tz()
        vals_list, skipped = [], 0
        for ref, r in todo.items():
            animal = animals.get(r[2]) or animals.get(r[1])
            if not animal:
                skipped += 1
                continue
            when = to_naive_utc(r[3])
            day, session = session_from_time(when, tz)
            vals = {
                "animal_id": animal.id,
                "milking_time": when,
                "date": day,
                "session": session,
                "source": "meter",
                "external_ref": ref,
                "note": r[4],
            }
            for col, value in zip(FIELD_MAP, r[5:10], strict=True):
                if value is not None:
                    vals[FIELD_MAP[col]] = value
            vals_list.append(vals)
        if not vals_list:
            return 0
        # the farm module allows one record per cow, day and session
        pairs = {(v["animal_id"], v["date"], v["session"]) for v in vals_list}
        taken = set()
        self.env.cr.execute(
            "SELECT animal_id, date, session FROM dairy_milk_record WHERE animal_id = ANY(%s) "
            "AND date = ANY(%s)",
            (list({p[0] for p in pairs}), list({p[1] for p in pairs})),
        )
        taken = {(a, d, s) for a, d, s in self.env.cr.fetchall()}
        fresh = []
        for vals in vals_list:
            pair = (vals["animal_id"], vals["date"], vals["session"])
            if pair in taken:
                skipped += 1
                continue
            taken.add(pair)
            fresh.append(vals)
        created = 0
        try:
            with self.env.cr.savepoint():
                created = len(Record.create(fresh))
        except Exception:  # noqa: BLE001 - fall back to one by one, skipping bad readings
            for vals in fresh:
                try:
                    with self.env.cr.savepoint():
                        Record.create(vals)
                        created += 1
                except Exception as exc:  # noqa: BLE001
                    skipped += 1
                    _logger.warning(
                        "milk-meter reading %s not imported: %s", vals["external_ref"], exc
                    )
        if skipped:
            _logger.info("milk import: %d created, %d skipped", created, skipped)
        return created

    @api.model
    def _cron_import(self):
        total = 0
        for _round in range(20):
            n = self.import_pending()
            total += n
            if not n:
                break
        return total


class DairyMilkRecord(models.Model):
    _inherit = "dairy.milk.record"

    iot_device_code = fields.Char(compute="_compute_iot_device_code", string="Meter")

    def _compute_iot_device_code(self):
        for rec in self:
            ref = rec.external_ref or ""
            rec.iot_device_code = ref.split(":")[1] if ref.startswith("iot:") else False
