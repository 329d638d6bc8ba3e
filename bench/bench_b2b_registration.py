#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bulk registration of 1,000 B2B applications vs bare partner creation (baseline).

Each application goes through what the "Become a partner" form does after parsing the
request: validation of BIN / e-TIN / phone / postcode / e-mail, duplicate checks, two
documents (type, size and content checks, stored as attachments), the pending partner with
its contact and a delivery location, the three review stages of OCA base_tier_validation and
the queued confirmation e-mail - each in its own savepoint. The baseline creates the same
partners (company + contact + delivery address) with plain ``res.partner.create``.
Everything is rolled back.

    B2B_BENCH_DB=<db> B2B_BENCH_CONFIG=<odoo.conf> python3 bench/bench_b2b_registration.py
"""

import base64
import json
import os
import time

import benchlib

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def odoo_env():
    return benchlib.odoo_env("B2B", "smart_dairy_b2b", {})


def main():
    env, cr = odoo_env()
    from odoo.addons.smart_dairy_b2b.controllers.registration import B2bRegistration

    n = int(os.environ.get("B2B_BENCH_N", "1000"))
    district = env.ref("l10n_bd_smart.district_bd_13")
    doc_types = [
        env.ref("smart_dairy_b2b.doc_type_trade_licence"),
        env.ref("smart_dairy_b2b.doc_type_bin_certificate"),
    ]
    pdf64 = base64.b64encode(PDF)

    def application(i):
        vals = {
            "company_name": f"Bench Applicant {i:05d}",
            "partner_type": ("distributor", "retailer", "horeca", "institutional")[i % 4],
            "contact_name": f"Bench Contact {i:05d}",
            "email": f"bench{i:05d}@example.com",
            "phone": f"01{7 + i % 3}{i:08d}",
            "trade_licence": f"BENCH-TL-{i:06d}",
            "bd_bin": f"{800000000 + i:09d}-0101",
            "bd_etin": f"{600000000000 + i:012d}",
            "district_id": district.id,
            "zip": "1216",
        }
        docs = [{"type_id": t.id, "filename": f"{t.code}.pdf", "file": pdf64} for t in doc_types]
        delivery = [{"name": "Depot", "street": f"Road {i}", "bd_district_id": district.id}]
        return vals, docs, delivery

    try:
        # baseline: the same partners, plain ORM, no validation workflow
        q0 = cr.sql_log_count
        t0 = time.perf_counter()
        for i in range(n):
            vals, _docs, delivery = application(i)
            company = env["res.partner"].create(
                {"name": vals["company_name"] + " (baseline)", "is_company": True}
            )
            env["res.partner"].create(
                [
                    {"name": vals["contact_name"], "parent_id": company.id},
                    dict(delivery[0], parent_id=company.id, type="delivery"),
                ]
            )
        env.flush_all()
        baseline = time.perf_counter() - t0
        baseline_queries = cr.sql_log_count - q0

        q0 = cr.sql_log_count
        t0 = time.perf_counter()
        apps = env["smart.dairy.b2b.application"]
        for i in range(n):
            vals, docs, delivery = application(i)
            apps |= B2bRegistration._create_application(env, vals, docs, delivery, "10.0.0.1")
        env.flush_all()
        elapsed = time.perf_counter() - t0
        queries = cr.sql_log_count - q0
        assert len(apps) == n and set(apps.mapped("state")) == {"submitted"}
        reviews = env["tier.review"].search_count(
            [("res_id", "in", apps.ids), ("model", "=", apps._name)]
        )
        print(
            json.dumps(
                {
                    "bench": "b2b_bulk_registration",
                    "applications": n,
                    "seconds": round(elapsed, 2),
                    "ms_per_application": round(elapsed * 1000 / n, 1),
                    "applications_per_second": round(n / elapsed, 1),
                    "reviews_created": reviews,
                    "queries_per_application": round(queries / n, 1),
                    "baseline_queries_per_partner_set": round(baseline_queries / n, 1),
                    "baseline_plain_partners_seconds": round(baseline, 2),
                    "ratio_vs_baseline": round(elapsed / baseline, 2),
                }
            )
        )
    finally:
        cr.rollback()
        cr.close()


if __name__ == "__main__":
    main()
