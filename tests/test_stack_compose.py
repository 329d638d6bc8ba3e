"""docker-compose.yml: no Docker engine runs here, so check its structure instead."""

import pathlib
import re
import subprocess

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_every_component_is_a_service_from_an_official_image():
    expected_images = {
        "db": "timescale/timescaledb:",
        "mosquitto": "eclipse-mosquitto:2",
        "odoo": "odoo:18",
        "superset": "apache/superset:",
        "nginx": "nginx:",
    }
    for name, prefix in expected_images.items():
        assert name in SERVICES, name
        assert SERVICES[name]["image"].startswith(prefix), (name, SERVICES[name]["image"])
    assert "pg16" in SERVICES["db"]["image"]  # PostgreSQL 16 with TimescaleDB
    # the ingestor is built from this repository
    build = SERVICES["ingestor"]["build"]
    assert build["context"] == "./iot_ingestor"
    assert (ROOT / build["context"] / build["dockerfile"]).exists()


def test_healthchecks_and_healthy_dependencies():
    for name, service in SERVICES.items():
        assert "healthcheck" in service, f"{name} has no healthcheck"
        assert service["healthcheck"]["test"], name
        for dep, cond in (service.get("depends_on") or {}).items():
            assert dep in SERVICES, (name, dep)
            assert cond == {"condition": "service_healthy"}, (name, dep, cond)
    assert set(SERVICES["odoo"]["depends_on"]) == {"db"}
    assert {"db", "mosquitto", "odoo"} <= set(SERVICES["ingestor"]["depends_on"])


def test_addons_mounted_and_data_in_volumes():
    assert "./addons:/mnt/extra-addons:ro" in SERVICES["odoo"]["volumes"]
    named = set(COMPOSE["volumes"])
    for service, path in [
        ("db", "/var/lib/postgresql/data"),
        ("odoo", "/var/lib/odoo"),
        ("mosquitto", "/mosquitto/data"),
    ]:
        mounts = [v.split(":") for v in SERVICES[service]["volumes"]]
        assert any(m[0] in named and m[1] == path for m in mounts), (service, path)


def test_no_secret_is_hard_coded():
    secretish = re.compile(r"(PASSWORD|SECRET|API_KEY|PASSWD)", re.I)

    def walk(node, path=""):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{path}[{i}]")
        else:
            yield path, str(node)

    for path, value in walk(SERVICES):
        if secretish.search(path.rsplit(".", 1)[-1]):
            assert re.fullmatch(r"\$\{[A-Z0-9_]+\}", value), f"{path} = {value!r} is not from .env"
        for uri_secret in re.findall(r"://[^:/@]+:([^@]+)@", value):
            assert uri_secret.startswith("${"), f"{path} embeds a password"
    example = (ROOT / ".env.example").read_text()
    used = set(
        re.findall(r"\$\{([A-Z0-9_]+)(?::-[^}]*)?\}", (ROOT / "docker-compose.yml").read_text())
    )
    declared = set(re.findall(r"^([A-Z0-9_]+)=", example, re.M))
    assert used <= declared, f"variables missing from .env.example: {sorted(used - declared)}"
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False)
    assert ignored.returncode == 0, ".env must be git-ignored"
    for line in example.splitlines():
        if secretish.search(line.split("=", 1)[0]) and "=" in line:
            assert line.endswith("change-me"), line


def test_mosquitto_config_persists_and_authenticates():
    conf = (ROOT / "deploy/mosquitto/mosquitto.conf").read_text()
    settings = dict(
        line.split(None, 1)
        for line in conf.splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert settings["persistence"] == "true"
    assert int(settings["max_queued_messages"]) >= 250_000
    assert settings["allow_anonymous"] == "false"
    assert "password_file" in settings


def test_only_nginx_publishes_a_port_and_on_loopback_by_default():
    published = [name for name, service in SERVICES.items() if service.get("ports")]
    assert published == ["nginx"]
    assert SERVICES["nginx"]["ports"][0].startswith("${HTTP_BIND:-127.0.0.1}:")


def test_ingestor_environment_is_what_the_daemon_reads():
    from iot_ingestor.config import Config

    env = SERVICES["ingestor"]["environment"]
    unknown = set(env) - set(Config.env_names())
    assert not unknown, f"the daemon does not read {sorted(unknown)}"
    assert {"IOT_DB_DSN", "IOT_MQTT_HOST", "ODOO_URL", "ODOO_API_KEY"} <= set(env)
