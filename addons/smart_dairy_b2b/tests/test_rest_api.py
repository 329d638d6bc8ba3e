# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""REST API ``/api/v1/b2b`` against the live test server.

Every answer is validated against the OpenAPI document the server itself serves (jsonschema),
errors against the shared ``{"error": {"code", "message", "details"}}`` shape.
"""

import threading
import uuid
from contextlib import closing

import jsonschema

from odoo import sql_db
from odoo.tests import HttpCase, TransactionCase, tagged

from .test_credit_odoo import CreditMixin

API = "/api/v1/b2b"


@tagged("post_install", "-at_install")
class TestRestApi(CreditMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_credit_world()
        cls.partner_a = cls._partner("T Api A")
        cls.partner_a.b2b_set_credit_limit(1000000, "test")
        cls.partner_b = cls._partner("T Api B")
        cls.manager_a = cls._portal_user(cls.partner_a, "t_api_mgr_a", "manager")
        cls.buyer_a = cls._portal_user(cls.partner_a, "t_api_buyer_a", "buyer", limit=2000)
        cls.manager_b = cls._portal_user(cls.partner_b, "t_api_mgr_b", "manager")
        cls.key_a = cls.manager_a.b2b_generate_api_key()
        cls.key_buyer_a = cls.buyer_a.b2b_generate_api_key()
        cls.key_b = cls.manager_b.b2b_generate_api_key()

    def setUp(self):
        super().setUp()
        res = self.url_open(f"{API}/openapi.json")
        self.assertEqual(res.status_code, 200, res.text)
        self.doc = res.json()

    # ------------------------------------------------------------------ helpers
    def _schema(self, name):
        return {"$ref": f"#/components/schemas/{name}", "components": self.doc["components"]}

    def _check(self, res, status, schema):
        self.assertEqual(res.status_code, status, res.text)
        body = res.json()
        jsonschema.validate(body, self._schema(schema))
        # the status is documented for this path in the served OpenAPI document
        return body

    def _get(self, path, key):
        return self.url_open(API + path, headers={"Authorization": f"Bearer {key}"})

    def _post_order(self, key, lines, idem="idem-key-0001", ref=None):
        return self.opener.post(
            self.base_url() + API + "/orders",
            json={"lines": lines, "client_order_ref": ref},
            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idem},
            timeout=60,
        )

    def _documented(self, path, method, status):
        responses = self.doc["paths"][path][method]["responses"]
        self.assertIn(str(status), responses, f"{method} {path} {status} not documented")

    # ------------------------------------------------------------------ tests
    def test_openapi_lists_every_path(self):
        for path in ("/catalog", "/orders", "/orders/{order_id}", "/credit/status/{partner_id}"):
            self.assertIn(path, self.doc["paths"])

    def test_authentication_errors(self):
        res = self.url_open(API + "/catalog")
        body = self._check(res, 401, "Error")
        self.assertEqual(body["error"]["code"], "missing_api_key")
        res = self._get("/catalog", "not-a-valid-key-1234567890")
        self.assertEqual(self._check(res, 401, "Error")["error"]["code"], "invalid_api_key")
        self._documented("/catalog", "get", 401)

    def test_catalog_tier_prices(self):
        body = self._check(self._get("/catalog", self.key_a), 200, "Catalog")
        milk = next(i for i in body["items"] if i["sku"] == "T-LM1")
        self.assertEqual(milk["multiple"], 12)
        self.assertEqual(milk["currency"], "BDT")
        self.assertTrue(milk["unit_price"] > 0)

    def test_order_idempotent_and_isolated(self):
        SaleOrder = self.env["sale.order"]
        before = SaleOrder.search_count([])
        lines = [{"sku": "T-MD5", "quantity": 2}, {"product_id": self.lassi.id, "quantity": 4}]
        res = self._post_order(self.key_a, lines, ref="PO-77")
        first = self._check(res, 201, "Order")
        self._documented("/orders", "post", 201)
        self.assertEqual(first["client_order_ref"], "PO-77")
        self.assertEqual(first["state"], "draft")
        self.assertFalse(first["requires_approval"])
        self.assertEqual(len(first["lines"]), 2)
        order = SaleOrder.browse(first["id"])
        self.assertEqual(order.partner_id, self.manager_a.partner_id)
        self.assertAlmostEqual(first["amount_total"], order.amount_total)
        # same key again: same order, nothing created
        again = self._check(self._post_order(self.key_a, lines, ref="PO-77"), 200, "Order")
        self.assertEqual(again["id"], first["id"])
        self.assertEqual(SaleOrder.search_count([]), before + 1)
        # read back, and partner B's key gets 404 for it
        got = self._check(self._get(f"/orders/{order.id}", self.key_a), 200, "Order")
        self.assertEqual(got["reference"], order.name)
        res = self._get(f"/orders/{order.id}", self.key_b)
        self.assertEqual(self._check(res, 404, "Error")["error"]["code"], "not_found")
        self._documented("/orders/{order_id}", "get", 404)
        # B reusing A's idempotency key gets its own order
        other = self._check(self._post_order(self.key_b, lines), 201, "Order")
        self.assertNotEqual(other["id"], first["id"])

    def test_order_bad_rows_and_buyer_limit(self):
        res = self._post_order(self.key_a, [{"sku": "NOPE", "quantity": 1}], idem="idem-bad-01")
        body = self._check(res, 422, "Error")
        self.assertEqual(
            (body["error"]["code"], body["error"]["details"]["index"]), ("unknown_product", 0)
        )
        res = self._post_order(
            self.key_a,
            [{"sku": "T-MD5", "quantity": 1}, {"sku": "T-LM1", "quantity": 13}],
            idem="idem-bad-02",
        )
        body = self._check(res, 422, "Error")
        self.assertEqual(body["error"]["details"], {"index": 1, "field": "quantity"})
        # a buyer above his limit (2,000): the order waits for his manager
        res = self._post_order(
            self.key_buyer_a, [{"sku": "T-MD5", "quantity": 30}], idem="idem-buyer-1"
        )
        body = self._check(res, 201, "Order")
        self.assertTrue(body["requires_approval"])
        self.assertEqual(body["approval"], "pending")

    def test_order_refused_on_credit_hold(self):
        self._invoice(self.partner_b, 100, 80)  # 80 days overdue -> on hold
        res = self._post_order(self.key_b, [{"sku": "T-MD5", "quantity": 1}], idem="idem-hold-1")
        body = self._check(res, 409, "Error")
        self.assertEqual(body["error"]["code"], "credit_hold")
        self.assertIn("on hold", body["error"]["message"])

    def test_credit_status(self):
        self._invoice(self.partner_a, 1000, 45)
        body = self._check(
            self._get(f"/credit/status/{self.partner_a.id}", self.key_a), 200, "CreditStatus"
        )
        self.assertEqual(body["limit"], 1000000)
        self.assertEqual(body["aging"]["days_31_60"], 1000)
        self.assertEqual(body["used"], 1000)
        self.assertEqual(body["available"], 999000)
        self.assertEqual(body["status"], "active")
        res = self._get(f"/credit/status/{self.partner_b.id}", self.key_a)
        self._check(res, 404, "Error")
        res = self._get(f"/credit/status/{self.partner_a.id}", self.key_buyer_a)
        self.assertEqual(self._check(res, 403, "Error")["error"]["code"], "role_cannot_see_credit")

    def test_rate_limit(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "smart_dairy_b2b.api_rate_limit_per_minute", "3"
        )
        user = self._portal_user(self.partner_a, "t_api_rate", "viewer")
        key = user.b2b_generate_api_key()
        answers = [self._get("/catalog", key) for _i in range(5)]
        self.assertEqual([r.status_code for r in answers], [200, 200, 200, 429, 429])
        for res in answers[3:]:
            body = self._check(res, 429, "Error")
            self.assertEqual(body["error"]["code"], "rate_limited")
            retry_after = int(res.headers["Retry-After"])
            self.assertTrue(1 <= retry_after <= 60, retry_after)
            self.assertEqual(body["error"]["details"], {"limit": 3, "retry_after": retry_after})
        self._documented("/catalog", "get", 429)
        # the count lives in PostgreSQL (one row per key and minute), not in the worker
        rows = (
            self.env["smart.dairy.b2b.api.rate"].sudo().search([("key", "like", f"key:{user.id}:")])
        )
        self.assertEqual(rows.mapped("hits"), [5])
        # another key of the same limit is not affected
        self._check(self._get("/catalog", self.key_a), 200, "Catalog")

    def test_key_guessing_limited_per_ip(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "smart_dairy_b2b.api_auth_failures_per_minute", "2"
        )
        codes = [self._get("/catalog", f"guess-{i:04d}-abcdefgh").status_code for i in range(2)]
        codes.append(self.url_open(API + "/catalog").status_code)  # no key at all counts too
        self.assertEqual(codes, [401, 401, 429])
        # once over, this address is refused before any key is checked, even a valid one
        res = self._get("/catalog", self.key_a)
        body = self._check(res, 429, "Error")
        self.assertEqual(body["error"]["details"]["limit"], 2)
        self.assertTrue(1 <= int(res.headers["Retry-After"]) <= 60)

    def test_rate_limit_shared_across_workers(self):
        """Hits counted by another worker (same SQL, same table) close the window here too."""
        self.env["ir.config_parameter"].sudo().set_param(
            "smart_dairy_b2b.api_rate_limit_per_minute", "2"
        )
        user = self._portal_user(self.partner_a, "t_api_rate2", "viewer")
        key = user.b2b_generate_api_key()
        Rate = self.env["smart.dairy.b2b.api.rate"].sudo()
        self.assertEqual(Rate._hit(f"key:{user.id}:{key[:8]}", 2)[0], True)
        res = self._get("/catalog", key)  # second hit: still allowed
        self._check(res, 200, "Catalog")
        res = self._get("/catalog", key)  # third: over the limit of 2
        self.assertEqual(self._check(res, 429, "Error")["error"]["code"], "rate_limited")
        self.assertIn("Retry-After", res.headers)
        allowed, retry_after = Rate._hit(f"key:{user.id}:{key[:8]}", 2)
        self.assertEqual((allowed, 1 <= retry_after <= 60), (False, True))

    def test_invalid_requests_use_the_envelope(self):
        """FastAPI's own validation errors answer in the same envelope, naming the field."""
        res = self._post_order(self.key_a, [{"sku": "T-MD5", "quantity": -1}], idem="idem-neg-1")
        body = self._check(res, 422, "Error")
        self.assertEqual(body["error"]["code"], "invalid_request")
        self.assertIn("lines.0.quantity", body["error"]["details"]["fields"])
        res = self._get("/orders/not-a-number", self.key_a)
        body = self._check(res, 422, "Error")
        self.assertEqual(list(body["error"]["details"]["fields"]), ["order_id"])
        res = self._get(f"/orders/{2**40}", self.key_a)  # beyond a PostgreSQL integer
        self._check(res, 422, "Error")
        res = self._post_order(self.key_a, [{"sku": "T\x00MD5", "quantity": 1}], idem="idem-nul-1")
        self.assertIn("lines.0.sku", self._check(res, 422, "Error")["error"]["details"]["fields"])
        self._documented("/orders/{order_id}", "get", 422)


