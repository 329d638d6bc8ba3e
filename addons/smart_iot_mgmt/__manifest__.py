# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Smart Dairy IoT Management",
    "summary": "IoT device registry, alert rules and alerts, ingestor XML-RPC contract, "
    "REST ingestion API, time-series rollups and the live farm dashboard",
    "version": "18.0.1.0.0",
    "category": "Smart Dairy",
    "website": "https://github.com/smart-dairy/smart-dairy-erp",
    "author": "Smart Dairy ERP contributors",
    "license": "LGPL-3",
    "depends": ["smart_dairy_farm", "mail", "bus", "fastapi"],
    "external_dependencies": {"python": ["iot_ingestor", "psycopg2"]},
    "data": [
        "security/iot_security.xml",
        "security/ir.model.access.csv",
        "data/iot_data.xml",
        "data/ir_cron.xml",
        "data/fastapi_endpoint.xml",
        "views/iot_alert_views.xml",
        "views/iot_device_views.xml",
        "views/iot_alert_rule_views.xml",
        "views/iot_rollup_views.xml",
        "views/iot_sms_views.xml",
        "views/dairy_animal_views.xml",
        "views/iot_dashboard_action.xml",
        "wizards/iot_api_key_wizard_views.xml",
        "views/iot_menus.xml",
    ],
    "demo": ["demo/iot_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "smart_iot_mgmt/static/src/dashboard/*",
        ],
        "web.assets_tests": [
            "smart_iot_mgmt/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
