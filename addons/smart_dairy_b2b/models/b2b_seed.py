# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Demo data for ``make demo``: dairy SKUs and approved B2B partners (idempotent)."""

import random
from datetime import timedelta

from odoo import api, fields, models

# (category, name, default_code, list price BDT, pack label, units per crate)
DAIRY_SKUS = [
    ("Liquid Milk", "Fresh Milk 500 ml pouch", "LM-500P", 50, "Crate of 24 pouches", 24),
    ("Liquid Milk", "Fresh Milk 1 L pouch", "LM-1000P", 95, "Crate of 12 pouches", 12),
    ("Liquid Milk", "Fresh Milk 1 L bottle", "LM-1000B", 100, "Crate of 12 bottles", 12),
    ("Liquid Milk", "Full Cream Milk 500 ml", "LM-FC500", 55, "Crate of 24", 24),
    ("Liquid Milk", "Full Cream Milk 1 L", "LM-FC1000", 105, "Crate of 12", 12),
    ("Liquid Milk", "Low Fat Milk 1 L", "LM-LF1000", 110, "Crate of 12", 12),
    ("Liquid Milk", "Lactose Free Milk 1 L", "LM-LAC1000", 150, "Crate of 12", 12),
    ("Liquid Milk", "Chocolate Milk 200 ml", "LM-CH200", 35, "Crate of 24 bottles", 24),
    ("Liquid Milk", "Mango Milk 200 ml", "LM-MG200", 35, "Crate of 24 bottles", 24),
    ("Liquid Milk", "Strawberry Milk 200 ml", "LM-ST200", 35, "Crate of 24 bottles", 24),
    ("UHT Milk", "UHT Milk 200 ml", "UHT-200", 30, "Carton of 24 packs", 24),
    ("UHT Milk", "UHT Milk 500 ml", "UHT-500", 60, "Carton of 24 packs", 24),
    ("UHT Milk", "UHT Milk 1 L", "UHT-1000", 115, "Carton of 12 packs", 12),
    ("UHT Milk", "UHT Full Cream Milk 1 L", "UHT-FC1000", 125, "Carton of 12 packs", 12),
    ("UHT Milk", "UHT Low Fat Milk 1 L", "UHT-LF1000", 120, "Carton of 12 packs", 12),
    ("UHT Milk", "UHT Chocolate Milk 250 ml", "UHT-CH250", 40, "Carton of 24 packs", 24),
    ("UHT Milk", "UHT Mango Milk 250 ml", "UHT-MG250", 40, "Carton of 24 packs", 24),
    ("UHT Milk", "Sweetened Condensed Milk 397 g", "UHT-SCM397", 160, "Carton of 24 tins", 24),
    ("Yogurt & Doi", "Mishti Doi 500 g cup", "YD-MD500", 120, "Crate of 12 cups", 12),
    ("Yogurt & Doi", "Mishti Doi 1 kg clay pot", "YD-MD1000", 220, "Crate of 6 pots", 6),
    ("Yogurt & Doi", "Tok Doi 500 g", "YD-TD500", 100, "Crate of 12 cups", 12),
    ("Yogurt & Doi", "Tok Doi 1 kg", "YD-TD1000", 190, "Crate of 6", 6),
    ("Yogurt & Doi", "Plain Yogurt 90 g cup", "YD-PY90", 25, "Tray of 48 cups", 48),
    ("Yogurt & Doi", "Strawberry Yogurt 90 g cup", "YD-SY90", 30, "Tray of 48 cups", 48),
    ("Yogurt & Doi", "Mango Yogurt 90 g cup", "YD-MY90", 30, "Tray of 48 cups", 48),
    ("Yogurt & Doi", "Greek Yogurt 400 g", "YD-GY400", 250, "Crate of 12", 12),
    ("Yogurt & Doi", "Borhani 250 ml", "YD-BOR250", 40, "Crate of 24 bottles", 24),
    ("Yogurt & Doi", "Sweet Lassi 250 ml", "YD-LAS250", 45, "Crate of 24 bottles", 24),
    ("Yogurt & Doi", "Matha 500 ml", "YD-MAT500", 40, "Crate of 24 bottles", 24),
    ("Ghee", "Cow Ghee 200 g jar", "GH-200", 350, "Carton of 24 jars", 24),
    ("Ghee", "Cow Ghee 400 g jar", "GH-400", 680, "Carton of 12 jars", 12),
    ("Ghee", "Cow Ghee 900 g tin", "GH-900", 1450, "Carton of 12 tins", 12),
    ("Ghee", "Premium Gawa Ghee 1 kg", "GH-GAWA1000", 1700, "Carton of 6 tins", 6),
    ("Butter", "Salted Butter 100 g", "BT-S100", 130, "Carton of 24", 24),
    ("Butter", "Salted Butter 200 g", "BT-S200", 250, "Carton of 24", 24),
    ("Butter", "Unsalted Butter 200 g", "BT-U200", 260, "Carton of 24", 24),
    ("Butter", "Unsalted Butter 500 g", "BT-U500", 620, "Carton of 12", 12),
    ("Butter", "Bakery Butter 10 kg block", "BT-BLK10", 11500, "Block", 1),
    ("Butter", "Cooking Cream 200 ml", "BT-CRM200", 180, "Carton of 24", 24),
    ("Cheese", "Mozzarella 200 g", "CH-MOZ200", 380, "Carton of 12", 12),
    ("Cheese", "Mozzarella 1 kg", "CH-MOZ1000", 1650, "Carton of 6", 6),
    ("Cheese", "Cheddar 200 g", "CH-CHD200", 420, "Carton of 12", 12),
    ("Cheese", "Cheddar Slices 200 g", "CH-SLC200", 450, "Carton of 12", 12),
    ("Cheese", "Paneer 200 g", "CH-PAN200", 220, "Carton of 12", 12),
    ("Cheese", "Paneer 1 kg", "CH-PAN1000", 950, "Carton of 6", 6),
    ("Cheese", "Cream Cheese 200 g", "CH-CRC200", 400, "Carton of 12", 12),
    ("Ice Cream", "Vanilla Ice Cream 1 L tub", "IC-VAN1000", 350, "Carton of 6 tubs", 6),
    ("Ice Cream", "Chocolate Ice Cream 1 L tub", "IC-CHO1000", 380, "Carton of 6 tubs", 6),
    ("Ice Cream", "Mango Ice Cream 1 L tub", "IC-MAN1000", 370, "Carton of 6 tubs", 6),
    ("Ice Cream", "Strawberry Ice Cream 1 L tub", "IC-STR1000", 370, "Carton of 6 tubs", 6),
    ("Ice Cream", "Pistachio Ice Cream 1 L tub", "IC-PIS1000", 420, "Carton of 6 tubs", 6),
    ("Ice Cream", "Vanilla Family Pack 2 L", "IC-VAN2000", 650, "Carton of 4", 4),
    ("Ice Cream", "Vanilla Cup 80 ml", "IC-CUP80", 30, "Box of 48 cups", 48),
    ("Ice Cream", "Chocolate Cone 110 ml", "IC-CONE110", 60, "Box of 24 cones", 24),
    ("Ice Cream", "Malai Kulfi 50 ml", "IC-KUL50", 25, "Box of 48 sticks", 48),
    ("Ice Cream", "Catering Ice Cream 5 L", "IC-BULK5000", 1500, "Tub", 1),
]

