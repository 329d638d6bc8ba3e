/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// Internal approval of a B2B order in the backend (OCA base_tier_validation on sale.order):
// the sales manager validates his level, the credit manager validates hers and confirms.
// Python (tests/test_ordering_tours.py) opens the order's form and checks the database.
import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

tours.add("smart_dairy_b2b_internal_validate_tour", {
    steps: () => [
        {
            content: "the order waits for my validation",
            trigger: ".o_form_view .alert-warning button[name='validate_tier']",
            run: "click",
        },
        {
            content: "my level is done: nothing is left for me to validate",
            trigger: ".o_form_view:not(:has(button[name='validate_tier']))",
        },
    ],
});

tours.add("smart_dairy_b2b_internal_validate_confirm_tour", {
    steps: () => [
        {
            content: "the last level waits for me",
            trigger: ".o_form_view .alert-warning button[name='validate_tier']",
            run: "click",
        },
        {
            content: "the order is validated",
            trigger: ".o_form_view .alert-success:contains('validated')",
        },
        {
            content: "confirm the order",
            trigger: ".o_form_view .o_form_statusbar button[name='action_confirm']",
            run: "click",
        },
        {
            content: "it is a sales order now",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value='sale']",
        },
    ],
});
