# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bangladeshi identifiers as plain functions (no database, no Odoo needed).

* BIN - Business Identification Number of the NBR VAT system: 13 digits, printed ``9-4``
  (``000123456-0101``: 9-digit registration number, 4-digit branch/unit code).
* e-TIN - electronic Taxpayer Identification Number: 12 digits.
* Phone numbers - normalised to E.164 ``+880`` followed by the national significant number:
  mobiles ``1[3-9]`` + 8 digits, landlines an area code starting with 2-9 (Dhaka ``2``) and a
  subscriber number, 7 to 10 digits in all.

Every ``normalize_*`` function returns the canonical form or raises ``ValueError`` with a
message a user understands; ``is_valid_*`` wrap them for boolean checks.
"""

import re

__all__ = [
    "format_bin",
    "is_valid_bin",
    "is_valid_etin",
    "is_valid_phone",
    "normalize_bin",
    "normalize_etin",
    "normalize_phone",
    "normalize_postcode",
]

_SEPARATORS = re.compile(r"[\s\-./()]+")
_MOBILE_NSN = re.compile(r"^1[3-9]\d{8}$")
_LANDLINE_NSN = re.compile(r"^[2-9]\d{6,9}$")
_POSTCODE = re.compile(r"^\d{4}$")


def _digits_only(value, label):
    if value is None or not str(value).strip():
        raise ValueError(f"{label} is empty.")
    compact = _SEPARATORS.sub("", str(value).strip())
    if not compact.isdigit():
        raise ValueError(f"{label} may contain only digits (got {value!r}).")
    return compact


def normalize_bin(value):
    """Return the 13 digits of a BIN given with or without the ``9-4`` separator."""
    digits = _digits_only(value, "BIN")
    if len(digits) != 13:
        raise ValueError(f"A BIN has 13 digits (printed 9-4, e.g. 000123456-0101); got {value!r}.")
    if int(digits[:9]) == 0:
        raise ValueError(f"BIN {value!r} has no registration number (first 9 digits are zero).")
    return digits


def format_bin(value):
    """Print a BIN the NBR way: ``123456789-0101``."""
    digits = normalize_bin(value)
    return f"{digits[:9]}-{digits[9:]}"


def normalize_etin(value):
    """Return the 12 digits of an e-TIN."""
    digits = _digits_only(value, "e-TIN")
    if len(digits) != 12:
        raise ValueError(f"An e-TIN has 12 digits; got {value!r}.")
    if int(digits) == 0:
        raise ValueError("An e-TIN cannot be all zeros.")
    return digits


def normalize_phone(value):
    """Normalise a Bangladeshi phone number to ``+880...`` (E.164, no spaces).

    Accepted input: ``01712-345678``, ``+880 1712 345678``, ``8801712345678``,
    ``00880 1712345678``, ``02-9876543`` (Dhaka landline), ``(031) 2345678``...
    """
    if value is None or not str(value).strip():
        raise ValueError("Phone number is empty.")
    raw = str(value).strip()
    plus = raw.startswith("+")
    digits = _SEPARATORS.sub("", raw.lstrip("+"))
    if not digits.isdigit():
        raise ValueError(f"Phone number {value!r} contains characters other than digits.")
    if plus:
        if not digits.startswith("880"):
            raise ValueError(f"Only Bangladeshi numbers (+880) are accepted; got {value!r}.")
        nsn = digits[3:]
    elif digits.startswith("00880"):
        nsn = digits[5:]
    elif digits.startswith("880") and len(digits) >= 11:
        nsn = digits[3:]
    elif digits.startswith("0"):
        nsn = digits[1:]
    else:
        nsn = digits
    # "+880 0171..." is a common mistake: the trunk 0 must go after the country code.
    if nsn.startswith("0"):
        nsn = nsn[1:]
    if _MOBILE_NSN.match(nsn) or (not nsn.startswith("1") and _LANDLINE_NSN.match(nsn)):
        return "+880" + nsn
    raise ValueError(
        f"{value!r} is not a Bangladeshi phone number (mobile 01XXXXXXXXX with operator "
        "digit 3-9, or landline with area code, e.g. 02-9876543)."
    )


def normalize_postcode(value):
    """Bangladeshi post codes have 4 digits (Dhaka GPO 1000)."""
    code = str(value or "").strip()
    if not _POSTCODE.match(code):
        raise ValueError(f"A Bangladeshi post code has 4 digits; got {value!r}.")
    return code


def _valid(func, value):
    try:
        func(value)
    except ValueError:
        return False
    return True


def is_valid_bin(value):
    return _valid(normalize_bin, value)


def is_valid_etin(value):
    return _valid(normalize_etin, value)


def is_valid_phone(value):
    return _valid(normalize_phone, value)
