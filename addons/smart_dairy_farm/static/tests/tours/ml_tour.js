/** @odoo-module **/
import { registry } from "@web/core/registry";

// A farm operator opens a scored cow, goes to the ML tab and sees the yield chart
// (actual, fitted curve, forecast), the latest score and the least-cost ration.
// ("Score now" is not clicked here: the tour would end while that request still runs.)
registry.category("web_tour.tours").add("smart_dairy_farm_ml_tour", {
    steps: () => [
        {
            content: "The cow's form is open",
            trigger: ".o_form_view .o_field_widget[name=visual_tag]",
        },
        {
            content: "Open the ML tab",
            trigger: ".o_notebook .nav-link:contains(ML: forecast and ration)",
            run: "click",
        },
        {
            content: "The yield chart is drawn (Chart.js canvas)",
            trigger: ".o_dairy_ml_yield_chart canvas",
        },
        {
            content: "The latest score shows the 7-day forecast",
            trigger: ".o_field_widget[name=ml_forecast_day7_kg]:not(:contains(0.00))",
        },
        {
            content: "The least-cost ration table is shown",
            trigger: ".o_field_widget[name=ml_ration_html] table.o_dairy_ml_ration tbody tr",
        },
    ],
});
