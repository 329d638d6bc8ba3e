# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""REST API ``/api/v1/b2b`` against the live test server.

Every answer is validated against the OpenAPI document the server itself serves (jsonschema),
errors against the shared ``{"error": {"code", "message", "details"}}`` shape.
"""

import threading
import uuid
from contextlib import closing
from datetime import datetime, timedelta

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
            # the test's requests share one transaction, so one database clock reading: 3 per
            # minute is one per 20 s, the next is due 20 s after the burst (refusals not counted)
            self.assertEqual(retry_after, 20)
            self.assertEqual(body["error"]["details"], {"limit": 3, "retry_after": retry_after})
        self._documented("/catalog", "get", 429)
        # the state lives in PostgreSQL (one row per key), not in the worker: the three accepted
        # requests are paid off 3 x 20 s after now
        self.env.cr.execute(
            """
            SELECT count(*), bool_and(tat = (now() AT TIME ZONE 'UTC') + interval '60 seconds')
              FROM smart_dairy_b2b_api_rate WHERE key LIKE %s
            """,
            [f"key:{user.id}:%"],
        )
        self.assertEqual(self.env.cr.fetchone(), (1, True))
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
    """The limiter is atomic across database connections (= workers), committed hit by hit."""

    def test_parallel_connections_enforce_one_limit(self):
        Rate = self.env["smart.dairy.b2b.api.rate"]
        key = f"test-concurrency-{uuid.uuid4().hex}"
        # one request per 48 min once the 30 are spent: none more during the test
        limit, window, connections, per_connection = 30, 86400, 4, 20
        results = []
        errors = []
        barrier = threading.Barrier(connections)

        def worker():
            try:
                # a real connection of its own, as another worker process would have
                with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as cr:
                    barrier.wait(timeout=30)
                    for _i in range(per_connection):
                        results.append(Rate._hit_cr(cr, key, limit, window, own_transaction=True))
                        # each hit its own transaction, as in production
                        cr.commit()  # pylint: disable=invalid-commit
            except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _i in range(connections)]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            self.assertEqual(errors, [])
            self.assertEqual(len(results), connections * per_connection)
            # exactly `limit` requests accepted in all, whoever asked
            self.assertEqual(sum(1 for allowed, _retry in results if allowed), limit)
            self.assertTrue(all(retry == 0 for allowed, retry in results if allowed))
            self.assertTrue(all(1 <= retry <= window for allowed, retry in results if not allowed))
            with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as cr:
                cr.execute("SELECT count(*) FROM smart_dairy_b2b_api_rate WHERE key = %s", [key])
                self.assertEqual(cr.fetchone(), (1,))
        finally:
            with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as cr:
                cr.execute("DELETE FROM smart_dairy_b2b_api_rate WHERE key = %s", [key])
                # the workers committed their rows outside the test transaction: remove them
                cr.commit()  # pylint: disable=invalid-commit


# a minute boundary: fixed one-minute windows would reset here
BOUNDARY = datetime(2026, 3, 2, 9, 0, 0)


@tagged("post_install", "-at_install")
class TestRestRateGcra(TransactionCase):
    """The limiter against a clock the test drives (``now``), in the real PostgreSQL statement."""

    def _hit(self, key, limit, at, window=60):
        return self.env["smart.dairy.b2b.api.rate"]._hit_cr(self.env.cr, key, limit, window, now=at)

    def _accepted(self, key, limit, times, window=60):
        return [at for at in times if self._hit(key, limit, at, window)[0]]

    def assertBounded(self, accepted, limit, window=60):
        """Every stretch of ``d`` seconds accepted at most ``limit + floor(d * limit / window)``:
        ``limit`` at once, then the steady rate."""
        accepted = sorted(accepted)
        for i, start in enumerate(accepted):
            for j in range(i, len(accepted)):
                span = accepted[j] - start
                allowed_max = limit + span * limit // timedelta(seconds=window)
                self.assertLessEqual(
                    j - i + 1, allowed_max, f"{j - i + 1} accepted in {span} s from {start}"
                )

    def test_no_burst_at_window_boundary(self):
        """Fixed windows accept 2 x limit around a minute boundary; the GCRA only the limit."""
        limit = 10  # per minute: one per 6 s
        before = BOUNDARY - timedelta(seconds=0.5)
        after = BOUNDARY + timedelta(seconds=0.5)
        first = [self._hit("t-boundary", limit, before) for _i in range(limit)]
        second = [self._hit("t-boundary", limit, after) for _i in range(limit)]
        self.assertEqual(first, [(True, 0)] * limit)
        # the next request is due 6 s after the burst, 5 s after `after`
        self.assertEqual(second, [(False, 5)] * limit)
        # a greedy client (every 0.25 s for 3 minutes across two boundaries) gets the limit at
        # once, then one request per 6 s: 10 + 180 / 6 - 1 in all, never a burst
        times = [BOUNDARY - timedelta(seconds=90 - i / 4) for i in range(720)]
        accepted = self._accepted("t-greedy", limit, times)
        self.assertBounded(accepted, limit)
        self.assertEqual(len(accepted), limit + 30 - 1)

    def test_steady_rate_allowed(self):
        """A client that keeps to the limit is never refused, steadily or in full bursts."""
        # 120 per minute, one every 0.5 s, for 5 minutes
        times = [BOUNDARY + timedelta(seconds=i / 2) for i in range(600)]
        self.assertEqual(len(self._accepted("t-steady", 120, times)), 600)
        # the whole limit at once, once a minute (7 per minute: an interval of 8.571428... s)
        times = [BOUNDARY + timedelta(minutes=m) for m in range(5) for _i in range(7)]
        self.assertEqual(len(self._accepted("t-bursts", 7, times)), 35)
        # and not faster: after a full burst of 8 per minute, the next is due 7.5 s later
        self.assertEqual(len(self._accepted("t-over", 8, [BOUNDARY] * 8)), 8)
        due = BOUNDARY + timedelta(seconds=7.5)
        self.assertEqual(self._hit("t-over", 8, due - timedelta(microseconds=1)), (False, 1))
        self.assertEqual(self._hit("t-over", 8, due), (True, 0))

    def test_retry_after_and_peek_agree_with_hit(self):
        Rate = self.env["smart.dairy.b2b.api.rate"]
        for _i in range(3):  # 3 per minute: one per 20 s
            self.assertEqual(self._hit("t-retry", 3, BOUNDARY), (True, 0))
        later = BOUNDARY + timedelta(seconds=1.5)
        # peeking counts nothing: the same answer twice, and the same as the hit
        self.assertEqual(Rate._peek("t-retry", 3, now=later), (False, 19))
        self.assertEqual(Rate._peek("t-retry", 3, now=later), (False, 19))
        self.assertEqual(self._hit("t-retry", 3, later), (False, 19))
        # Retry-After is honest: one second earlier is still refused, then accepted
        self.assertEqual(self._hit("t-retry", 3, later + timedelta(seconds=18))[0], False)
        self.assertEqual(Rate._peek("t-retry", 3, now=later + timedelta(seconds=19)), (True, 0))
        self.assertEqual(self._hit("t-retry", 3, later + timedelta(seconds=19)), (True, 0))
        self.assertEqual(Rate._peek("t-unknown", 3), (True, 0))
        # a limit of 0 closes the key
        self.assertEqual(self._hit("t-closed", 0, BOUNDARY), (False, 60))
        self.assertEqual(Rate._peek("t-closed", 0), (False, 60))

    def test_gc_drops_only_empty_buckets(self):
        Rate = self.env["smart.dairy.b2b.api.rate"]
        self.env.cr.execute("SELECT now() AT TIME ZONE 'UTC'")
        db_now = self.env.cr.fetchone()[0]
        self._hit("t-gc-old", 1, db_now - timedelta(minutes=2))  # paid off a minute ago
        for _i in range(2):
            self._hit("t-gc-busy", 2, db_now)  # paid off in a minute
        Rate._gc_empty_buckets()
        self.env.cr.execute(
            "SELECT key FROM smart_dairy_b2b_api_rate WHERE key LIKE %s ORDER BY key", ["t-gc-%"]
        )
        self.assertEqual(self.env.cr.fetchall(), [("t-gc-busy",)])
        # the purge changed no decision: the busy key is still closed, the old one open
        self.assertEqual(self._hit("t-gc-busy", 2, db_now)[0], False)
        self.assertEqual(self._hit("t-gc-old", 1, db_now), (True, 0))
