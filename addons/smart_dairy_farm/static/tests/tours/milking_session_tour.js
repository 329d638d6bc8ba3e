/** @odoo-module **/
import { registry } from "@web/core/registry";

// A milker records the AM milking of a barn in the session grid using the keyboard:
// type the litres, Enter goes to the next cow. The Python test checks the records.
const grid = ".o_field_widget[name=line_ids]";
const yieldInput = `${grid} .o_data_row.o_selected_row td[name=yield_l] input`;

registry.category("web_tour.tours").add("smart_dairy_farm_milking_session_tour", {
    url: "/odoo/action-smart_dairy_farm.action_dairy_milking_session",
    steps: () => [
        // the milking first: the default follows the clock (PM after noon), and changing it
        // once the grid is filled would refill the grid under the first click
        {
            content: "Morning milking",
            trigger: ".o_field_widget[name=session] input[data-value=am]",
            run: "click",
        },
        {
            content: "Morning milking is chosen",
            trigger: ".o_field_widget[name=session] input[data-value=am]:checked",
        },
        {
            content: "Choose the barn",
            trigger: ".o_field_widget[name=barn_id] input",
            run: "edit Tour barn",
        },
        {
            content: "Pick it in the dropdown",
            trigger: ".o-autocomplete--dropdown-item a:contains('Tour barn')",
            run: "click",
        },
        {
            content: "The grid lists the three cows in milk",
            trigger: `${grid} .o_data_row:nth-child(3) td[name=animal_id]:contains('TOUR-3')`,
        },
        {
            content: "Start on the first cow's yield",
            trigger: `${grid} .o_data_row:nth-child(1) td[name=yield_l]`,
            run: "click",
        },
        {
            content: "Type the first cow's litres",
            trigger: yieldInput,
            run: "edit 8",
        },
        {
            content: "Enter moves to the next cow",
            trigger: yieldInput,
            run: "press Enter",
        },
        {
            content: "Second cow",
            trigger: `${grid} .o_data_row:nth-child(2).o_selected_row td[name=yield_l] input`,
            run: "edit 7.25",
        },
        {
            trigger: yieldInput,
            run: "press Enter",
        },
        {
            content: "The session total follows the grid",
            trigger: ".o_field_widget[name=cows_entered]:contains(2)",
        },
        {
            content: "Third cow",
            trigger: `${grid} .o_data_row:nth-child(3).o_selected_row td[name=yield_l] input`,
            run: "edit 6.5",
        },
        {
            content: "Save the session",
            trigger: "button[name=action_save]",
            run: "click",
        },
        {
            content: "The saved milk records are shown",
            trigger: ".o_list_view .o_data_row:nth-child(3)",
        },
        {
            content: "with the session total",
            trigger: ".o_list_footer td:contains(21.75)",
        },
    ],
});
