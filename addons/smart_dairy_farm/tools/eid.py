# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""ISO 11784 animal identification numbers (EID), pure Python.

An EID is written as 15 decimal digits: a 3-digit country (ISO 3166 numeric) or
manufacturer code (900-998; 999 = test transponder) followed by a 12-digit national
identification number. ISO 11784 stores the national id in 38 bits, so it must be
below 2**38 = 274 877 906 944.

This module imports nothing from Odoo so the IoT ingestor can apply the same rule.
"""

import re

NATIONAL_ID_LIMIT = 2**38
_SEPARATORS = re.compile(r"[\s.\-]")
_DIGITS = re.compile(r"^\d{15}$")


def parse_eid(value):
    """Return ``(code, national_id)`` for a valid EID, else raise ``ValueError``.

    Spaces, dots and dashes used when printing an EID ("050 100000000001") are
    ignored. The error message says what is wrong, for people and for logs.
    """
    if value is None or value is False:
        raise ValueError("EID is missing.")
    if isinstance(value, int):
        value = f"{value:015d}"
    text = _SEPARATORS.sub("", str(value))
    if not _DIGITS.match(text):
        raise ValueError(
            f"EID {value!r} must be exactly 15 digits (3-digit country or manufacturer "
            f"code + 12-digit national id), got {len(text)} characters."
        )
    code, national = int(text[:3]), int(text[3:])
    if national >= NATIONAL_ID_LIMIT:
        raise ValueError(
            f"EID {value!r}: national id {national} does not fit in 38 bits "
            f"(must be below {NATIONAL_ID_LIMIT})."
        )
    return code, national


def normalize_eid(value):
    """The canonical 15-digit form of a valid EID (raises ``ValueError`` otherwise)."""
    code, national = parse_eid(value)
    return format_eid(code, national)


def format_eid(code, national_id):
    """Build the 15-digit EID text from its parts (validating them)."""
    if not 0 <= int(code) <= 999:
        raise ValueError(f"EID country/manufacturer code {code} must be between 0 and 999.")
    if not 0 <= int(national_id) < NATIONAL_ID_LIMIT:
        raise ValueError(f"EID national id {national_id} must be below {NATIONAL_ID_LIMIT}.")
    return f"{int(code):03d}{int(national_id):012d}"


def is_valid_eid(value):
    try:
        parse_eid(value)
    except ValueError:
        return False
    return True


# Shared identity contract of the suite (farm seed ↔ herd/IoT simulators).
FARM_COUNTRY_CODE = 50  # Bangladesh


def contract_eid(i):
    """EID of cow number ``i`` (1-based) in the demo herd: "050" + 12 digits."""
    return "050" + f"{100000000 + i:012d}"


def contract_tag(i):
    return f"SD-{i:04d}"


def contract_barn_code(i):
    return f"B{(i - 1) // 64 + 1}"


def contract_collar_code(i):
    return f"COL-{i:04d}"