@tagged("post_install", "-at_install")
class TestRestRateConcurrency(TransactionCase):
    """The counter is atomic across database connections (= workers), committed hit by hit."""

    def test_two_connections_enforce_one_limit(self):
        Rate = self.env["smart.dairy.b2b.api.rate"]
        key = f"test-concurrency-{uuid.uuid4().hex}"
        limit, per_worker = 30, 40
        results = []
        errors = []
        barrier = threading.Barrier(2)

        def worker():
            try:
                # a real connection of its own, as another worker process would have
                with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as cr:
                    barrier.wait(timeout=30)
                    for _i in range(per_worker):
                        results.append(Rate._hit_cr(cr, key, limit, 3600, own_transaction=True))
                        # each hit its own transaction, as in production
                        cr.commit()  # pylint: disable=invalid-commit
            except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _i in range(2)]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            self.assertEqual(errors, [])
            self.assertEqual(len(results), 2 * per_worker)
            # exactly `limit` requests allowed in all, whoever asked (unless the hour turned)
            windows = set()
            with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as cr:
                cr.execute(
                    "SELECT window_start, hits FROM smart_dairy_b2b_api_rate WHERE key = %s",
                    [key],
                )
                windows = dict(cr.fetchall())
            self.assertEqual(sum(windows.values()), 2 * per_worker)
            if len(windows) == 1:
                self.assertEqual(sum(1 for allowed, _retry in results if allowed), limit)
            self.assertTrue(all(1 <= retry <= 3600 for _allowed, retry in results))
        finally:
            with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as cr:
                cr.execute("DELETE FROM smart_dairy_b2b_api_rate WHERE key = %s", [key])
                # the workers committed their rows outside the test transaction: remove them
                cr.commit()  # pylint: disable=invalid-commit
