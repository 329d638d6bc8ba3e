# Executed by `make demo` inside `odoo-bin shell` (variables: env) once the collar history is
# stored: scores the herd on the whole history, as the daily cron does. The IoT ingestor's
# calls while the history was arriving saw only part of it ("insufficient data").
try:
    s = env["dairy.animal"]._cron_ml_score()  # noqa: F821 - provided by odoo shell
    env.cr.commit()  # noqa: F821
    print(
        f"scored {s['scored']} animals: {s['ok']} ok, {s['insufficient_data']} with "
        f"insufficient data; alerts {s['alerts']}"
    )
except Exception as err:  # noqa: BLE001 - the demo runs on; the daily cron scores again
    env.cr.rollback()  # noqa: F821
    print(f"scoring the herd failed ({err}); the daily cron or `make ml-train` scores it")
