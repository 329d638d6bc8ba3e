/** @odoo-module **/
import { registry } from "@web/core/registry";
import { rpc } from "@web/core/network/rpc";

const BARN = ".o_iot_barn[data-barn='TOUR']";
const TEMP = `${BARN} .o_iot_metric[data-metric='temperature_c']`;

async function call(model, method, args) {
    return rpc(`/web/dataset/call_kw/${model}/${method}`, { model, method, args, kwargs: {} });
}

// The live dashboard shows a barn without a temperature; a reading is then committed through
// the REST ingestion API (same storage as the MQTT ingestor) and the tile must show it on its
// own, by the dashboard's polling, within the step timeout.
registry.category("web_tour.tours").add("smart_iot_dashboard_tour", {
    url: "/odoo/iot-live",
    steps: () => [
        {
            content: "The test barn is on the dashboard, with no temperature yet",
            trigger: `${TEMP}[data-has-value='0']`,
        },
        {
            content: "Its open alert is listed",
            trigger: `${BARN} .o_iot_alert:contains(Tour heat alert)`,
        },
        {
            content: "Commit a reading through the REST API",
            trigger: `${BARN} .o_iot_alert_count:contains(1)`,
            run: async () => {
                const ids = await call("iot.device", "search", [[["code", "=", "ENV-TOUR"]]]);
                const key = await call("iot.device", "generate_api_key", [ids]);
                const response = await fetch("/api/v1/iot/sensor-reading", {
                    method: "POST",
                    headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
                    body: JSON.stringify({
                        type: "temperature",
                        device_id: "ENV-TOUR",
                        barn: "TOUR",
                        timestamp: new Date().toISOString(),
                        value: 31.7,
                    }),
                });
                if (response.status !== 201) {
                    throw new Error(`REST ingestion answered ${response.status}`);
                }
            },
        },
        {
            content: "The dashboard shows the new reading without a reload",
            trigger: `${TEMP}[data-has-value='1'] .o_iot_value:contains(31.7)`,
        },
        {
            content: "and its 24 h chart",
            trigger: `${BARN} .o_iot_chart[data-metric='temperature_c'] svg`,
        },
    ],
});
