/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// Part-2 ordering tours (portal pages only): quick order pad, upload, partner approval, hold.
// Python (tests/test_ordering_tours.py) prepares the data, chains the tours and checks the DB.
import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");
const row = (n) => `.o_b2b_qo_table tbody tr.o_b2b_qo_row:nth-child(${n})`;

function paste(selector, text) {
    const input = document.querySelector(selector);
    input.focus();
    const data = new DataTransfer();
    data.setData("text/plain", text);
    input.dispatchEvent(
        new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true })
    );
}

function attach(selector, name, mimetype, content) {
    const input = document.querySelector(selector);
    const transfer = new DataTransfer();
    transfer.items.add(new File([content], name, { type: mimetype }));
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
}

// (a1) A buyer types one row, pastes two rows copied from Excel, sees prices, hints and the
// total, gives his PO reference and delivery location and saves the order.
tours.add("smart_dairy_b2b_quick_order_pad_tour", {
    url: "/b2b/quick-order",
    steps: () => [
        { trigger: `${row(1)} .o_b2b_qo_sku`, run: "edit T-LM1" },
        { trigger: `${row(1)} .o_b2b_qo_qty`, run: "edit 24" },
        {
            content: "Gold price of 24 litres of milk (10+ break)",
            trigger: `${row(1)} .o_b2b_qo_price:contains(93.00)`,
        },
        { trigger: `${row(1)} .o_b2b_qo_hint:contains(order 50)` },
        { content: "Enter moves to the next row", trigger: `${row(1)} .o_b2b_qo_qty`, run: "press Enter" },
        { trigger: `${row(2)} .o_b2b_qo_sku:focus` },
        {
            content: "Paste two lines copied from Excel into the next SKU cell",
            trigger: `${row(2)} .o_b2b_qo_sku`,
            run() {
                paste(`${row(2)} .o_b2b_qo_sku`, "T-MD5\t5\nT-LS2\t60\n");
            },
        },
        { trigger: `${row(3)} .o_b2b_qo_price:contains(40.95)` },
        { trigger: `${row(2)} .o_b2b_qo_hint:contains(order 10)` },
        {
            content: "A bad quantity is flagged on its row",
            trigger: `${row(4)} .o_b2b_qo_sku`,
            run: "edit T-LM1",
        },
        { trigger: `${row(4)} .o_b2b_qo_qty`, run: "edit 30" },
        { trigger: `${row(4)}.table-danger .o_b2b_qo_msg:contains(packs of 12)` },
        { trigger: `${row(4)} .o_b2b_qo_sku`, run: "clear" },
        { trigger: `${row(4)} .o_b2b_qo_qty`, run: "clear" },
        {
            content: "Total: 24 x 93.00 + 5 x 91.20 + 60 x 40.95",
            trigger: ".o_b2b_qo_total:contains(5,145.00)",
        },
        { trigger: "input[name=client_ref]", run: "edit TOUR-PO-1" },
        { trigger: "select[name=shipping_id]", run: "selectByLabel Tour Banani outlet" },
        { trigger: ".o_b2b_qo_submit", run: "click" },
        { content: "The order's portal page", trigger: "#introduction" },
    ],
});

// (a2) He uploads a CSV with good and bad rows into his current draft: per-row report; the
// order is now above his personal limit and waits for his manager.
tours.add("smart_dairy_b2b_upload_tour", {
    url: "/b2b/quick-order",
    steps: () => [
        { trigger: ".o_b2b_qo_upload_target", run: "selectByLabel Into draft" },
        {
            trigger: "input[name=upload]",
            run() {
                attach(
                    "input[name=upload]",
                    "order.csv",
                    "text/csv",
                    "sku,quantity\nT-LM1,96\nT-MD5,5\nNOPE-1,3\nT-LM1,30\n"
                );
            },
        },
        { trigger: ".o_b2b_qo_upload_btn", run: "click" },
        { trigger: ".o_b2b_qo_report_row[data-code=unknown_sku]:contains(NOPE-1)" },
        { trigger: ".o_b2b_qo_report_row[data-code=not_multiple]:contains(packs of 12)" },
        { trigger: ".o_b2b_qo_report_row[data-code=ok]:contains(T-MD5)" },
        { content: "Above the personal limit", trigger: ".o_b2b_qo_pending" },
    ],
});

