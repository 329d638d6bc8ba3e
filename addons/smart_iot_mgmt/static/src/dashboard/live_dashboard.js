/** @odoo-module **/
import { Component, onMounted, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

const METRICS = [
    { key: "temperature_c", label: "Temperature", unit: "°C" },
    { key: "humidity_pct", label: "Humidity", unit: "%" },
    { key: "ammonia_ppm", label: "Ammonia", unit: "ppm" },
];
const CHART_W = 240;
const CHART_H = 56;

/**
 * Live farm dashboard: per barn the latest climate readings, THI, open alerts, device
 * freshness and a 24 h chart. Polls `iot.dashboard.get_data` every `refresh_s` seconds
 * (2 s by default), so a reading committed by the ingestor shows within a few seconds.
 */
export class IotLiveDashboard extends Component {
    static template = "smart_iot_mgmt.LiveDashboard";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.metrics = METRICS;
        this.state = useState({ data: null, error: null, refreshedAt: null, loads: 0 });
        this.timer = null;
        this.alive = true;
        onWillStart(() => this.load());
        onMounted(() => this.schedule());
        onWillUnmount(() => {
            this.alive = false;
            clearTimeout(this.timer);
        });
    }

    async load() {
        try {
            const data = await this.orm.call("iot.dashboard", "get_data", []);
            this.state.data = data;
            this.state.error = null;
            this.state.refreshedAt = new Date().toLocaleTimeString();
            this.state.loads++;
        } catch (error) {
            this.state.error = (error && error.message) || String(error);
        }
    }

    schedule() {
        if (!this.alive) {
            return;
        }
        const seconds = (this.state.data && this.state.data.refresh_s) || 2;
        this.timer = setTimeout(async () => {
            await this.load();
            this.schedule();
        }, seconds * 1000);
    }

    formatValue(entry) {
        if (!entry) {
            return "–";
        }
        return Number(entry.value).toFixed(1);
    }

    ageLabel(entry) {
        if (!entry) {
            return "no data in 24 h";
        }
        const s = Math.max(0, entry.age_s);
        if (s < 90) {
            return `${s} s ago`;
        }
        if (s < 5400) {
            return `${Math.round(s / 60)} min ago`;
        }
        return `${Math.round(s / 3600)} h ago`;
    }

    chartPoints(points) {
        if (!points || points.length < 1) {
            return "";
        }
        const now = Date.now();
        const t0 = now - 24 * 3600 * 1000;
        const values = points.map((p) => p[1]);
        let lo = Math.min(...values);
        let hi = Math.max(...values);
        if (hi - lo < 1e-6) {
            lo -= 1;
            hi += 1;
        }
        return points
            .map(([t, v]) => {
                const x = Math.max(0, Math.min(1, (t - t0) / (now - t0))) * CHART_W;
                const y = CHART_H - 4 - ((v - lo) / (hi - lo)) * (CHART_H - 8);
                return `${x.toFixed(1)},${y.toFixed(1)}`;
            })
            .join(" ");
    }

    chartRange(points) {
        if (!points || !points.length) {
            return "";
        }
        const values = points.map((p) => p[1]);
        return `${Math.min(...values).toFixed(1)} – ${Math.max(...values).toFixed(1)}`;
    }

    freshnessList(barn) {
        const labels = {
            activity_collar: "Collars",
            environment: "Climate",
            milk_meter: "Milk meters",
            rfid_reader: "RFID",
        };
        return Object.entries(barn.freshness || {}).map(([type, c]) => ({
            type,
            label: labels[type] || type,
            ...c,
        }));
    }

    openAlert(alertId) {
        this.actionService.doAction({
            type: "ir.actions.act_window",
            res_model: "iot.alert",
            res_id: alertId,
            views: [[false, "form"]],
        });
    }

    openAlerts() {
        this.actionService.doAction("smart_iot_mgmt.action_iot_alert");
    }
}

registry.category("actions").add("smart_iot_mgmt.live_dashboard", IotLiveDashboard);
