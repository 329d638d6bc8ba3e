# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from odoo import Command

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class B2bTestMixin:
    """Builds a self-contained B2B world: a BDT company, products, tiers' pricelists, partners.

    Nothing here relies on demo data, so the tests pass with or without it and beside the
    other suite modules.
    """

    @classmethod
    def _setup_b2b_world(cls):
        env = cls.env
        cls.bdt = env.ref("base.BDT")
        cls.bdt.active = True
        cls.company = env["res.company"].create(
            {
                "name": "SD Test Dairy BD",
                "currency_id": cls.bdt.id,
                "country_id": env.ref("base.bd").id,
            }
        )
        env.user.company_ids |= cls.company
        cls.env = env = env(context=dict(env.context, allowed_company_ids=[cls.company.id]))
        cls.gold = env.ref("smart_dairy_b2b.tier_gold")
        cls.silver = env.ref("smart_dairy_b2b.tier_silver")
        cls.categ_yogurt = env["product.category"].create({"name": "T Yogurt"})
        cls.categ_milk = env["product.category"].create({"name": "T Milk"})
        Product = env["product.product"]
        base = {"b2b_published": True, "sale_ok": True}
        cls.milk = Product.create(
            dict(
                base,
                name="T Fresh Milk 1 L",
                default_code="T-LM1",
                list_price=100.0,
                categ_id=cls.categ_milk.id,
                b2b_qty_multiple=12,
                b2b_min_qty=12,
                b2b_pack_label="Crate of 12",
            )
        )
        cls.doi = Product.create(
            dict(
                base,
                name="T Mishti Doi 500 g",
                default_code="T-MD5",
                list_price=95.0,
                categ_id=cls.categ_yogurt.id,
            )
        )
        cls.lassi = Product.create(
            dict(
                base,
                name="T Lassi 250 ml",
                default_code="T-LS2",
                list_price=45.0,
                categ_id=cls.categ_yogurt.id,
            )
        )

    @classmethod
    def _partner(cls, name, status="approved", tier=None, **vals):
        return cls.env["res.partner"].create(
            dict(
                {
                    "name": name,
                    "is_company": True,
                    "b2b_status": status,
                    "b2b_partner_type": "retailer",
                    "b2b_tier_id": (tier or cls.gold).id,
                },
                **vals,
            )
        )

    @classmethod
    def _portal_user(cls, partner, login, role, limit=0.0):
        contact = cls.env["res.partner"].create(
            {"name": login, "email": f"{login}@example.com", "parent_id": partner.id}
        )
        return (
            cls.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": login,
                    "login": login,
                    "password": login + "-pw-1234",
                    "partner_id": contact.id,
                    "groups_id": [Command.set([cls.env.ref("base.group_portal").id])],
                    "b2b_role": role,
                    "b2b_order_limit": limit,
                    "company_id": cls.company.id,
                    "company_ids": [Command.set([cls.company.id])],
                }
            )
        )

    @staticmethod
    def _doc(doc_type, name="doc.pdf", data=PDF):
        return {"type_id": doc_type.id, "filename": name, "file": base64.b64encode(data)}
