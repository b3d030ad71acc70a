"""gunicorn for the load test: started as production starts it, on 127.0.0.1 only, serving
crm/wsgi.py's application at the bench's clock (bench/load/app.py).

With the repository's gunicorn.conf.py present, that file decides (workers, timeouts, …) and
only the address is overridden — a command-line flag wins over the config file in gunicorn.
Without it, the workers are 2 × cores + 1, gunicorn's own rule of thumb.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "gunicorn.conf.py"
HOST = "127.0.0.1"
APP = "bench.load.app:application"  # crm.wsgi's, at the bench's clock


@dataclass
class Server:
    port: int
    command: list[str]
    workers: int | None
    config: str | None
    log: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def describe(self) -> dict:
        return {
            "command": " ".join(self.command[2:]),  # without the interpreter and its -m
            "config": self.config,
            "workers": self.workers,
            "bind": f"{HOST}:{self.port}",
        }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def command(port: int) -> tuple[list[str], str | None]:
    cmd = [sys.executable, "-m", "gunicorn"]
    if CONFIG.exists():
        cmd += ["--config", str(CONFIG)]
        config = CONFIG.name
    else:
        cmd += ["--workers", str(2 * (os.cpu_count() or 1) + 1)]
        config = None
    return [*cmd, "--bind", f"{HOST}:{port}", APP], config


def resolved_workers(cmd: list[str], env: dict) -> int | None:
    """The worker count gunicorn will really use (config file, environment and flags resolved)."""
    printed = subprocess.run(
        [*cmd[:-1], "--print-config", cmd[-1]],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    found = re.search(r"^workers\s*=\s*(\d+)", printed.stdout, re.MULTILINE)
    return int(found.group(1)) if found else None


def start(port: int, env: dict, log: Path) -> Server:
    cmd, config = command(port)
    server = Server(port, cmd, resolved_workers(cmd, env), config, log)
    with open(log, "w") as out:
        server.process = subprocess.Popen(
            cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    wait_until_up(server)
    return server


def wait_until_up(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited ({server.process.returncode}):\n{tail(server.log)}"
            )
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    stop(server)
    raise RuntimeError(
        f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{tail(server.log)}"
    )


def stop(server: Server) -> None:
    """SIGTERM to the gunicorn master this module started: its workers finish and exit."""
    process = server.process
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
