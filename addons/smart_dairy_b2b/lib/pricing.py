# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""B2B pricing maths, independent of Odoo.

The Odoo side stores prices as core pricelists (``product.pricelist.item`` with ``min_quantity``,
``date_start``/``date_end`` and product/global scope); these functions state the same rules in
plain Python so that they can be reasoned about, tested with hand-computed values and reused
by the REST API and the catalog:

* a quantity break is ``(min_qty, discount %)``; the break that applies is the one with the
  highest ``min_qty`` not above the quantity (core orders rules by ``min_quantity desc``);
* a promotion (product rule with dates) wins over the tier breaks while it is active;
* a partner contract price (fixed, per product) wins over everything;
* with *order-total breaks* the quantity used to choose the break is the total of the order
  lines of the same product family (category), not the line's own quantity;
* money is rounded half-up to the currency rounding (BDT: 0.01), optionally to a coarser
  price rounding first (e.g. whole taka).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date as Date
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "Promotion",
    "QuantityBreak",
    "apply_discount",
    "break_table",
    "check_order_quantity",
    "family_quantities",
    "resolve_unit_price",
    "round_money",
    "select_break",
    "suggest_quantity",
]


@dataclass(frozen=True)
class QuantityBreak:
    min_qty: float
    discount_pct: float

    def __post_init__(self):
        if self.min_qty < 0:
            raise ValueError("A quantity break starts at 0 or more units.")
        if not 0 <= self.discount_pct < 100:
            raise ValueError("A break discount is between 0 and 100 %.")


@dataclass(frozen=True)
class Promotion:
    discount_pct: float
    date_start: Date | None = None
    date_end: Date | None = None
    min_qty: float = 0.0

    def active_on(self, day):
        return (self.date_start is None or self.date_start <= day) and (
            self.date_end is None or day <= self.date_end
        )


def round_money(amount, rounding=0.01):
    """Round half-up to a multiple of ``rounding`` (what ``float_round`` does in Odoo)."""
    if rounding <= 0:
        raise ValueError("Rounding must be positive.")
    step = Decimal(str(rounding))
    units = (Decimal(str(amount)) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return float(units * step)


def apply_discount(base_price, discount_pct, price_rounding=0.0, currency_rounding=0.01):
    price = base_price * (1 - discount_pct / 100.0)
    if price_rounding:
        price = round_money(price, price_rounding)
    return round_money(price, currency_rounding)


def select_break(breaks, quantity):
    """The break that applies to ``quantity`` (None when no break starts low enough)."""
    best = None
    for brk in breaks:
        if brk.min_qty <= quantity and (best is None or brk.min_qty > best.min_qty):
            best = brk
    return best


def break_table(base_price, breaks, price_rounding=0.0, currency_rounding=0.01):
    """Rows ``(from_qty, discount %, unit price)`` for display, ascending, from 1 unit.

    Rows that would not change the price are dropped, so the table only shows real steps.
    """
    rows = []
    thresholds = sorted({max(1.0, b.min_qty) for b in breaks} | {1.0})
    for qty in thresholds:
        brk = select_break(breaks, qty)
        pct = brk.discount_pct if brk else 0.0
        price = apply_discount(base_price, pct, price_rounding, currency_rounding)
        if rows and rows[-1][2] == price:
            continue
        rows.append((qty, pct, price))
    return rows


def resolve_unit_price(
    base_price,
    quantity,
    breaks=(),
    promotions=(),
    contract_price=None,
    day=None,
    price_rounding=0.0,
    currency_rounding=0.01,
):
    """Unit price of one product for one partner: contract > active promotion > tier break."""
    if contract_price is not None:
        return round_money(contract_price, currency_rounding)
    day = day or Date.today()
    active = [p for p in promotions if p.active_on(day) and p.min_qty <= quantity]
    if active:
        promo = max(active, key=lambda p: (p.min_qty, p.discount_pct))
        return apply_discount(base_price, promo.discount_pct, price_rounding, currency_rounding)
    brk = select_break(breaks, quantity)
    pct = brk.discount_pct if brk else 0.0
    return apply_discount(base_price, pct, price_rounding, currency_rounding)


def family_quantities(lines):
    """Total quantity per family from ``(family, quantity)`` pairs."""
    totals = defaultdict(float)
    for family, qty in lines:
        totals[family] += qty
    return dict(totals)


def check_order_quantity(quantity, min_qty=0.0, multiple=0.0, product_name="This product"):
    """Raise ``ValueError`` with a readable message when a quantity breaks pack rules."""
    if quantity <= 0:
        raise ValueError(f"{product_name}: quantity must be positive.")
    if min_qty and quantity < min_qty:
        raise ValueError(f"{product_name}: the minimum order is {min_qty:g} units.")
    if multiple:
        ratio = quantity / multiple
        if abs(ratio - round(ratio)) > 1e-9:
            raise ValueError(
                f"{product_name}: order in multiples of {multiple:g} units "
                f"(full crates); {quantity:g} is not one."
            )
    return quantity


def suggest_quantity(quantity, min_qty=0.0, multiple=0.0):
    """Smallest valid quantity not below ``quantity`` (rounds up to full crates)."""
    qty = max(quantity, min_qty or 0.0, multiple or 0.0)
    if multiple:
        full = -(-qty // multiple)
        qty = full * multiple
    return qty
