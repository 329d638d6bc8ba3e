/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { Component, onMounted, onPatched, onWillStart, onWillUnmount, useRef } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/**
 * Daily yield of the current lactation: actual, fitted lactation curve and the 7-day
 * forecast of the latest ML score. Reads the JSON of dairy.animal.ml_chart_data
 * ({labels, actual, fitted, forecast, curve, note}); Chart.js comes from web.chartjs_lib.
 */
export class DairyMlYieldChart extends Component {
    static template = "smart_dairy_farm.DairyMlYieldChart";
    static props = { ...standardFieldProps };

    setup() {
        this.canvasRef = useRef("canvas");
        this.chart = null;
        onWillStart(() => loadBundle("web.chartjs_lib"));
        onMounted(() => this.renderChart());
        onPatched(() => this.renderChart());
        onWillUnmount(() => this.chart?.destroy());
    }

    get data() {
        return this.props.record.data[this.props.name] || {};
    }

    get hasData() {
        return Boolean(this.data.labels && this.data.labels.length);
    }

    renderChart() {
        this.chart?.destroy();
        this.chart = null;
        if (!this.canvasRef.el || !this.hasData) {
            return;
        }
        const d = this.data;
        const curve = d.curve ? ` (${d.curve})` : "";
        this.chart = new window.Chart(this.canvasRef.el, {
            type: "line",
            data: {
                labels: d.labels,
                datasets: [
                    {
                        label: _t("Actual"),
                        data: d.actual,
                        borderColor: "#1f77b4",
                        backgroundColor: "#1f77b4",
                        pointRadius: 1.5,
                        borderWidth: 1,
                        spanGaps: false,
                    },
                    {
                        label: _t("Fitted curve") + curve,
                        data: d.fitted,
                        borderColor: "#7f7f7f",
                        pointRadius: 0,
                        borderWidth: 2,
                    },
                    {
                        label: _t("Forecast"),
                        data: d.forecast,
                        borderColor: "#d62728",
                        backgroundColor: "#d62728",
                        borderDash: [6, 3],
                        pointRadius: 2.5,
                        borderWidth: 2,
                    },
                ],
            },
            options: {
                animation: false,
                maintainAspectRatio: false,
                interaction: { mode: "index", intersect: false },
                scales: {
                    y: { title: { display: true, text: _t("kg / day") }, beginAtZero: true },
                },
            },
        });
    }
}

export const dairyMlYieldChart = {
    component: DairyMlYieldChart,
    supportedTypes: ["json"],
};

registry.category("fields").add("dairy_ml_yield_chart", dairyMlYieldChart);
