# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Read-only SQL views over the ingestor's hourly/daily rollups (schema ``iot``).

The rollup tables (native path) and continuous aggregates (TimescaleDB path) have the same
names and columns, so these views work on both. Ids are a stable 60-bit hash of the natural
key (the rollups have no serial id); pivot and graph views never need them.
"""

from odoo import api, fields, models, tools
from odoo.tools import SQL

from .iot_alert_rule import METRICS
from .iot_device import DEVICE_TYPES
from .iot_schema import ensure_iot_schema, iot_schema_ready

# the rollup's own columns, the same in every view (and typed NULLs for the placeholder)
ROLLUP_COLUMNS = """r.metric, (r.bucket AT TIME ZONE 'UTC') AS bucket, r.n::integer AS n,
                   r.avg, r.min, r.max, (r.last_ts AT TIME ZONE 'UTC') AS last_ts"""
ROLLUP_NULLS = """NULL::text AS metric, NULL::timestamp AS bucket, NULL::int AS n,
                   NULL::float8 AS avg, NULL::float8 AS min, NULL::float8 AS max,
                   NULL::timestamp AS last_ts"""


def _hash_id(*cols):
    parts = " || '|' || ".join(f"{c}::text" for c in cols)
    return f"(('x' || substr(md5({parts}), 1, 15))::bit(60)::bigint)"


class IotRollupMixin(models.AbstractModel):
    _name = "iot.rollup.mixin"
    _description = "Time-series rollup view"
    _auto = False
    _order = "bucket desc"
    _rollup_table = None  # e.g. "reading_hourly"
    _rollup_width = "hour"

    bucket = fields.Datetime(readonly=True, string="Period")
    metric = fields.Selection(METRICS, readonly=True)
    n = fields.Integer(string="Readings", readonly=True, aggregator="sum")
    avg = fields.Float(string="Average", readonly=True, aggregator="avg", digits=(12, 3))
    min = fields.Float(string="Minimum", readonly=True, aggregator="min", digits=(12, 3))
    max = fields.Float(string="Maximum", readonly=True, aggregator="max", digits=(12, 3))
    last_ts = fields.Datetime(string="Latest reading", readonly=True, aggregator="max")

    def _view_sql(self):
        raise NotImplementedError

    def _placeholder_sql(self):
        raise NotImplementedError

    def init(self):
        if self._abstract:
            return
        cr = self.env.cr
        if not iot_schema_ready(cr):
            ensure_iot_schema(cr)
        tools.drop_view_if_exists(cr, self._table)
        sql = self._view_sql() if iot_schema_ready(cr) else self._placeholder_sql()
        cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), SQL(sql))
        )  # sql: this module's own text, no user input


class IotDeviceRollupMixin(models.AbstractModel):
    _name = "iot.device.rollup.mixin"
    _inherit = "iot.rollup.mixin"
    _description = "Per-device rollup view"

    device_code = fields.Char(readonly=True)
    device_id = fields.Many2one("iot.device", readonly=True)
    device_type = fields.Selection(DEVICE_TYPES, readonly=True)
    barn_id = fields.Many2one("dairy.barn", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)

    def _view_sql(self):
        return f"""
            SELECT {_hash_id("r.device_code", "r.metric", "r.bucket")} AS id,
                   r.device_code, d.id AS device_id, d.device_type, d.barn_id, d.company_id,
                   {ROLLUP_COLUMNS}
              FROM iot.{self._rollup_table} r
              LEFT JOIN iot_device d ON d.code = r.device_code
        """

    def _placeholder_sql(self):
        return f"""
            SELECT NULL::bigint AS id, NULL::text AS device_code, NULL::int AS device_id,
                   NULL::varchar AS device_type, NULL::int AS barn_id, NULL::int AS company_id,
                   {ROLLUP_NULLS}
             WHERE false
        """


class IotAnimalRollupMixin(models.AbstractModel):
    _name = "iot.animal.rollup.mixin"
    _inherit = "iot.rollup.mixin"
    _description = "Per-animal rollup view"

    animal_ref = fields.Char(readonly=True, string="Animal id (sent)")
    animal_id = fields.Many2one("dairy.animal", readonly=True)
    barn_id = fields.Many2one("dairy.barn", readonly=True, string="Current barn")
    group_id = fields.Many2one("dairy.animal.group", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)

    def _view_sql(self):
        return f"""
            SELECT {_hash_id("r.animal_ref", "r.metric", "r.bucket")} AS id,
                   r.animal_ref, a.id AS animal_id, a.barn_id, a.group_id, a.company_id,
                   {ROLLUP_COLUMNS}
              FROM iot.{self._rollup_table} r
              LEFT JOIN LATERAL (
                    SELECT x.id, x.barn_id, x.group_id, x.company_id FROM dairy_animal x
                     WHERE x.eid = r.animal_ref OR x.visual_tag = r.animal_ref
                     ORDER BY (x.eid = r.animal_ref) DESC LIMIT 1) a ON true
        """

    def _placeholder_sql(self):
        return f"""
            SELECT NULL::bigint AS id, NULL::text AS animal_ref, NULL::int AS animal_id,
                   NULL::int AS barn_id, NULL::int AS group_id, NULL::int AS company_id,
                   {ROLLUP_NULLS}
             WHERE false
        """


class IotReadingHourly(models.Model):
    _name = "iot.reading.hourly"
    _inherit = "iot.device.rollup.mixin"
    _description = "Sensor readings per device and hour"
    _auto = False
    _rollup_table = "reading_hourly"


class IotReadingDaily(models.Model):
    _name = "iot.reading.daily"
    _inherit = "iot.device.rollup.mixin"
    _description = "Sensor readings per device and day"
    _auto = False
    _rollup_table = "reading_daily"
    _rollup_width = "day"


class IotAnimalHourly(models.Model):
    _name = "iot.animal.hourly"
    _inherit = "iot.animal.rollup.mixin"
    _description = "Animal sensor data per hour"
    _auto = False
    _rollup_table = "animal_hourly"


class IotAnimalDaily(models.Model):
    _name = "iot.animal.daily"
    _inherit = "iot.animal.rollup.mixin"
    _description = "Animal sensor data per day"
    _auto = False
    _rollup_table = "animal_daily"
    _rollup_width = "day"

    @api.model
    def daily_series(self, animal_id, metric, days=30):
        """``[(day, avg)]`` of one animal's metric (for charts on the animal form)."""
        rows = self.search_read(
            [("animal_id", "=", animal_id), ("metric", "=", metric)],
            ["bucket", "avg"],
            order="bucket desc",
            limit=days,
        )
        return [(r["bucket"], r["avg"]) for r in reversed(rows)]
