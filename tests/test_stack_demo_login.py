"""The demo launcher really serves Odoo: /web/login answers 200 and the credentials
that `make demo` sets and prints log in, through the web form and over XML-RPC.

Runs the same code as `make demo` (scripts/odoo_stack.py) against this run's test
database, on a free loopback port, as a separate Odoo process.
"""

import socket
import xmlrpc.client

import pytest


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served_odoo(stack, test_db, odoo_test_conf):
    port = _free_port()
    name = f"odoo-stacktest-{port}"
    stack.start(test_db, port, odoo_test_conf, name=name, extra=["--max-cron-threads=0"])
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stack.stop(name)
    assert stack.read_pid(name) is None


def test_login_page_answers_200(stack, served_odoo):
    assert stack.http_status(f"{served_odoo}/web/login") == 200


def test_printed_credentials_log_in(stack, served_odoo, test_db, odoo_test_conf):
    password = "probe-" + stack.secrets.token_urlsafe(8)
    stack.set_login(test_db, odoo_test_conf, "stack.probe", password)
    landed, page = stack.web_login(served_odoo, "stack.probe", password)
    assert "/odoo" in landed and "/web/login" not in landed, landed
    assert "odoo.__session_info__" in page or "session_info" in page
    common = xmlrpc.client.ServerProxy(f"{served_odoo}/xmlrpc/2/common")
    uid = common.authenticate(test_db, "stack.probe", password, {})
    assert isinstance(uid, int) and uid > 0
    # a wrong password is refused on both doors
    assert common.authenticate(test_db, "stack.probe", password + "x", {}) is False
    landed, _page = stack.web_login(served_odoo, "stack.probe", "wrong")
    assert "/web/login" in landed


def test_stop_really_stops(stack, test_db, odoo_test_conf):
    port = _free_port()
    name = f"odoo-stacktest-stop-{port}"
    stack.start(test_db, port, odoo_test_conf, name=name, extra=["--max-cron-threads=0"])
    assert stack.http_status(f"http://127.0.0.1:{port}/web/login") == 200
    assert stack.stop(name) is True
    assert stack.http_status(f"http://127.0.0.1:{port}/web/login") is None
