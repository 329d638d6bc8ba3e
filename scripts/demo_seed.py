# Executed by `make demo` inside `odoo-bin shell` (variables: env). Every seed is
# idempotent: it returns at once when its data is already there.
# Each entry: (model, method, kwargs). Models of modules that are not installed are skipped.
SEEDS = [
    ("dairy.animal", "seed_demo_herd", {"n_cows": 255, "days": 730, "seed": 42}),
    ("iot.device", "seed_demo_devices", {}),  # collars for the whole seeded herd
    ("res.partner", "b2b_seed_demo", {"n_partners": 120, "seed": 42}),
    # after the credit demo's open invoices: today's due reminders as drafts, one sent
    ("res.partner", "_b2b_seed_collections_demo", {}),
]
for model, method, kwargs in SEEDS:
    if model in env and hasattr(env[model], method):  # noqa: F821 - provided by odoo shell
        print(f"seeding {model}.{method}({kwargs})")
        getattr(env[model], method)(**kwargs)  # noqa: F821
        env.cr.commit()  # noqa: F821
