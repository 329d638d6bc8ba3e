"""XML-RPC client for the Odoo side of the contract (see README "Odoo contract").

Authentication: ``ODOO_USER`` + ``ODOO_API_KEY`` (an Odoo API key of a technical user with only
the "IoT Ingestor" rights); the key is used as the password of ``execute_kw``.
"""

from __future__ import annotations

import http.client
import logging
import xmlrpc.client

log = logging.getLogger(__name__)


class TransportError(Exception):
    """Odoo could not be reached (down, timeout, 5xx, auth not possible): retry later."""


class RemoteError(Exception):
    """Odoo answered with a Fault (a bug or bad data): retried a bounded number of times."""


class _TimeoutTransport(xmlrpc.client.Transport):
    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        conn = super().make_connection(host)
        conn.timeout = self.timeout
        return conn


class _TimeoutSafeTransport(xmlrpc.client.SafeTransport):
    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        conn = super().make_connection(host)
        conn.timeout = self.timeout
        return conn


class OdooClient:
    """Minimal Odoo external-API client: ``call(model, method, *args, **kwargs)``."""

    def __init__(self, url: str, db: str, user: str, api_key: str, timeout: float = 15.0):
        self.url = url.rstrip("/")
        self.db, self.user, self.api_key, self.timeout = db, user, api_key, timeout
        self.uid: int | None = None

    @classmethod
    def from_config(cls, cfg) -> OdooClient | None:
        if not cfg.odoo_url:
            return None
        return cls(cfg.odoo_url, cfg.odoo_db, cfg.odoo_user, cfg.odoo_api_key, cfg.odoo_timeout_s)

    def _proxy(self, path: str):
        transport = (
            _TimeoutSafeTransport(self.timeout)
            if self.url.startswith("https")
            else _TimeoutTransport(self.timeout)
        )
        return xmlrpc.client.ServerProxy(f"{self.url}{path}", transport=transport, allow_none=True)

    def _guard(self, fn, *args):
        try:
            return fn(*args)
        except xmlrpc.client.Fault as exc:
            raise RemoteError(f"{exc.faultCode}: {str(exc.faultString)[-500:]}") from None
        except xmlrpc.client.ProtocolError as exc:
            raise TransportError(f"HTTP {exc.errcode} {exc.errmsg}") from None
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            raise TransportError(f"{exc.__class__.__name__}: {exc}") from None

    def authenticate(self) -> int:
        uid = self._guard(
            self._proxy("/xmlrpc/2/common").authenticate, self.db, self.user, self.api_key, {}
        )
        if not uid:
            # wrong key/user: nothing will work until an operator fixes it -> keep retrying
            raise TransportError("authentication to Odoo failed (ODOO_USER / ODOO_API_KEY)")
        self.uid = uid
        return uid

    def call(self, model: str, method: str, *args, **kwargs):
        if self.uid is None:
            self.authenticate()
        return self._guard(
            self._proxy("/xmlrpc/2/object").execute_kw,
            self.db,
            self.uid,
            self.api_key,
            model,
            method,
            list(args),
            kwargs,
        )
