# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Bangladesh - Smart Dairy localisation",
    "summary": "Bangladeshi identifiers (BIN 9-4, e-TIN), +880 phone normalisation, "
    "division / district / upazila geography",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations",
    "website": "https://github.com/smart-dairy/smart-dairy-erp",
    "author": "Smart Dairy ERP contributors",
    "license": "LGPL-3",
    "depends": ["l10n_bd", "smart_dairy_base"],
    "data": [
        "security/ir.model.access.csv",
        "data/l10n_bd_smart.district.csv",
        "data/l10n_bd_smart.upazila.csv",
        "views/bd_geography_views.xml",
        "views/res_partner_views.xml",
    ],
    "installable": True,
}
