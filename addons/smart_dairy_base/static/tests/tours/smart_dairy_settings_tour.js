/** @odoo-module **/
import { registry } from "@web/core/registry";

// Opens the Smart Dairy settings as an administrator, changes the farm code and
// saves. The Python side checks that the value reached ir.config_parameter.
registry.category("web_tour.tours").add("smart_dairy_settings_tour", {
    url: "/odoo/smart-dairy-settings",
    steps: () => [
        {
            content: "The Smart Dairy settings app is shown",
            trigger: ".app_settings_block[data-key='smart_dairy_base']",
        },
        {
            content: "Change the farm code",
            trigger: ".o_smart_dairy_farm_code input",
            run: "edit tour-farm",
        },
        {
            content: "Save the settings",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The page reloads with the saved value",
            trigger: ".o_smart_dairy_farm_code input:value(tour-farm)",
        },
        {
            content: "and nothing is left unsaved",
            trigger: "body:not(:has(.o_form_button_save))",
        },
    ],
});