NAME_PREFIXES = [
    "Padma",
    "Meghna",
    "Jamuna",
    "Karnaphuli",
    "Sonar Bangla",
    "Rupali",
    "Shapla",
    "Surma",
    "Teesta",
    "Bismillah",
    "Al-Madina",
    "Nahar",
    "Rahman",
    "Chowdhury",
    "Green Valley",
    "Sabuj",
    "Nobanno",
    "Ittefaq",
    "Bhai Bhai",
    "Modina",
]
NAME_SUFFIXES = {
    "distributor": ["Distributors", "Trading", "Enterprise", "Traders"],
    "retailer": ["Super Shop", "Store", "General Store", "Mart"],
    "horeca": ["Restaurant", "Hotel", "Sweets & Bakery", "Caterers"],
    "institutional": ["School Canteen", "Hospital Canteen", "Garments Canteen", "Club"],
}
TYPE_WEIGHTS = [("distributor", 2), ("retailer", 5), ("horeca", 3), ("institutional", 1)]
TIER_WEIGHTS = [("bronze", 4), ("silver", 3), ("gold", 2), ("platinum", 1)]


class B2bDemoSeed(models.AbstractModel):
    _name = "smart.dairy.b2b.demo.seed"
    _description = "B2B demo data generator"

    @api.model
    def _seed(self, n_partners=120, seed=42):
        """Create the dairy catalog and ``n_partners`` approved B2B partners. Idempotent."""
        products = self._seed_products()
        rng = random.Random(seed)
        env = self.env(su=True)
        Partner = env["res.partner"].with_context(tracking_disable=True, mail_create_nolog=True)
        tiers = {t.code: t for t in env["smart.dairy.b2b.tier"].search([])}
        districts = env["l10n_bd_smart.district"].search([])
        with_upazilas = districts.filtered("upazila_ids")
        existing = set(
            Partner.search([("b2b_trade_licence", "=like", "SD-DEMO-%")]).mapped(
                "b2b_trade_licence"
            )
        )
        vals_list = []
        for i in range(1, n_partners + 1):
            licence = f"SD-DEMO-{i:05d}"
            # draws happen even for existing partners so that the sequence stays stable
            ptype = rng.choices(*zip(*TYPE_WEIGHTS, strict=True))[0]
            tier_code = rng.choices(*zip(*TIER_WEIGHTS, strict=True))[0]
            district = rng.choice(with_upazilas if rng.random() < 0.8 else districts)
            upazila = rng.choice(district.upazila_ids) if district.upazila_ids else None
            name = f"{rng.choice(NAME_PREFIXES)} {rng.choice(NAME_SUFFIXES[ptype])}"
            phone = f"01{rng.choice('3456789')}{rng.randrange(10**8):08d}"
            if licence in existing:
                continue
            tier = tiers.get(tier_code)
            vals_list.append(
                {
                    "name": f"{name} ({(upazila or district).name}) #{i}",
                    "is_company": True,
                    "country_id": self.env.ref("base.bd").id,
                    "bd_district_id": district.id,
                    "bd_upazila_id": upazila.id if upazila else False,
                    "city": (upazila or district).name,
                    "zip": f"{rng.randrange(1000, 9500)}",
                    "phone": phone,
                    "email": f"partner{i:04d}@demo.smartdairy.example",
                    "bd_bin": f"{700000000 + i:09d}0101",
                    "bd_etin": f"{500000000000 + i:012d}",
                    "b2b_trade_licence": licence,
                    "b2b_partner_type": ptype,
                    "b2b_status": "approved",
                    "b2b_tier_id": tier.id if tier else False,
                    "credit_limit": tier.default_credit_limit if tier else 0.0,
                    "use_partner_credit_limit": True,
                    "property_payment_term_id": tier.payment_term_id.id if tier else False,
                    "company_id": False,
                }
            )
        created = Partner.create(vals_list)
        self._seed_delivery_locations(created, seed)
        self._seed_promotions(products)
        credit = self._seed_credit()
        return {
            "credit": credit,
            "products": len(products),
            "partners_created": len(created),
            "partners_total": Partner.search_count([("b2b_trade_licence", "=like", "SD-DEMO-%")]),
        }

    @api.model
    def _seed_delivery_locations(self, partners, seed=42):
        """One delivery address per new partner (two for distributors), in its district."""
        rng = random.Random(seed + 1)  # own stream: the partners' draws stay as they were
        Partner = self.env["res.partner"].sudo().with_context(mail_create_nolog=True)
        vals_list = []
        for partner in partners:
            upazilas = partner.bd_district_id.upazila_ids
            names = ["Main outlet"] + (
                ["Warehouse"] if partner.b2b_partner_type == "distributor" else []
            )
            for name in names:
                upazila = rng.choice(upazilas) if upazilas else partner.bd_upazila_id
                loc = {
                    "name": f"{name} ({(upazila or partner.bd_district_id).name})",
                    "street": f"House {rng.randrange(1, 120)}, Road {rng.randrange(1, 30)}",
                    "bd_district_id": partner.bd_district_id.id,
                    "bd_upazila_id": upazila.id if upazila else False,
                    "zip": partner.zip,
                    "phone": f"01{rng.choice('3456789')}{rng.randrange(10**8):08d}",
                    "b2b_opening_hours": rng.choice(["07:00-22:00", "08:00-23:00", "09:00-21:00"]),
                    "b2b_delivery_window": rng.choice(
                        ["05:00-07:00", "06:00-09:00", "22:00-23:59"]
                    ),
                }
                vals_list.append(
                    dict(Partner._b2b_delivery_location_vals(loc), parent_id=partner.id)
                )
        return Partner.create(vals_list)

    @api.model
    def _seed_promotions(self, products):
        """A date-boxed promotion on Gold: 10 % off mango yogurt this month (idempotent)."""
        gold = self.env.ref("smart_dairy_b2b.pricelist_tier_gold", raise_if_not_found=False)
        mango = products.filtered(lambda p: p.default_code == "YD-MY90")
        if not gold or not mango:
            return
        Item = self.env["product.pricelist.item"].sudo()
        if Item.search_count([("pricelist_id", "=", gold.id), ("product_tmpl_id", "=", mango.id)]):
            return
        today = fields.Date.context_today(self)
        Item.create(
            {
                "pricelist_id": gold.id,
                "applied_on": "1_product",
                "product_tmpl_id": mango.id,
                "compute_price": "formula",
                "base": "list_price",
                "price_discount": 10,
                "date_start": fields.Datetime.to_datetime(today.replace(day=1)),
                "date_end": fields.Datetime.to_datetime(today + timedelta(days=30)),
            }
        )

    @api.model
    def _seed_products(self):
        env = self.env(su=True)
        Category = env["product.category"]
        parent = Category.search([("name", "=", "Dairy Products"), ("parent_id", "=", False)])
        if not parent:
            parent = Category.create({"name": "Dairy Products"})
        categories = {}
        for categ_name in dict.fromkeys(row[0] for row in DAIRY_SKUS):
            categ = Category.search([("name", "=", categ_name), ("parent_id", "=", parent.id)])
            categories[categ_name] = categ or Category.create(
                {"name": categ_name, "parent_id": parent.id}
            )
        Template = env["product.template"].with_context(active_test=False)
        existing = {
            t.default_code: t
            for t in Template.search([("default_code", "in", [row[2] for row in DAIRY_SKUS])])
        }
        # Prices above are BDT. A Bangladeshi deployment keeps its books in BDT; a demo
        # database whose company uses another currency gets the equivalent list prices, so
        # that the BDT tier pricelists show the intended taka prices.
        company = self.env.company
        bdt = self.env.ref("base.BDT")
        today = fields.Date.context_today(self)

        def company_price(amount):
            if company.currency_id == bdt:
                return amount
            return bdt._convert(amount, company.currency_id, company, today, round=False)

        vals_list = []
        for categ_name, name, code, price, pack, crate in DAIRY_SKUS:
            if code in existing:
                continue
            vals_list.append(
                {
                    "name": name,
                    "default_code": code,
                    "list_price": company_price(price),
                    "standard_price": company_price(price * 0.72),
                    "categ_id": categories[categ_name].id,
                    "type": "consu",
                    "is_storable": True,
                    "sale_ok": True,
                    "b2b_published": True,
                    "b2b_pack_label": pack,
                    "b2b_qty_multiple": crate,
                    "b2b_min_qty": crate,
                }
            )
        created = Template.create(vals_list)
        self._seed_stock(created)
        return Template.search([("default_code", "in", [row[2] for row in DAIRY_SKUS])])

    @api.model
    def _seed_stock(self, templates):
        warehouse = (
            self.env["stock.warehouse"]
            .sudo()
            .search([("company_id", "=", self.env.company.id)], limit=1)
        )
        if not warehouse or not templates:
            return
        Quant = self.env["stock.quant"].sudo().with_context(inventory_mode=True)
        quants = Quant.create(
            [
                {
                    "product_id": tmpl.product_variant_id.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "inventory_quantity": (index % 4) * 120,
                }
                for index, tmpl in enumerate(templates)
                if index % 4
            ]
        )
        quants.action_apply_inventory()

    # ------------------------------------------------------------------ credit (#6)
    # demo partner number -> (credit limit override or None, [(amount, days overdue)], status)
    CREDIT_DEMO = {
        1: (None, [(4000, -10), (3000, 20), (2500, 45), (1500, 75), (900, 120)], None),
        2: (None, [(1200, -5)], None),
        3: (10000, [(9200, -7)], None),
        4: (10000, [(11000, -3)], None),
        5: (None, [(500, 10)], "suspended"),
    }

    @api.model
    def _seed_credit(self):
        """Open invoices in every aging bucket, partners in each credit status, standing orders.

        Idempotent: invoices carry the reference ``SD-DEMO-CR-<partner>-<k>``; nothing is done
        when the company has no sale journal (no chart of accounts).
        """
        env = self.env(su=True)
        company = env.company
        journal = env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
        )
        Partner = env["res.partner"]
        partners = {
            i: Partner.search([("b2b_trade_licence", "=", f"SD-DEMO-{i:05d}")], limit=1)
            for i in range(1, 8)
        }
        if not journal or not all(partners.values()):
            return {"invoices": 0, "standing_orders": 0}
        today = fields.Date.context_today(self)
        existing = set(
            env["account.move"]
            .search([("ref", "=like", "SD-DEMO-CR-%"), ("company_id", "=", company.id)])
            .mapped("ref")
        )
        moves = env["account.move"]
        for i, (limit, invoices, status) in self.CREDIT_DEMO.items():
            partner = partners[i]
            if limit is not None and not partner.b2b_credit_limit_override:
                partner.b2b_set_credit_limit(limit, "Demo data")
            for k, (amount, overdue) in enumerate(invoices):
                ref = f"SD-DEMO-CR-{i}-{k}"
                if ref in existing:
                    continue
                due = today - timedelta(days=overdue)
                moves |= env["account.move"].create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "journal_id": journal.id,
                        "ref": ref,
                        "invoice_date": min(due, today) - timedelta(days=30),
                        "invoice_payment_term_id": False,
                        "invoice_date_due": due,
                        "invoice_line_ids": [
                            (
                                0,
                                0,
                                {
                                    "name": "Dairy products (demo)",
                                    "quantity": 1,
                                    "price_unit": amount,
                                    "tax_ids": [],
                                },
                            )
                        ],
                    }
                )
            if status and partner.b2b_credit_status_manual != status:
                partner.b2b_set_credit_status(status, "Demo data: cheque bounced twice")
        moves.action_post()
        demo = Partner.search([("b2b_trade_licence", "=like", "SD-DEMO-%")])
        demo._b2b_credit_refresh(with_score=True)
        standing_orders = self._seed_standing_orders(partners)
        return {"invoices": len(moves), "standing_orders": standing_orders}

    @api.model
    def _seed_standing_orders(self, partners):
        env = self.env(su=True)
        Standing = env["smart.dairy.b2b.standing.order"]
        products = env["product.product"].search(
            [("default_code", "in", ["LM-1000P", "LM-500P", "YG-DOI500"])]
        ) or env["product.product"].search([("b2b_published", "=", True)], limit=2)
        today = fields.Date.context_today(self)
        specs = [
            (
                "SO-DEMO weekly milk (Mon/Thu)",
                partners[2],
                {"rule": "weekly", "mon": True, "thu": True, "auto_confirm": True},
            ),
            ("SO-DEMO monthly ghee", partners[6], {"rule": "monthly", "day_of_month": 1}),
            (
                "SO-DEMO daily canteen",
                partners[7],
                {
                    "rule": "daily",
                    "skip_ids": [
                        (0, 0, {"date": today + timedelta(days=3), "reason": "Public holiday"})
                    ],
                },
            ),
        ]
        count = 0
        for name, partner, vals in specs:
            if Standing.search_count([("name", "=", name)]):
                continue
            Standing.create(
                dict(
                    vals,
                    name=name,
                    partner_id=partner.id,
                    date_start=today,
                    line_ids=[(0, 0, {"product_id": p.id, "quantity": 24}) for p in products[:2]],
                )
            )
            count += 1
        return count
