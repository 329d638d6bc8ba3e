# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Smart Dairy Base",
    "summary": "Smart Dairy ERP foundation: root menu, security groups, suite settings, "
    "alert lifecycle mixin",
    "version": "18.0.1.0.0",
    "category": "Smart Dairy",
    "website": "https://github.com/smart-dairy/smart-dairy-erp",
    "author": "Smart Dairy ERP contributors",
    "license": "LGPL-3",
    "depends": ["base_setup", "mail"],
    "data": [
        "security/smart_dairy_security.xml",
        "views/smart_dairy_menus.xml",
        "views/res_config_settings_views.xml",
    ],
    "demo": ["data/smart_dairy_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "smart_dairy_base/static/tests/tours/*.js",
        ],
    },
    "application": True,
    "installable": True,
}
