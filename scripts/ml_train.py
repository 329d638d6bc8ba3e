# Executed by `make ml-train` inside `odoo-bin shell` (variables: env). Trains the herd
# models and makes them the active bundle, then scores the herd once so the animal forms
# and attention events reflect the new models.
#   ML_SOURCE=sim   heat, health and forecast trained on the package's herd simulator
#   ML_SOURCE=db    forecast trained on this database's milk records (heat/health taken
#                   over from the active bundle, see dairy.ml.model.train_from_database)
#   ML_SOURCE=both  (default) sim first, then db
import os

source = os.environ.get("ML_SOURCE", "both")
if source not in ("sim", "db", "both"):
    raise SystemExit(f"ML_SOURCE must be sim, db or both, not {source!r}")
Model = env["dairy.ml.model"]  # noqa: F821 - provided by odoo shell
if source in ("sim", "both"):
    rec = Model.browse(Model.train_from_simulator(activate=True))
    print(f"trained on the simulator: {rec.display_name} (id {rec.id})")
    env.cr.commit()  # noqa: F821
if source in ("db", "both"):
    rec = Model.browse(Model.train_from_database(activate=True))
    print(f"trained on the database: {rec.display_name} (id {rec.id})")
    env.cr.commit()  # noqa: F821
active = Model.get_active()
print(f"active bundle: {active.display_name if active else 'none'}")
cows = env["dairy.animal"].search([("active", "=", True)])  # noqa: F821
result = env["dairy.animal"].score_animals(cows.ids)  # noqa: F821
env.cr.commit()  # noqa: F821
print(
    "scored {scored} animals in {seconds:.1f} s: {ok} ok, {insufficient_data} with "
    "insufficient data, alerts {alerts}".format(**result)
)
