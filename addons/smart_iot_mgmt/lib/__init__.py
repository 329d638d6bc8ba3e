# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pure-Python helpers of smart_iot_mgmt (no Odoo import): testable on their own."""
