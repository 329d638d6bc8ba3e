# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Smart Dairy B2B",
    "summary": "B2B partners: registration with staged approval, tiers, tier pricelists with "
    "visible quantity breaks, multi-user partner accounts with roles, portal catalog",
    "version": "18.0.1.0.0",
    "category": "Smart Dairy",
    "website": "https://github.com/smart-dairy/smart-dairy-erp",
    "author": "Smart Dairy ERP contributors",
    "license": "AGPL-3",
    "depends": [
        "smart_dairy_base",
        "l10n_bd_smart",
        "website",
        "portal",
        "sale_stock",
        "base_tier_validation",
    ],
    "data": [
        "security/b2b_security.xml",
        "security/ir.model.access.csv",
        "data/b2b_document_type_data.xml",
        "data/b2b_tier_data.xml",
        "data/b2b_tier_definition_data.xml",
        "data/b2b_mail_template_data.xml",
        "data/b2b_config_data.xml",
        "wizards/b2b_application_action_wizard_views.xml",
        "wizards/b2b_tier_change_wizard_views.xml",
        "views/b2b_tier_views.xml",
        "views/b2b_application_views.xml",
        "views/res_partner_views.xml",
        "views/product_views.xml",
        "views/res_users_views.xml",
        "views/b2b_menus.xml",
        "views/b2b_registration_templates.xml",
        "views/b2b_portal_templates.xml",
    ],
    "demo": ["demo/b2b_demo.xml"],
    "assets": {
        "web.assets_frontend": [
            "smart_dairy_b2b/static/src/scss/b2b_portal.scss",
        ],
        "web.assets_tests": [
            "smart_dairy_b2b/static/tests/tours/*.js",
        ],
    },
    "application": False,
    "installable": True,
}
