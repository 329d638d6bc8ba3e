#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Aging / exposure / status recompute for 5,000 B2B partners with 50,000 open invoices.

Figure: ``res.partner._b2b_credit_refresh`` (grouped SQL for the whole recordset, one UPDATE).
Baseline, same run, same data: partner by partner through the ORM (search the open receivable
lines and the orders of each partner, age them in Python with the same rules, write the
figures). Both results are compared before timing is reported. Everything is rolled back.

Invoices are inserted with SQL (posted receivable lines, due dates and amounts varied per
partner so that every aging bucket and credit status occurs) so that the set-up stays short; the code measured only reads them.

    B2B_BENCH_DB=<db> B2B_BENCH_CONFIG=<odoo.conf> python3 bench/bench_b2b_credit.py
"""

import json
import os
import time
from datetime import timedelta

import benchlib


def odoo_env():
    return benchlib.odoo_env("B2B", "smart_dairy_b2b", {})


def per_partner_orm(env, partners, today, params):
    """Baseline: what a naive compute does, one partner at a time."""
    from odoo.addons.smart_dairy_b2b.lib import credit

    AML = env["account.move.line"]
    SOL = env["sale.order.line"]
    for partner in partners:
        lines = AML.search(
            [
                ("partner_id", "child_of", partner.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
            ]
        )
        items = [(line.date_maturity or line.date, line.amount_residual) for line in lines]
        aged = credit.aging(items, today)
        receivable = sum(r for _d, r in items)
        uninvoiced = sum(
            max(line.product_uom_qty - line.qty_invoiced, 0) * line.price_reduce_taxinc
            for line in SOL.search(
                [("order_id.partner_id", "child_of", partner.id), ("state", "=", "sale")]
            )
        )
        exposure = credit.exposure(receivable, uninvoiced)
        limit = partner.b2b_credit_limit
        util = credit.utilisation(exposure, limit) if limit > 0 else 0.0
        auto = credit.auto_status(util, aged["max_overdue_days"], params["hold_days"])
        partner.write(
            {
                "b2b_aging_0_30": aged["0_30"],
                "b2b_aging_31_60": aged["31_60"],
                "b2b_aging_61_90": aged["61_90"],
                "b2b_aging_90_plus": aged["90_plus"],
                "b2b_receivable": receivable,
                "b2b_exposure": exposure,
                "b2b_credit_utilisation": util,
                "b2b_max_overdue_days": aged["max_overdue_days"],
                "b2b_credit_auto_status": auto,
                "b2b_credit_status": credit.effective_status(
                    auto, partner.b2b_credit_status_manual
                ),
            }
        )
    env.flush_all()


def main():
    env, cr = odoo_env()
    n_partners = int(os.environ.get("B2B_BENCH_PARTNERS", "5000"))
    n_invoices = int(os.environ.get("B2B_BENCH_INVOICES", "50000"))
    from odoo import fields

    company = env.ref("base.main_company")
    env = env(context={"tracking_disable": True, "mail_create_nolog": True})
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.ids)], limit=1
    )
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    if not (receivable and journal):
        raise SystemExit("The main company needs a chart of accounts (receivable + sale journal).")
    tier = env.ref("smart_dairy_b2b.tier_silver")
    today = fields.Date.context_today(env["res.partner"])
    try:
        partners = env["res.partner"].create(
            [
                {
                    "name": f"Bench Credit {i:05d}",
                    "is_company": True,
                    "b2b_status": "approved",
                    "b2b_tier_id": tier.id,
                }
                for i in range(n_partners)
            ]
        )
        env.flush_all()
        cr.execute(
            """
            WITH p AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k
                         FROM res_partner WHERE id = ANY(%(ids)s)),
                 inv AS (SELECT g AS i, p.id AS partner_id,
                                (%(today)s::date - ((g * 37) %% (20 + (p.k %% 4) * 40) - 20)::int) AS due,
                                (100 + (g %% 50) * 10)
                                * CASE p.k %% 10 WHEN 9 THEN 55 WHEN 8 THEN 70 ELSE 1 END
                                AS amount
                           FROM generate_series(0, %(ni)s - 1) g JOIN p ON p.k = g %% %(np)s),
                 m AS (INSERT INTO account_move
                          (journal_id, currency_id, state, move_type, auto_post, date, name,
                           company_id, partner_id, commercial_partner_id, invoice_date_due)
                       SELECT %(journal)s, %(cur)s, 'posted', 'out_invoice', 'no', due - 30,
                              'BENCH/' || i, %(company)s, partner_id, partner_id, due
                         FROM inv RETURNING id, name, partner_id, invoice_date_due)
            INSERT INTO account_move_line
                   (move_id, journal_id, company_id, account_id, partner_id, currency_id,
                    display_type, parent_state, date, date_maturity, debit, credit, balance,
                    amount_currency, amount_residual, amount_residual_currency, reconciled)
            SELECT m.id, %(journal)s, %(company)s, %(account)s, m.partner_id, %(cur)s,
                   'payment_term', 'posted', m.invoice_date_due - 30, m.invoice_date_due,
                   inv.amount, 0, inv.amount, inv.amount, inv.amount, inv.amount, false
              FROM m JOIN inv ON 'BENCH/' || inv.i = m.name
            """,
            {
                "ids": partners.ids,
                "np": n_partners,
                "ni": n_invoices,
                "today": today,
                "journal": journal.id,
                "cur": company.currency_id.id,
                "company": company.id,
                "account": receivable.id,
            },
        )
        cr.execute(
            "SELECT count(*) FROM account_move_line WHERE partner_id = ANY(%s)", (partners.ids,)
        )
        n_lines = cr.fetchone()[0]
        env.invalidate_all()
        params = env["res.partner"]._b2b_credit_params()

        t0 = time.perf_counter()
        partners._b2b_credit_refresh(today)
        env.flush_all()
        grouped = time.perf_counter() - t0
        grouped_figures = {
            p.id: (p.b2b_aging_0_30, p.b2b_aging_90_plus, p.b2b_exposure, p.b2b_credit_status)
            for p in partners
        }

        cr.execute(
            "UPDATE res_partner SET b2b_exposure = 0, b2b_aging_0_30 = 0, b2b_aging_90_plus = 0 "
            "WHERE id = ANY(%s)",
            (partners.ids,),
        )
        env.invalidate_all()
        t0 = time.perf_counter()
        per_partner_orm(env, partners, today, params)
        baseline = time.perf_counter() - t0
        orm_figures = {
            p.id: (p.b2b_aging_0_30, p.b2b_aging_90_plus, p.b2b_exposure, p.b2b_credit_status)
            for p in partners
        }
        mismatches = sum(
            1
            for pid, fig in grouped_figures.items()
            if any(
                (abs(a - b) > 0.005 if isinstance(a, float) else a != b)
                for a, b in zip(fig, orm_figures[pid], strict=True)
            )
        )
        statuses = {}
        for fig in grouped_figures.values():
            statuses[fig[3]] = statuses.get(fig[3], 0) + 1
        print(
            json.dumps(
                {
                    "bench": "b2b_credit_recompute",
                    "partners": n_partners,
                    "open_invoices": n_lines,
                    "grouped_sql_s": round(grouped, 3),
                    "baseline_per_partner_orm_s": round(baseline, 3),
                    "speedup": round(baseline / grouped, 1) if grouped else None,
                    "mismatching_partners": mismatches,
                    "statuses": statuses,
                    "as_of": str(today - timedelta(days=0)),
                }
            )
        )
    finally:
        cr.rollback()
        cr.close()


if __name__ == "__main__":
    main()
