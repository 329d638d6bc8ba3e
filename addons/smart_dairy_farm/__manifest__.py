# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Smart Dairy Farm",
    "summary": "Herd registry, lactations, milk recording, health, breeding and attention "
    "events: the farm's system of record",
    "version": "18.0.1.0.0",
    "category": "Smart Dairy",
    "website": "https://github.com/smart-dairy/smart-dairy-erp",
    "author": "Smart Dairy ERP contributors",
    "license": "LGPL-3",
    "depends": ["smart_dairy_base", "product"],
    "data": [
        "security/ir.model.access.csv",
        "security/farm_security.xml",
        "security/dairy_ml_security.xml",
        "data/farm_data.xml",
        "data/dairy_ml_cron.xml",
        "views/dairy_config_views.xml",
        "views/dairy_animal_views.xml",
        "views/dairy_lactation_views.xml",
        "views/dairy_milk_views.xml",
        "views/dairy_health_views.xml",
        "views/dairy_breeding_views.xml",
        "views/dairy_attention_views.xml",
        "wizards/dairy_milking_session_views.xml",
        "wizards/dairy_herd_kpi_views.xml",
        "views/farm_menus.xml",
        "views/dairy_ml_views.xml",
        "views/dairy_ml_menus.xml",
    ],
    "demo": ["demo/farm_demo.xml"],
    "external_dependencies": {"python": ["smart_dairy_ml"]},
    "assets": {
        "web.assets_backend": [
            "smart_dairy_farm/static/src/ml/*",
        ],
        "web.assets_tests": [
            "smart_dairy_farm/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
