/** @odoo-module **/
import { registry } from "@web/core/registry";

// A viewer finds a cow in the herd kanban, opens her card and sees the withdrawal
// ribbon and her lactation; then looks at the milk pivot.
registry.category("web_tour.tours").add("smart_dairy_farm_herd_tour", {
    url: "/odoo/dairy-herd",
    steps: () => [
        {
            content: "Herd list is shown",
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "Switch to the kanban",
            trigger: ".o_switch_view.o_kanban",
            run: "click",
        },
        {
            content: "Search the cow",
            trigger: ".o_kanban_view .o_searchview_input",
            run: "edit TOURH-1",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Her card shows the withdrawal badge",
            trigger: ".o_kanban_record:contains(TOURH-1):contains(Withdrawal)",
            run: "click",
        },
        {
            content: "The form shows the ribbon and the open lactation",
            trigger: ".o_form_view .ribbon:contains(Withdrawal)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=lactation_ids] .o_data_row",
        },
        {
            content: "Open her milk records",
            trigger: "button[name=action_view_milk]",
            run: "click",
        },
        {
            content: "One milking recorded",
            trigger: ".o_list_view .o_data_row td:contains(9.50)",
        },
    ],
});
