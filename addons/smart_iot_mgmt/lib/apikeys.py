# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""API keys of devices and gateways for the REST ingestion API.

A key is ``iotk_`` + 40 random url-safe characters (240 bits). Only an 8-character lookup
index and the SHA-256 of the whole key are stored: a key with that much entropy needs no slow
password hash, and the index makes the lookup one indexed query. Comparison is constant time.
"""

import hashlib
import hmac
import secrets

PREFIX = "iotk_"
INDEX_SIZE = 8


def generate():
    """Return ``(key, index, digest)``; show ``key`` once, store ``index`` and ``digest``."""
    key = PREFIX + secrets.token_urlsafe(30)
    return key, key_index(key), digest(key)


def key_index(key):
    return key[len(PREFIX) : len(PREFIX) + INDEX_SIZE] if key.startswith(PREFIX) else ""


def digest(key):
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def verify(key, stored_digest):
    if not key or not stored_digest:
        return False
    return hmac.compare_digest(digest(key), stored_digest)


def from_headers(headers):
    """The key sent as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>`` (else None)."""
    auth = headers.get("authorization") or headers.get("Authorization") or ""
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return (headers.get("x-api-key") or headers.get("X-API-Key") or "").strip() or None
