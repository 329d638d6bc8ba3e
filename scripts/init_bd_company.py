# Executed inside `odoo-bin shell` on a database that has only `base` installed (see
# scripts/lib.sh init_bd_db): the main company becomes the Bangladeshi dairy company -
# country Bangladesh, currency BDT, admin in Asia/Dhaka - BEFORE `account` is installed.
# This is what Odoo's database manager does when a database is created with a country;
# once accounting has journal items (the account demo posts some at install) core refuses
# to change the company currency, and prices would be converted from USD (৳50 -> ৳50.30).
company = env.ref("base.main_company")  # noqa: F821 - provided by odoo shell
bangladesh = env.ref("base.bd")  # noqa: F821
bdt = env.ref("base.BDT")  # noqa: F821
bdt.active = True
company.write({"country_id": bangladesh.id, "currency_id": bdt.id})
env.ref("base.user_admin").tz = "Asia/Dhaka"  # noqa: F821
env.cr.commit()  # noqa: F821
print(f"company {company.name}: {company.country_id.code}, {company.currency_id.name}")
