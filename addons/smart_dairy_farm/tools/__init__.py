# Pure-Python helpers (no Odoo imports): importable and testable without a database.
