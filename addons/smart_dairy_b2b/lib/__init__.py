# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Business rules of the B2B module as plain Python (no Odoo import, no database)."""
