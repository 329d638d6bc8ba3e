# Executed by `make demo` inside `odoo-bin shell`: give the ingestor's technical user a fresh
# API key (older demo keys revoked) and print it on the last line. Nothing is printed when
# smart_iot_mgmt is not installed.
user = env.ref("smart_iot_mgmt.user_iot_ingestor", raise_if_not_found=False)  # noqa: F821
if user:
    keys = env["res.users.apikeys"].sudo()  # noqa: F821 - demo bootstrap runs as superuser
    keys.search([("user_id", "=", user.id), ("name", "=", "make demo")]).unlink()
    # sudo: creating a persistent key for a technical user is an administrator's act
    print(keys.with_user(user).sudo()._generate(None, "make demo", False))
    env.cr.commit()  # noqa: F821
