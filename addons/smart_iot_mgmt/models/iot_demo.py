# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Demo device registry following the suite's identity contract (see ARCHITECTURE / brief):
collar ``COL-{i:04d}`` on cow ``SD-{i:04d}``, ``ENV-B1..B4`` per barn, parlour milk meters
``MM-P01..P08`` and RFID reader ``RFID-P1`` behind gateway ``GW-P1``."""

from datetime import timedelta

from odoo import api, fields, models

N_METERS = 8


class IotDeviceDemo(models.AbstractModel):
    _name = "iot.device.demo"
    _description = "Demo device registry (mixed into iot.device)"

    @api.model
    def seed_demo_devices(self):
        """Create the missing demo devices (idempotent: existing codes are left alone).

        Collars are created for every cow whose tag follows the contract (``SD-0001``…), so
        calling it again after ``dairy.animal.seed_demo_herd(255)`` equips the whole herd.
        Returns the number of devices created.
        """
        company = self.env.company
        existing = set(self.with_context(active_test=False).search([]).mapped("code"))
        barns = {
            b.code: b for b in self.env["dairy.barn"].search([("company_id", "=", company.id)])
        }
        today = fields.Date.context_today(self)
        vals = []

        def add(code, **kw):
            if code not in existing:
                existing.add(code)
                vals.append(
                    dict(
                        code=code,
                        company_id=company.id,
                        install_date=today - timedelta(days=200),
                        firmware_version="1.4.2",
                        **kw,
                    )
                )

        add(
            "GW-P1",
            name="Parlour gateway",
            device_type="gateway",
            model_name="RAK7268",
            location_note="Milking parlour",
            serial_number="GW-2024-0001",
        )
        for k in range(1, 5):
            barn = barns.get(f"B{k}")
            add(
                f"ENV-B{k}",
                name=f"Climate node barn {k}",
                device_type="environment",
                model_name="SenseCAP S2103",
                barn_id=barn.id if barn else False,
                serial_number=f"ENV-2024-{k:04d}",
                calibration_due=today + timedelta(days=30 * k - 45),
            )
        vals_gw = len(vals)
        for k in range(1, N_METERS + 1):
            add(
                f"MM-P{k:02d}",
                name=f"Milk meter stall {k}",
                device_type="milk_meter",
                model_name="Afimilk MPC",
                location_note=f"Parlour stall {k}",
                serial_number=f"MM-2024-{k:04d}",
            )
        add(
            "RFID-P1",
            name="Parlour entrance reader",
            device_type="rfid_reader",
            model_name="Allflex RS420",
            location_note="Parlour entrance",
            serial_number="RF-2024-0001",
        )
        cows = self.env["dairy.animal"].search(
            [
                ("visual_tag", "=like", "SD-____"),
                ("company_id", "=", company.id),
                ("sex", "=", "female"),
            ],
            order="visual_tag",
        )
        worn = set(self.search([("device_type", "=", "activity_collar")]).animal_id.ids)
        for cow in cows:
            number = cow.visual_tag[3:]
            if not number.isdigit() or cow.id in worn:
                continue
            add(
                f"COL-{number}",
                name=f"Collar {number}",
                device_type="activity_collar",
                model_name="SCR Heatime HR",
                animal_id=cow.id,
                serial_number=f"COL-2024-{number}",
            )
        created = self.create(vals)
        gateway = self.search([("code", "=", "GW-P1")], limit=1)
        if gateway and vals_gw is not None:
            created.filtered(lambda d: d.device_type in ("milk_meter", "rfid_reader")).write(
                {"gateway_id": gateway.id}
            )
        return len(created)

    @api.model
    def _seed_demo_alert(self):
        """One open barn alert so the demo dashboard shows the alert flow."""
        rule = self.env.ref("smart_iot_mgmt.demo_rule_barn_heat", raise_if_not_found=False)
        device = self.search([("code", "=", "ENV-B1")], limit=1)
        if not rule or not device:
            return False
        now = fields.Datetime.now()
        alert = self.env["iot.alert"].raise_alert(
            self.env["iot.alert"]._iot_values(
                {
                    "subject": "device:ENV-B1",
                    "device_code": "ENV-B1",
                    "metric": "temperature_c",
                    "severity": rule.severity,
                    "value": 31.6,
                    "max_value": rule.max_value,
                    "message": "Barn heat stress: 31.6 °C above 30 °C for 20 minutes in B1",
                },
                rule,
                device,
                self.env["dairy.animal"],
            ),
            seen_at=now - timedelta(minutes=20),
        )
        alert.write({"last_value": 31.6, "reading_count": 5})
        return alert