// (a3) The partner's manager approves it on the order's portal page.
tours.add("smart_dairy_b2b_manager_approve_tour", {
    steps: () => [
        { trigger: ".o_b2b_approval_pending button.o_b2b_partner_approve", run: "click" },
        { content: "Now with the dairy's team", trigger: ".o_b2b_approval_internal" },
    ],
});

// (b) A partner on hold cannot check out from the pad and sees why.
tours.add("smart_dairy_b2b_quick_order_hold_tour", {
    url: "/b2b/quick-order",
    steps: () => [
        { trigger: ".o_b2b_qo_hold:contains(on hold for credit)" },
        { trigger: `${row(1)} .o_b2b_qo_sku`, run: "edit T-LM1" },
        { trigger: `${row(1)} .o_b2b_qo_qty`, run: "edit 24" },
        { trigger: `${row(1)} .o_b2b_qo_price:contains(93.00)` },
        { content: "Search a product by name", trigger: `${row(2)} .o_b2b_qo_sku`, run: "edit T Mishti" },
        { trigger: `${row(2)} .o_b2b_qo_suggest .list-group-item:contains(T-MD5)`, run: "click" },
        { trigger: `${row(2)} .o_b2b_qo_qty`, run: "edit 5" },
        { trigger: `${row(2)} .o_b2b_qo_price:contains(91.20)` },
        { trigger: ".o_b2b_qo_submit", run: "click" },
        { trigger: ".o_b2b_qo_submit_error:contains(on hold for credit)" },
    ],
});

// (c) A row asks for more than the stock: the pad says so and offers "Order only N" (full packs);
// a row whose available quantity is below the product's minimum says that instead.
// Butter: packs of 6, minimum 6, 30 in stock, gold 10+ 186.00. Cream: packs of 6, minimum 12,
// 8 in stock (6 in full packs).
tours.add("smart_dairy_b2b_quick_order_only_available_tour", {
    url: "/b2b/quick-order",
    steps: () => [
        { trigger: `${row(1)} .o_b2b_qo_sku`, run: "edit T-BT2" },
        { trigger: `${row(1)} .o_b2b_qo_qty`, run: "edit 36" },
        {
            content: "36 butter, 30 in stock: the short-stock note",
            trigger: `${row(1)}.table-warning .o_b2b_qo_short:contains(Only 30 available now: 6 would follow as a backorder)`,
        },
        { content: "36 x 186.00", trigger: ".o_b2b_qo_total:contains(6,696.00)" },
        { trigger: `${row(1)} button.o_b2b_qo_only:contains(Order only 30)`, run: "click" },
        {
            content: "The row now asks for 30, without a backorder; the total follows",
            trigger: `${row(1)}:not(.table-warning) .o_b2b_qo_only_note`,
        },
        { trigger: `${row(1)} .o_b2b_qo_qty:value(30)` },
        { content: "30 x 186.00", trigger: ".o_b2b_qo_total:contains(5,580.00)" },
        { trigger: `${row(2)} .o_b2b_qo_sku`, run: "edit T-CR6" },
        { trigger: `${row(2)} .o_b2b_qo_qty`, run: "edit 24" },
        {
            content: "6 available is below the minimum of 12: said, no button",
            trigger: `${row(2)}.table-warning .o_b2b_qo_short:contains(below the minimum order of 12)`,
        },
        { trigger: `${row(2)} .o_b2b_qo_msg:not(:has(.o_b2b_qo_only))` },
        { trigger: `${row(2)} .o_b2b_qo_sku`, run: "clear" },
        { trigger: `${row(2)} .o_b2b_qo_qty`, run: "clear" },
        { trigger: `${row(2)}:not(.table-warning) .o_b2b_qo_msg:empty` },
        { trigger: ".o_b2b_qo_total:contains(5,580.00)" },
        { trigger: ".o_b2b_qo_submit", run: "click" },
        { content: "The new order's portal page", trigger: "#introduction h2:contains(Quotation)" },
    ],
});

// (d) The buyer opens a past order on the portal and orders it again: a new quotation.
tours.add("smart_dairy_b2b_order_again_tour", {
    url: "/my/orders",
    steps: () => [
        { trigger: "a:contains(TOUR-PAST-1)", run: "click" },
        { content: "The past order, at its old prices", trigger: "#introduction h2:contains(TOUR-PAST-1)" },
        { trigger: ".o_b2b_reorder_actions button.o_b2b_reorder", run: "click" },
        {
            content: "A new quotation at today's prices",
            trigger: "#introduction h2:contains(Quotation):not(:contains(TOUR-PAST-1))",
        },
    ],
});
