# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Realistic demo herd: ``env["dairy.animal"].seed_demo_herd(n_cows=255, days=730, seed=42)``.

Animals, lactations, breeding, health and weights go through the ORM in batches;
the ~300k milk records go through ``COPY`` with their stored fields computed here
(the same rules as the ORM computes), then lactation totals are aggregated in SQL.
"""

import io
import logging
import time
from bisect import bisect_right
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.eid import contract_tag
from ..tools.herd_generator import MEDICINES, generate_herd
from ..tools.milk import HIGH_SCC, lactation_stage, time_from_session

_logger = logging.getLogger(__name__)
MARKER = "smart_dairy_farm.demo_herd.company_%s"
CALF_TAG = "SD-C%04d"
MILK_COLUMNS = (
    "animal_id",
    "company_id",
    "date",
    "session",
    "milking_time",
    "yield_l",
    "fat_pct",
    "snf_pct",
    "scc",
    "conductivity",
    "milk_temp_c",
    "source",
    "barn_id",
    "breed_id",
    "lactation_id",
    "dim",
    "lactation_stage",
    "under_withdrawal",
    "sellable_yield_l",
    "withdrawn_yield_l",
    "high_scc",
    "create_uid",
    "write_uid",
    "create_date",
    "write_date",
)
GROUPS = [
    ("early", "Fresh / early lactation", "Cows up to 100 days in milk"),
    ("late", "Mid and late lactation", "Cows after 100 days in milk"),
    ("dry", "Dry cows", "Dried off, waiting to calve"),
    ("calves", "Calves", "Calves and young stock"),
]


class DairyHerdSeedMixin(models.AbstractModel):
    """Demo-herd seeding, mixed into ``dairy.animal`` (methods run on that model)."""

    _name = "dairy.herd.seed.mixin"
    _description = "Demo herd seeding"

    @api.model
    def seed_demo_herd(self, n_cows=255, days=730, seed=42):
        """Create a realistic HF × Local herd with ``days`` of history ending today.

        Cows ``1..n_cows`` follow the suite identity contract (EID ``050`` +
        ``100000000 + i`` on 12 digits, tag ``SD-0001``, barn ``B{(i-1)//64+1}``).
        Deterministic for a given ``seed``. Idempotent: when this company already has
        a seeded herd at least this large, nothing happens; a smaller seeded herd (the
        module demo data) is regenerated in place (animals kept, their history
        rebuilt). Returns a summary dict.
        """
        company = self.env.company
        icp = self.env["ir.config_parameter"].sudo()
        marker_key = MARKER % company.id
        marker = icp.get_param(marker_key)
        tags = [contract_tag(i) for i in range(1, n_cows + 1)]
        Animal = self.with_context(
            active_test=False, tracking_disable=True, mail_notrack=True, mail_create_nolog=True
        )
        existing = Animal.search([("visual_tag", "in", tags), ("company_id", "=", company.id)])
        if marker:
            old_n = int(marker.split("/")[0])
            if old_n >= n_cows:
                _logger.info("Demo herd already seeded (%s), nothing to do.", marker)
                return {"created": False, "marker": marker}
        elif existing:
            _logger.info("Herd animals exist but were not seeded; not touching them.")
            return {"created": False, "marker": False}
        t0 = time.monotonic()
        history = generate_herd(n_cows, days, seed, end=fields.Date.context_today(self))
        if existing:
            Animal._seed_wipe_history(existing)
        summary = Animal._seed_load(history, existing, company)
        icp.set_param(marker_key, f"{n_cows}/{days}/{seed}")
        summary.update(created=True, seconds=round(time.monotonic() - t0, 1))
        _logger.info("Demo herd seeded: %s", summary)
        return summary

    # ------------------------------------------------------------------ helpers
    @api.model
    def _seed_wipe_history(self, cows):
        cr = self.env.cr
        self.env.flush_all()
        ids = list(cows.ids)
        calves = self.search([("dam_id", "in", ids), ("visual_tag", "=like", "SD-C%")])
        cr.execute(SQL("DELETE FROM dairy_milk_record WHERE animal_id = ANY(%s)", ids + calves.ids))
        self.env["dairy.breeding.event"].search([("animal_id", "in", ids)]).unlink()
        self.env["dairy.health.event"].search([("animal_id", "in", ids)]).unlink()
        self.env["dairy.animal.weight"].search([("animal_id", "in", ids)]).unlink()
        self.env["dairy.lactation"].search([("animal_id", "in", ids)]).unlink()
        calves.unlink()
        self.env.invalidate_all()

    @api.model
    def _seed_reference_data(self, company):
        Barn = self.env["dairy.barn"]
        barns = {b.code: b for b in Barn.search([("company_id", "=", company.id)])}
        for k in range(1, 5):
            code = f"B{k}"
            if code not in barns:
                barns[code] = Barn.create(
                    {"name": f"Barn {k}", "code": code, "capacity": 64, "company_id": company.id}
                )
        breed = self.env.ref("smart_dairy_farm.breed_hf_local")
        Group = self.env["dairy.animal.group"]
        groups = {}
        for key, name, description in GROUPS:
            group = Group.search([("name", "=", name), ("company_id", "=", company.id)], limit=1)
            groups[key] = group or Group.create(
                {"name": name, "description": description, "company_id": company.id}
            )
        Product = self.env["product.product"]
        products = {}
        for key, (name, withdrawal, _dose, _unit, _route) in MEDICINES.items():
            code = f"VET-{key.upper()}"
            product = Product.search([("default_code", "=", code)], limit=1)
            products[key] = product or Product.create(
                {
                    "name": name,
                    "default_code": code,
                    "type": "consu",
                    "dairy_is_medicine": True,
                    "dairy_milk_withdrawal_days": withdrawal,
                }
            )
        seller = self.env["res.partner"].search([("name", "=", "Savar Cattle Traders")], limit=1)
        seller = seller or self.env["res.partner"].create({"name": "Savar Cattle Traders"})
        return barns, breed, groups, products, seller

    @api.model
    def _seed_load(self, h, existing, company):
        barns, breed, groups, products, seller = self._seed_reference_data(company)
        by_tag = {a.visual_tag: a for a in existing}
        cow_vals, to_create = {}, []
        for cow in h.cows:
            vals = {
                "name": cow["name"],
                "sex": "female",
                "birth_date": cow["birth_date"],
                "breed_id": breed.id,
                "hf_pct": cow["hf_pct"],
                "barn_id": barns[cow["barn"]].id,
                "previous_lactations": cow["previous_lactations"],
                "status": cow["status"],
                "origin": "purchased" if cow["purchased"] else "born",
                "company_id": company.id,
            }
            if cow["purchased"]:
                vals.update(
                    purchase_date=cow["birth_date"] + timedelta(days=700),
                    purchase_price=115000.0 + 500 * (cow["i"] % 20),
                    seller_id=seller.id,
                )
            cow_vals[cow["i"]] = vals
            if cow["tag"] in by_tag:
                by_tag[cow["tag"]].write(vals)
            else:
                to_create.append(dict(vals, eid=cow["eid"], visual_tag=cow["tag"]))
        created = self.create(to_create)
        by_tag.update({a.visual_tag: a for a in created})
        cow_id = {cow["i"]: by_tag[cow["tag"]].id for cow in h.cows}

        # lactations
        Lactation = self.env["dairy.lactation"]
        lac_rows = sorted(h.lactations, key=lambda x: (x["cow"], x["calving_date"]))
        lactations = Lactation.create(
            [
                {
                    "animal_id": cow_id[x["cow"]],
                    "number": x["number"],
                    "calving_date": x["calving_date"],
                    "dry_off_date": x["dry_off_date"],
                }
                for x in lac_rows
            ]
        )
        lac_index = {}
        for x, lac in zip(lac_rows, lactations, strict=True):
            lac_index.setdefault(x["cow"], []).append(
                (x["calving_date"], x["dry_off_date"], lac.id)
            )
        # breeding (effects are already in the generated history)
        Breeding = self.env["dairy.breeding.event"].with_context(dairy_skip_effects=True)
        allowed = set(Breeding._fields)
        breeding = Breeding.create(
            [
                dict({k: v for k, v in ev.items() if k in allowed}, animal_id=cow_id[ev["cow"]])
                for ev in h.breeding
            ]
        )
        calving_events = {}
        for ev, rec in zip(h.breeding, breeding, strict=True):
            if ev["event_type"] == "calving":
                calving_events[(ev["cow"], ev["date"])] = rec
        for cow, rows in lac_index.items():
            for calving, _dry, lac_id in rows:
                rec = calving_events.get((cow, calving))
                if rec:
                    rec.lactation_id = lac_id
                    Lactation.browse(lac_id).calving_event_id = rec
        # health
        Health = self.env["dairy.health.event"]
        health_vals = []
        for ev in h.health:
            vals = {
                "animal_id": cow_id[ev["cow"]],
                "date": ev["date"],
                "event_type": ev["event_type"],
                "disease": ev["disease"],
                "state": ev["state"],
            }
            if ev["medicine"]:
                _n, _w, dose, unit, route = MEDICINES[ev["medicine"]]
                vals.update(
                    product_id=products[ev["medicine"]].id, dose=dose, dose_unit=unit, route=route
                )
            if ev["event_type"] == "vaccination" and ev["disease"] == "fmd":
                vals["next_due_date"] = ev["date"] + timedelta(days=182)
            health_vals.append(vals)
        Health.create(health_vals)
        # weights
        self.env["dairy.animal.weight"].create(
            [{"animal_id": cow_id[c], "date": d, "weight_kg": kg} for c, d, kg in h.weights]
        )
        # calves born in the last weeks
        calf_vals = []
        for j, calf in enumerate(h.calves, start=1):
            calf_vals.append(
                {
                    "visual_tag": CALF_TAG % j,
                    "eid": "050" + f"{200000000 + j:012d}",
                    "sex": calf["sex"],
                    "birth_date": calf["date"],
                    "dam_id": cow_id[calf["dam"]],
                    "breed_id": breed.id,
                    "hf_pct": calf["hf_pct"],
                    "status": "calf",
                    "barn_id": cow_vals[calf["dam"]]["barn_id"],
                    "group_id": groups["calves"].id,
                    "company_id": company.id,
                }
            )
        calves = self.create(calf_vals)
        for calf, rec in zip(h.calves, calves, strict=True):
            ev = calving_events.get((calf["dam"], calf["date"]))
            if ev:
                ev.calf_id = rec
        self.env.flush_all()
        n_milk = self._seed_copy_milk(h, cow_id, cow_vals, lac_index, company)
        self._seed_aggregate(list(cow_id.values()))
        cows = self.browse(list(cow_id.values()))
        cows._refresh_milk_stats()
        for cow in cows:
            if cow.status == "dry":
                cow.group_id = groups["dry"]
            elif cow.days_in_milk <= 100:
                cow.group_id = groups["early"]
            else:
                cow.group_id = groups["late"]
        self.env.flush_all()
        return {
            "cows": len(cow_id),
            "calves": len(calves),
            "lactations": len(lactations),
            "breeding_events": len(breeding),
            "health_events": len(health_vals),
            "weights": len(h.weights),
            "milk_records": n_milk,
        }

    @api.model
    def _seed_copy_milk(self, h, cow_id, cow_vals, lac_index, company):
        """Insert the milkings with COPY, computing the stored fields like the ORM does."""
        cr = self.env.cr
        uid = self.env.uid
        now = fields.Datetime.to_string(fields.Datetime.now())
        tz = self.env["dairy.milk.record"]._farm_tz()
        session_times = {}
        starts = {c: [r[0] for r in rows] for c, rows in lac_index.items()}
        buf = io.StringIO()
        count = 0
        columns = ", ".join(MILK_COLUMNS)

        def flush(buf):
            buf.seek(0)
            cr._obj.copy_expert(
                f"COPY dairy_milk_record ({columns}) FROM STDIN WITH (FORMAT text)", buf
            )

        for cow, day, session, y, fat, snf, scc, cond, temp, withdrawn in h.milkings:
            rows = lac_index[cow]
            k = bisect_right(starts[cow], day) - 1
            lac_id, dim, stage = "\\N", 0, "\\N"
            if k >= 0 and (rows[k][1] is None or day <= rows[k][1]):
                lac_id = rows[k][2]
                dim = (day - rows[k][0]).days
                stage = lactation_stage(dim) or "\\N"
            key = (day, session)
            if key not in session_times:
                session_times[key] = fields.Datetime.to_string(time_from_session(day, session, tz))
            if session_times[key] > now:
                continue  # today's later milking has not happened yet
            vals = cow_vals[cow]
            buf.write(
                "\t".join(
                    map(
                        str,
                        (
                            cow_id[cow],
                            company.id,
                            day.isoformat(),
                            session,
                            session_times[key],
                            y,
                            fat,
                            snf,
                            scc,
                            cond,
                            temp,
                            "import",
                            vals["barn_id"],
                            vals["breed_id"],
                            lac_id,
                            dim,
                            stage,
                            "t" if withdrawn else "f",
                            0.0 if withdrawn else y,
                            y if withdrawn else 0.0,
                            "t" if scc > HIGH_SCC else "f",
                            uid,
                            uid,
                            now,
                            now,
                        ),
                    )
                )
            )
            buf.write("\n")
            count += 1
            if count % 50000 == 0:
                flush(buf)
                buf = io.StringIO()
        flush(buf)
        return count

    @api.model
    def _seed_aggregate(self, animal_ids):
        """Lactation totals and animal yield columns from the copied milk (SQL)."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
            WITH daily AS (
                SELECT m.lactation_id, m.date, sum(m.yield_l) AS y,
                       (m.date - l.calving_date) AS dim, l.calving_date
                  FROM dairy_milk_record m
                  JOIN dairy_lactation l ON l.id = m.lactation_id
                 WHERE l.animal_id = ANY(%s)
                 GROUP BY m.lactation_id, m.date, l.calving_date
            ), ranked AS (
                SELECT lactation_id,
                       sum(y) OVER w_all AS total,
                       sum(y) FILTER (WHERE dim < 305) OVER w_all AS y305,
                       count(*) OVER w_all AS days,
                       y, dim,
                       row_number() OVER (PARTITION BY lactation_id ORDER BY y DESC, date)
                         AS rn
                  FROM daily
                WINDOW w_all AS (PARTITION BY lactation_id)
            )
            UPDATE dairy_lactation l
               SET total_yield = round(r.total::numeric, 2),
                   yield_305 = round(coalesce(r.y305, 0)::numeric, 2),
                   peak_yield = round(r.y::numeric, 2),
                   peak_dim = r.dim,
                   days_recorded = r.days
              FROM ranked r
             WHERE r.lactation_id = l.id AND r.rn = 1
            """,
                animal_ids,
            )
        )
        cr.execute(
            SQL(
                """
            UPDATE dairy_animal a
               SET current_lactation_yield = l.total_yield
              FROM dairy_lactation l
             WHERE l.id = a.current_lactation_id AND a.id = ANY(%s)
            """,
                animal_ids,
            )
        )
        self.env.invalidate_all()

    @api.model
    def _seed_module_demo(self):
        """Module demo data: 20 cows, 6 weeks; xml ids ``demo_cow_0001``… for other modules."""
        self.seed_demo_herd(n_cows=20, days=42, seed=7)
        IMD = self.env["ir.model.data"]
        cows = self.search(
            [
                ("visual_tag", "in", [contract_tag(i) for i in range(1, 21)]),
                ("company_id", "=", self.env.company.id),
            ]
        )
        known = set(
            IMD.search(
                [("module", "=", "smart_dairy_farm"), ("model", "=", "dairy.animal")]
            ).mapped("res_id")
        )
        IMD.create(
            [
                {
                    "module": "smart_dairy_farm",
                    "name": "demo_cow_" + cow.visual_tag[3:],
                    "model": "dairy.animal",
                    "res_id": cow.id,
                    "noupdate": True,
                }
                for cow in cows
                if cow.id not in known
            ]
        )
        Attention = self.env["dairy.attention.event"]
        by_tag = {c.visual_tag: c for c in cows}
        for tag, cause, priority in (
            ("SD-0003", "heat", "2"),
            ("SD-0007", "mastitis", "3"),
            ("SD-0012", "low_rumination", "1"),
        ):
            if tag in by_tag:
                Attention.raise_attention(by_tag[tag].id, cause, {"priority": priority})
