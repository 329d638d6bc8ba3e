"""Start, stop and probe the local Odoo of `make demo`; set the demo login.

    python3 scripts/odoo_stack.py start   --db DB --port 8069 [--conf .local/odoo.conf]
    python3 scripts/odoo_stack.py stop    [--name odoo]
    python3 scripts/odoo_stack.py login   --db DB --login admin   (prints the password)
    python3 scripts/odoo_stack.py spawn   --name ingestor --env-file F -- iot-ingestor run

Everything binds 127.0.0.1. Pid files and logs go to .local/run/. Also imported by the
stack tests, which run the same code against the test database.
"""

import argparse
import http.cookiejar
import os
import pathlib
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
RUN = LOCAL / "run"


def odoo_bin_cmd():
    import odoo

    odoo_root = pathlib.Path(odoo.__file__).resolve().parent.parent
    if (odoo_root / "odoo-bin").exists():
        return [sys.executable, str(odoo_root / "odoo-bin")]
    return [sys.executable, "-m", "odoo"]


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def read_pid(name):
    try:
        pid = int((RUN / f"{name}.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def http_status(url, timeout=5.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


def wait_http(url, timeout=180.0, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"Odoo exited with code {proc.returncode} before answering {url}")
        if http_status(url) == 200:
            return True
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f} s")


def start(db, port, conf, name="odoo", extra=()):
    """Start Odoo for ``db`` on 127.0.0.1:``port`` unless already running; return its pid."""
    RUN.mkdir(parents=True, exist_ok=True)
    pid = read_pid(name)
    url = f"http://127.0.0.1:{port}/web/login"
    if pid and http_status(url) == 200:
        return pid
    log = open(RUN / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child process
    cmd = odoo_bin_cmd() + [
        "-c",
        str(conf),
        "-d",
        db,
        "--db-filter",
        f"^{re.escape(db)}$",
        "--http-interface",
        "127.0.0.1",
        "--http-port",
        str(port),
        "--gevent-port",
        str(port + 3),
        "--logfile",
        "",
        *extra,
    ]
    proc = subprocess.Popen(
        cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
    )
    (RUN / f"{name}.pid").write_text(str(proc.pid))
    try:
        wait_http(url, proc=proc)
    except Exception:
        stop(name)
        raise
    return proc.pid


def spawn(name, cmd, env_file=None):
    """Run ``cmd`` in the background as ``name`` (pid file + log in .local/run/) unless
    it is already running; ``env_file`` adds KEY=VALUE lines to its environment."""
    RUN.mkdir(parents=True, exist_ok=True)
    pid = read_pid(name)
    if pid:
        return pid
    env = dict(os.environ)
    if env_file:
        for line in pathlib.Path(env_file).read_text().splitlines():
            if "=" in line and not line.startswith("#"):
                key, value = line.split("=", 1)
                env[key] = value
    log = open(RUN / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child process
    proc = subprocess.Popen(
        cmd,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        env=env,
    )
    (RUN / f"{name}.pid").write_text(str(proc.pid))
    time.sleep(2)
    if proc.poll() is not None:
        (RUN / f"{name}.pid").unlink(missing_ok=True)
        raise RuntimeError(f"{name} exited at once (code {proc.returncode}); see {RUN / name}.log")
    return proc.pid


def stop(name="odoo", timeout=20.0):
    pid = read_pid(name)
    pidfile = RUN / f"{name}.pid"
    if pid:
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if pid_alive(pid):
            os.killpg(pid, signal.SIGKILL)
    pidfile.unlink(missing_ok=True)
    return bool(pid)


SET_LOGIN = """
login, password = {login!r}, {password!r}
user = env["res.users"].with_context(active_test=False).search([("login", "=", login)], limit=1)
if not user:
    user = env["res.users"].create({{"name": login, "login": login}})
user.write({{"password": password, "active": True}})
env.cr.commit()
"""


def set_login(db, conf, login, password):
    """Give ``login`` (created as an internal user if missing) the password ``password``."""
    script = SET_LOGIN.format(login=login, password=password)
    out = subprocess.run(
        odoo_bin_cmd() + ["shell", "-c", str(conf), "-d", db, "--no-http", "--log-level", "warn"],
        input=script,
        text=True,
        capture_output=True,
        timeout=300,
    )
    if out.returncode != 0:
        raise RuntimeError(f"could not set the password of {login}: {out.stderr[-2000:]}")


def demo_password():
    """The demo admin password: generated once per checkout, kept in .local/secrets.env."""
    path = LOCAL / "secrets.env"
    lines = path.read_text().splitlines() if path.exists() else []
    for line in lines:
        if line.startswith("DEMO_ADMIN_PASSWORD="):
            return line.split("=", 1)[1]
    password = secrets.token_urlsafe(9)
    LOCAL.mkdir(exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as fh:
        fh.write(f"DEMO_ADMIN_PASSWORD={password}\n")
    return password


def web_login(base_url, login, password):
    """Log in through the real /web/login form; return the page the user lands on."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base_url}/web/login", timeout=30).read().decode()
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if not match:
        raise RuntimeError("no csrf_token on /web/login")
    data = urllib.parse.urlencode(
        {"login": login, "password": password, "csrf_token": match.group(1), "redirect": ""}
    ).encode()
    resp = opener.open(f"{base_url}/web/login", data=data, timeout=60)
    return resp.geturl(), resp.read().decode()


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("action", choices=["start", "stop", "login", "status", "spawn"])
    parser.add_argument("--db")
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument("--conf", default=str(LOCAL / "odoo.conf"))
    parser.add_argument("--name", default="odoo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--env-file")
    argv = sys.argv[1:]
    cmd = argv[argv.index("--") + 1 :] if "--" in argv else []
    argv = argv[: argv.index("--")] if "--" in argv else argv
    args = parser.parse_args(argv)
    if args.action == "start":
        print(start(args.db, args.port, args.conf, args.name))
    elif args.action == "stop":
        print("stopped" if stop(args.name) else "not running")
    elif args.action == "status":
        pid = read_pid(args.name)
        print(f"running (pid {pid})" if pid else "not running")
        sys.exit(0 if pid else 1)
    elif args.action == "spawn":
        if not cmd:
            parser.error("spawn needs the command after --")
        print(spawn(args.name, cmd, args.env_file))
    elif args.action == "login":
        password = demo_password()
        set_login(args.db, args.conf, args.login, password)
        print(password)


if __name__ == "__main__":
    main()
