/** @odoo-module **/
// "Become a partner" form: any number of delivery locations, upazilas filtered by district.
// Without JavaScript the form still works with the first location (and the server keeps and
// re-renders every block it received).
import publicWidget from "@web/legacy/js/public/public_widget";

const INDEXED = /^delivery_\d+_/;

export function filterUpazilas(root, districtSelect) {
    const upazila = root.querySelector(`select[name="${districtSelect.dataset.upazila}"]`);
    if (!upazila) {
        return;
    }
    const district = districtSelect.value;
    for (const option of upazila.options) {
        if (!option.value) {
            continue;
        }
        const visible = !district || option.dataset.district === district;
        option.hidden = !visible;
        option.disabled = !visible;
    }
    if (upazila.selectedOptions[0] && upazila.selectedOptions[0].disabled) {
        upazila.value = "";
    }
}

publicWidget.registry.SmartDairyB2bRegister = publicWidget.Widget.extend({
    selector: ".o_b2b_register_form, .o_b2b_location_form",
    events: {
        "change select.o_b2b_district": "_onDistrictChange",
        "click .o_b2b_add_location": "_onAddLocation",
        "click .o_b2b_remove_location": "_onRemoveLocation",
    },

    start() {
        for (const select of this.el.querySelectorAll("select.o_b2b_district")) {
            filterUpazilas(this.el, select);
        }
        this._refresh();
        return this._super(...arguments);
    },

    _blocks() {
        return [...this.el.querySelectorAll(".o_b2b_delivery_block")];
    },

    _refresh() {
        const blocks = this._blocks();
        const container = this.el.querySelector(".o_b2b_delivery_blocks");
        const max = Number(container?.dataset.max || 20);
        blocks.forEach((block, position) => {
            block.querySelector(".o_b2b_location_title").textContent =
                `Delivery location ${position + 1}`;
            block
                .querySelector(".o_b2b_remove_location")
                .classList.toggle("d-none", blocks.length === 1);
        });
        const add = this.el.querySelector(".o_b2b_add_location");
        if (add) {
            add.classList.toggle("d-none", blocks.length >= max);
        }
    },

    _onDistrictChange(ev) {
        filterUpazilas(this.el, ev.currentTarget);
    },

    _onAddLocation() {
        const blocks = this._blocks();
        const last = blocks[blocks.length - 1];
        const next = Math.max(...blocks.map((b) => Number(b.dataset.index))) + 1;
        const clone = last.cloneNode(true);
        clone.dataset.index = String(next);
        for (const el of clone.querySelectorAll("[name], [id], [for], [data-upazila]")) {
            for (const attr of ["name", "id", "for", "data-upazila"]) {
                const value = el.getAttribute(attr);
                if (value && INDEXED.test(value)) {
                    el.setAttribute(attr, value.replace(INDEXED, `delivery_${next}_`));
                }
            }
            if (el.tagName === "INPUT" || el.tagName === "SELECT") {
                el.value = "";
            }
        }
        last.after(clone);
        const district = clone.querySelector("select.o_b2b_district");
        if (district) {
            filterUpazilas(this.el, district);
        }
        this._refresh();
        clone.querySelector("input")?.focus();
    },

    _onRemoveLocation(ev) {
        if (this._blocks().length > 1) {
            ev.currentTarget.closest(".o_b2b_delivery_block").remove();
            this._refresh();
        }
    },
});

export default publicWidget.registry.SmartDairyB2bRegister;
