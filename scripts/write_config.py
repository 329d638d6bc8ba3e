"""Write an Odoo configuration for this checkout (called by setup.sh).

Secrets come from the environment / .local/secrets.env and only ever land in the
generated file under .local/ (git-ignored, mode 0600).
"""

import argparse
import configparser
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def read_secrets():
    values = {}
    path = ROOT / ".local" / "secrets.env"
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip()
    values.update({k: v for k, v in os.environ.items() if k.startswith("SMART_DAIRY_")})
    return values


def addons_path():
    import odoo

    paths = [ROOT / "addons"]
    odoo_root = pathlib.Path(odoo.__file__).resolve().parent.parent
    # Upstream git layout keeps most addons in <root>/addons; the odoo/addons namespace
    # (base + OCA wheels) is always searched by Odoo itself.
    if (odoo_root / "addons" / "web" / "__manifest__.py").exists():
        paths.append(odoo_root / "addons")
    return ",".join(str(p) for p in paths)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--http-port", type=int, default=8069)
    parser.add_argument("--log", default="")
    args = parser.parse_args()
    secrets = read_secrets()
    options = {
        "addons_path": addons_path(),
        "data_dir": args.data_dir,
        "db_host": secrets.get("SMART_DAIRY_DB_HOST", "127.0.0.1"),
        "db_port": secrets.get("SMART_DAIRY_DB_PORT", "5432"),
        "db_user": secrets.get("SMART_DAIRY_DB_USER", "odoo"),
        "db_password": secrets.get("SMART_DAIRY_DB_PASSWORD", "False"),
        "admin_passwd": secrets.get("ODOO_ADMIN_PASSWD", "False"),
        "http_interface": "127.0.0.1",
        "http_port": str(args.http_port),
        "gevent_port": str(args.http_port + 3 if args.http_port else 0),
        "list_db": "False",
        "proxy_mode": "False",
        "workers": "0",
        "max_cron_threads": "1",
        "limit_time_real": "600",
        "log_level": "info",
    }
    if args.log:
        options["logfile"] = args.log
    config = configparser.ConfigParser(interpolation=None)
    config["options"] = options
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as fh:
        config.write(fh)
    tmp.replace(out)


if __name__ == "__main__":
    main()
