# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Property-based contract run of the REST API against the live test server (schemathesis).

The run starts from the OpenAPI document the server serves, generates requests for every
operation from it - valid ones and ones that break the schema (negative mode) - sends them over
HTTP with a real API key of a partner's manager, and checks every answer: never a 5xx, a
documented status code and content type, a body valid against the documented schema of that
status, errors in the ``{"error": {"code", "message", "details"}}`` envelope, and another
partner's orders / credit status answer 404. Hypothesis runs derandomized (fixed seed, no
example database) with a bounded number of examples.
"""

import logging

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from odoo.tests import HttpCase, tagged

from .test_credit_odoo import CreditMixin

_logger = logging.getLogger(__name__)
API = "/api/v1/b2b"
EXAMPLES = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 10}


def error_envelope(ctx, response, case):
    """Every 4xx/5xx answers ``{"error": {"code": str, "message": str, "details": {}}}``."""
    if response.status_code < 400:
        return None
    body = response.json()
    assert set(body) == {"error"}, f"not the error envelope: {body}"
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and isinstance(error["details"], dict), error
    return None


@tagged("post_install", "-at_install")
class TestRestContractProperty(CreditMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_credit_world()
        cls.partner_a = cls._partner("T Prop A")
        cls.partner_a.b2b_set_credit_limit(10_000_000, "test")
        cls.partner_b = cls._partner("T Prop B")
        cls.manager_a = cls._portal_user(cls.partner_a, "t_prop_mgr_a", "manager")
        cls.manager_b = cls._portal_user(cls.partner_b, "t_prop_mgr_b", "manager")
        cls.key_a = cls.manager_a.b2b_generate_api_key()
        cls.order_b = cls.env["sale.order"].create(
            {
                "partner_id": cls.manager_b.partner_id.id,
                "order_line": [(0, 0, {"product_id": cls.doi.id, "product_uom_qty": 2})],
            }
        )
        param = cls.env["ir.config_parameter"].sudo()
        # the run must see the API's answers, not mostly 429s
        param.set_param("smart_dairy_b2b.api_rate_limit_per_minute", "100000")
        param.set_param("smart_dairy_b2b.signup_rate_limit_per_hour", "100000")

    def setUp(self):
        super().setUp()
        self.schema = schemathesis.openapi.from_url(
            self.base_url() + API + "/openapi.json", timeout=60
        )
        self.calls = {}

    # ------------------------------------------------------------------ helpers
    def _isolation(self, ctx, response, case):
        """Partner B's order and credit status never answer anything but 404 to A's key."""
        params = case.path_parameters or {}
        foreign = (
            params.get("order_id") == self.order_b.id
            and case.operation.path == "/orders/{order_id}"
        ) or (
            params.get("partner_id") == self.partner_b.id
            and case.operation.path == "/credit/status/{partner_id}"
        )
        if foreign:
            assert response.status_code == 404, f"{case.formatted_path}: {response.status_code}"
            self.calls["foreign"] = self.calls.get("foreign", 0) + 1
        return None

    def _strategy(self, operation, mode):
        strategy = operation.as_strategy(generation_mode=mode)
        if mode != GenerationMode.POSITIVE:
            return strategy
        if operation.label == "POST /orders":
            # Beside random bodies (mostly unknown SKUs), orders of the real catalog.
            line = st.fixed_dictionaries(
                {
                    "sku": st.sampled_from(["T-MD5", "T-LM1", "T-LS2", "NOPE"]),
                    "quantity": st.integers(min_value=1, max_value=48),
                }
            )
            bodies = st.fixed_dictionaries({"lines": st.lists(line, min_size=1, max_size=3)})
            return st.one_of(
                strategy, bodies.flatmap(lambda body: operation.as_strategy(body=body))
            )
        # Beside random ids, ask for the ids that exist: A's own and B's.
        if operation.path == "/orders/{order_id}":
            ids = [self.order_b.id, self.order_a.id]
            name = "order_id"
        elif operation.path == "/credit/status/{partner_id}":
            ids = [self.partner_b.id, self.partner_a.id]
            name = "partner_id"
        else:
            return strategy
        return st.one_of(
            strategy,
            *[operation.as_strategy(path_parameters={name: value}) for value in ids],
        )

    def _run(self, operation, mode):
        checks = [
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            error_envelope,
            self._isolation,
        ]
        if mode == GenerationMode.NEGATIVE:
            checks.append(negative_data_rejection)
        statuses = self.calls.setdefault(operation.label, {})

        @settings(
            max_examples=EXAMPLES[mode],
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=self._strategy(operation, mode))
        def run(case):
            response = case.call(
                base_url=self.base_url() + API,
                session=self.opener,
                headers={"Authorization": f"Bearer {self.key_a}"},
                timeout=60,
            )
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            case.validate_response(response, checks=checks)

        run()

    # ------------------------------------------------------------------ test
    def test_contract_every_operation(self):
        res = self.opener.post(
            self.base_url() + API + "/orders",
            json={"lines": [{"sku": "T-MD5", "quantity": 3}]},
            headers={"Authorization": f"Bearer {self.key_a}", "Idempotency-Key": "prop-a-0001"},
            timeout=60,
        )
        self.assertEqual(res.status_code, 201, res.text)
        self.order_a = self.env["sale.order"].browse(res.json()["id"])
        operations = [result.ok() for result in self.schema.get_all_operations()]
        labels = sorted(op.label for op in operations)
        self.assertEqual(
            labels,
            [
                "GET /catalog",
                "GET /credit/status/{partner_id}",
                "GET /orders/{order_id}",
                "POST /orders",
                "POST /partners/register",
            ],
        )
        for operation in operations:
            self._run(operation, GenerationMode.POSITIVE)
            if operation.path != "/catalog":  # nothing to break in a request without input
                self._run(operation, GenerationMode.NEGATIVE)
        _logger.info("REST contract run, answers per operation: %s", self.calls)
        # the run reached the interesting answers, not only validation errors
        seen = {(label, status) for label, codes in self.calls.items() if label != "foreign"
                for status in codes}  # fmt: skip
        for expected in [
            ("GET /catalog", 200),
            ("GET /orders/{order_id}", 200),
            ("GET /orders/{order_id}", 404),
            ("GET /credit/status/{partner_id}", 200),
            ("GET /credit/status/{partner_id}", 404),
            ("POST /orders", 201),
            ("POST /orders", 422),
            ("POST /partners/register", 422),
        ]:
            self.assertIn(expected, seen, self.calls)
        self.assertGreaterEqual(self.calls.get("foreign", 0), 2, self.calls)
