/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// Quick order pad: spreadsheet-like rows, keyboard navigation, paste from Excel, and ONE
// batched server call (/b2b/quick-order/price) that prices and checks every row. A short-stock
// row offers "Order only N" (what ships now, full packs): the row's quantity becomes N and the
// row is sent in ``only_available``, so the server orders what is available when it saves.
import publicWidget from "@web/legacy/js/public/public_widget";
import { rpc } from "@web/core/network/rpc";
import { debounce } from "@web/core/utils/timing";

const ERROR_CODES = ["unknown_sku", "bad_quantity", "not_multiple", "below_minimum", "not_sellable"];

function fmtQty(value) {
    return String(Math.round(Number(value || 0) * 1000) / 1000);
}

function fmt(value) {
    return Number(value || 0).toLocaleString("en-US", {
        minimumFractionDigits: 2,
        maximumFractionDigits: 2,
    });
}

publicWidget.registry.B2bQuickOrder = publicWidget.Widget.extend({
    selector: ".o_b2b_quick_order",
    events: {
        "input .o_b2b_qo_sku, .o_b2b_qo_qty": "_onInput",
        "keydown .o_b2b_qo_sku, .o_b2b_qo_qty": "_onKeydown",
        "paste .o_b2b_qo_sku": "_onPaste",
        "mousedown .o_b2b_qo_suggest .list-group-item": "_onPickSuggestion",
        "blur .o_b2b_qo_sku": "_onSkuBlur",
        "change .o_b2b_qo_target": "_schedulePrice",
        "click .o_b2b_qo_submit": "_onSubmit",
        "click .o_b2b_qo_only": "_onOnlyAvailable",
    },

    start() {
        this.tbody = this.el.querySelector(".o_b2b_qo_table tbody");
        this.blank = this.tbody.querySelector("tr.o_b2b_qo_row").cloneNode(true);
        this.nextKey = 1;
        for (const row of this._rows()) {
            row.dataset.key = String(this.nextKey++);
        }
        this.seq = 0;
        this._schedulePrice = debounce(this._price.bind(this), 250);
        this._scheduleSuggest = debounce(this._suggest.bind(this), 200);
        return this._super(...arguments);
    },

    // ------------------------------------------------------------------ rows
    _rows() {
        return [...this.tbody.querySelectorAll("tr.o_b2b_qo_row")];
    },
    _addRow() {
        const row = this.blank.cloneNode(true);
        row.dataset.key = String(this.nextKey++);
        this.tbody.appendChild(row);
        return row;
    },
    _ensureSpareRow() {
        const rows = this._rows();
        const last = rows[rows.length - 1];
        if (last.querySelector(".o_b2b_qo_sku").value || last.querySelector(".o_b2b_qo_qty").value) {
            this._addRow();
        }
    },
    _lines() {
        return this._rows()
            .filter((row) => row.querySelector(".o_b2b_qo_sku").value.trim())
            .map((row) => ({
                key: row.dataset.key,
                sku: row.querySelector(".o_b2b_qo_sku").value.trim(),
                quantity: row.querySelector(".o_b2b_qo_qty").value.trim(),
            }));
    },
    _isOnlyAvailable(row) {
        // the row's quantity is still the N its "Order only N" set
        return Boolean(row.dataset.only) && row.dataset.only === row.querySelector(".o_b2b_qo_qty").value.trim();
    },
    _onlyAvailableKeys() {
        return this._rows()
            .filter((row) => this._isOnlyAvailable(row))
            .map((row) => row.dataset.key);
    },
    _target() {
        const select = this.el.querySelector(".o_b2b_qo_target");
        return select ? select.value : "new";
    },

    // ------------------------------------------------------------------ events
    _onInput(ev) {
        delete ev.target.closest("tr").dataset.only; // typed over: his own quantity again
        this._ensureSpareRow();
        if (ev.target.classList.contains("o_b2b_qo_sku")) {
            this._scheduleSuggest(ev.target);
        }
        this._schedulePrice();
    },

    _onKeydown(ev) {
        const input = ev.target;
        const row = input.closest("tr");
        const list = row.querySelector(".o_b2b_qo_suggest");
        const isSku = input.classList.contains("o_b2b_qo_sku");
        if (isSku && !list.classList.contains("d-none")) {
            const items = [...list.querySelectorAll(".list-group-item")];
            const active = items.findIndex((item) => item.classList.contains("active"));
            if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
                ev.preventDefault();
                const next = ev.key === "ArrowDown" ? Math.min(active + 1, items.length - 1) : Math.max(active - 1, 0);
                items.forEach((item, i) => item.classList.toggle("active", i === next));
                return;
            }
            if (ev.key === "Enter" && active >= 0) {
                ev.preventDefault();
                this._pick(row, items[active].dataset.sku);
                row.querySelector(".o_b2b_qo_qty").focus();
                return;
            }
            if (ev.key === "Escape") {
                list.classList.add("d-none");
                return;
            }
        }
        const column = isSku ? ".o_b2b_qo_sku" : ".o_b2b_qo_qty";
        let target = null;
        if (ev.key === "Enter" || ev.key === "ArrowDown") {
            if (ev.key === "Enter" && isSku) {
                target = row.querySelector(".o_b2b_qo_qty");
            } else {
                const next = row.nextElementSibling || this._addRow();
                target = next.querySelector(ev.key === "Enter" ? ".o_b2b_qo_sku" : column);
            }
        } else if (ev.key === "ArrowUp" && row.previousElementSibling) {
            target = row.previousElementSibling.querySelector(column);
        } else if (ev.key === "ArrowRight" && isSku && input.selectionStart === input.value.length) {
            target = row.querySelector(".o_b2b_qo_qty");
        } else if (ev.key === "ArrowLeft" && !isSku && input.selectionStart === 0) {
            target = row.querySelector(".o_b2b_qo_sku");
        }
        if (target) {
            ev.preventDefault();
            list.classList.add("d-none");
            target.focus();
            target.select();
        }
    },

    _onPaste(ev) {
        const native = ev.originalEvent || ev; // publicWidget events are jQuery events
        const clipboard = native.clipboardData || window.clipboardData;
        const text = clipboard ? clipboard.getData("text") : "";
        if (!text || !/[\t\n]/.test(text)) {
            return; // a plain value: normal paste
        }
        ev.preventDefault();
        let row = ev.target.closest("tr");
        const lines = text.split(/\r?\n/).filter((line) => line.trim());
        lines.forEach((line, i) => {
            const [sku, qty] = line.split(/\t|;/);
            if (i > 0) {
                row = row.nextElementSibling || this._addRow();
            }
            row.querySelector(".o_b2b_qo_sku").value = (sku || "").trim();
            row.querySelector(".o_b2b_qo_qty").value = (qty || "").trim();
            delete row.dataset.only;
        });
        this._ensureSpareRow();
        this._price();
    },

    _onSkuBlur(ev) {
        const list = ev.target.closest("tr").querySelector(".o_b2b_qo_suggest");
        list.classList.add("d-none");
    },

    _onPickSuggestion(ev) {
        ev.preventDefault();
        const item = ev.target.closest(".list-group-item");
        const row = item.closest("tr");
        this._pick(row, item.dataset.sku);
        row.querySelector(".o_b2b_qo_qty").focus();
    },

    _pick(row, sku) {
        row.querySelector(".o_b2b_qo_sku").value = sku;
        delete row.dataset.only;
        row.querySelector(".o_b2b_qo_suggest").classList.add("d-none");
        this._ensureSpareRow();
        this._price();
    },

    _onOnlyAvailable(ev) {
        const button = ev.currentTarget;
        const row = button.closest("tr");
        const input = row.querySelector(".o_b2b_qo_qty");
        input.value = button.dataset.quantity;
        row.dataset.only = button.dataset.quantity;
        input.focus(); // the button goes away with the re-priced row: keep the keyboard on the row
        input.select();
        this._schedulePrice.cancel();
        this._price();
    },

    // ------------------------------------------------------------------ server
    async _suggest(input) {
        const row = input.closest("tr");
        const list = row.querySelector(".o_b2b_qo_suggest");
        const term = input.value.trim();
        let items = [];
        try {
            items = term.length >= 2 ? await rpc("/b2b/quick-order/suggest", { term }) : [];
        } catch {
            return; // suggestions are a convenience: typing the SKU still works
        }
        if (input.value.trim() !== term) {
            return; // typed on meanwhile
        }
        list.replaceChildren(
            ...items
                .filter((item) => item.sku.toUpperCase() !== term.toUpperCase())
                .map((item) => {
                    const el = document.createElement("a");
                    el.className = "list-group-item list-group-item-action py-1 small";
                    el.dataset.sku = item.sku;
                    el.textContent = `${item.sku} - ${item.name}${item.pack ? " (" + item.pack + ")" : ""}`;
                    return el;
                })
        );
        list.classList.toggle("d-none", !list.children.length || document.activeElement !== input);
    },

    async _price() {
        const seq = ++this.seq;
        const lines = this._lines();
        const draftId = this.el.dataset.draftId;
        let result = { rows: [], total: 0 };
        if (lines.length) {
            try {
                result = await rpc("/b2b/quick-order/price", {
                    lines,
                    target: this._target(),
                    order_id: draftId ? Number(draftId) : false,
                });
            } catch (error) {
                if (seq === this.seq && !this.leaving) {
                    this._showError(error.message || String(error));
                }
                return;
            }
        }
        if (seq !== this.seq) {
            return; // an older answer
        }
        const byKey = Object.fromEntries((result.rows || []).map((r) => [r.key, r]));
        for (const row of this._rows()) {
            this._showRow(row, byKey[row.dataset.key]);
        }
        this.el.querySelector(".o_b2b_qo_total").textContent = fmt(result.total);
        if (result.error) {
            this._showError(result.error);
        }
    },

    _showRow(row, data) {
        const cell = (name) => row.querySelector(name);
        row.classList.remove("table-danger", "table-warning");
        row.dataset.code = data ? data.code : "";
        if (!data) {
            for (const name of [".o_b2b_qo_name", ".o_b2b_qo_price", ".o_b2b_qo_subtotal", ".o_b2b_qo_msg"]) {
                cell(name).textContent = "";
            }
            return;
        }
        cell(".o_b2b_qo_name").textContent = data.name ? `${data.name}${data.pack ? " - " + data.pack : ""}` : "";
        const ok = !ERROR_CODES.includes(data.code);
        cell(".o_b2b_qo_price").textContent = ok ? fmt(data.unit_price) : "";
        cell(".o_b2b_qo_subtotal").textContent = ok ? fmt(data.subtotal) : "";
        const msg = cell(".o_b2b_qo_msg");
        msg.replaceChildren();
        if (!ok) {
            row.classList.add("table-danger");
            msg.textContent = data.message;
        } else if (data.code === "short_stock") {
            row.classList.add("table-warning");
            this._showShortStock(msg, data);
        } else {
            if (this._isOnlyAvailable(row)) {
                const only = document.createElement("span");
                only.className = "text-muted d-block o_b2b_qo_only_note";
                only.textContent = "What is available now, no backorder.";
                msg.appendChild(only);
            }
            if (data.hint) {
                const hint = document.createElement("span");
                hint.className = "text-success o_b2b_qo_hint";
                hint.textContent = `order ${data.hint.from_qty} for ${data.hint.pct} % off (${fmt(data.hint.price)} each)`;
                msg.appendChild(hint);
            }
        }
    },

    /**
     * The short-stock note of a row and, when the available quantity is a valid order on its
     * own (full packs, at least the minimum), the "Order only N" button.
     * ``data.available``: what this row may still get now (full packs; the draft's quantity of
     * the same product already served), computed by the server.
     */
    _showShortStock(msg, data) {
        let now = Math.max(0, Number(data.available || 0));
        if (data.multiple) {
            now = Math.floor(now / data.multiple + 1e-9) * data.multiple;
        }
        const later = Number(data.quantity) - now;
        const note = document.createElement("span");
        note.className = "o_b2b_qo_short";
        msg.appendChild(note);
        if (now <= 0) {
            note.textContent = `None available now: all ${fmtQty(data.quantity)} would follow as a backorder.`;
            return;
        }
        if (data.min_qty && now < data.min_qty - 1e-9) {
            note.textContent =
                `Only ${fmtQty(now)} available now, below the minimum order of ${fmtQty(data.min_qty)}: ` +
                `${fmtQty(later)} would follow as a backorder.`;
            return;
        }
        note.textContent = `Only ${fmtQty(now)} available now: ${fmtQty(later)} would follow as a backorder. `;
        const button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-sm btn-outline-secondary ms-1 o_b2b_qo_only";
        button.dataset.quantity = fmtQty(now);
        button.textContent = `Order only ${fmtQty(now)}`;
        msg.appendChild(button);
    },

    _showError(message) {
        const box = this.el.querySelector(".o_b2b_qo_submit_error");
        box.textContent = message || "";
        box.classList.toggle("d-none", !message);
    },

    async _onSubmit(ev) {
        const button = ev.currentTarget;
        this._schedulePrice.cancel();
        this._showError("");
        button.disabled = true;
        const draftId = this.el.dataset.draftId;
        try {
            const result = await rpc("/b2b/quick-order/submit", {
                lines: this._lines(),
                target: this._target(),
                order_id: draftId ? Number(draftId) : false,
                commitment_date: this.el.querySelector("input[name=commitment_date]").value || false,
                shipping_id: this.el.querySelector("select[name=shipping_id]").value || false,
                client_ref: this.el.querySelector("input[name=client_ref]").value || false,
                only_available: this._onlyAvailableKeys(),
            });
            if (result.error) {
                this._showError(result.error);
            } else {
                this.leaving = true;
                this.seq++; // answers still in flight are for a page being left
                window.location.href = result.url;
            }
        } finally {
            button.disabled = false;
        }
    },
});

export default publicWidget.registry.B2bQuickOrder;
