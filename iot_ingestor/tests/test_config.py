"""Configuration from the environment."""

from iot_ingestor.config import Config


def test_every_setting_reads_its_documented_variable(monkeypatch):
    monkeypatch.setenv("ODOO_URL", "http://odoo:8069")
    monkeypatch.setenv("IOT_ODOO_SYNC_S", "5")
    monkeypatch.setenv("IOT_BATCH_WAIT_MS", "100")
    monkeypatch.setenv("IOT_OUTBOX_MAX_BACKOFF_S", "2.5")
    cfg = Config.from_env()
    assert (cfg.odoo_url, cfg.odoo_sync_s, cfg.batch_wait_ms, cfg.outbox_max_backoff_s) == (
        "http://odoo:8069",
        5,
        100,
        2.5,
    )
    names = Config.env_names()
    assert "ODOO_API_KEY" in names and "IOT_DB_DSN" in names and "IOT_ODOO_SYNC_S" in names
    assert len(names) == len(set(names))


def test_readme_documents_every_variable():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    missing = [n for n in Config.env_names() if f"`{n}`" not in readme]
    assert not missing, f"undocumented variables: {missing}"
