# Executed by `make demo` inside `odoo-bin shell`: give the ingestor's technical user a fresh
# API key (earlier demo keys deleted) and print it on the last line. Prints nothing when
# smart_iot_mgmt is not installed.
if "iot.device" in env:  # noqa: F821 - provided by odoo shell
    user = env.ref("smart_iot_mgmt.user_iot_ingestor")  # noqa: F821
    # sudo: the shell runs as the superuser; old demo keys of the technical user go away
    env["res.users.apikeys"].sudo().search(  # noqa: F821
        [("user_id", "=", user.id), ("name", "=", "make demo")]
    ).unlink()
    print(env["iot.device"].sudo().create_ingestor_api_key(name="make demo"))  # noqa: F821
    env.cr.commit()  # noqa: F821
