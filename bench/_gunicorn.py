"""Start and stop gunicorn servers of the app for benchmarks and process-level tests."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(**settings: str) -> dict[str, str]:
    """This process's environment without any CONFAPP_* variable, plus these CONFAPP_ settings.

    Dropping inherited CONFAPP_* keeps a stray CONFAPP_MAIL_URL (or a database URL) of the
    shell from leaking into a benchmark.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFAPP_")}
    env.update({f"CONFAPP_{key}": value for key, value in settings.items()})
    env["PYTHONPATH"] = str(ROOT)
    return env


class Server:
    """One gunicorn master with its workers, in its own process group."""

    def __init__(
        self,
        *,
        env: dict[str, str],  # the whole environment, see app_env()
        workers: int,
        threads: int = 1,
        port: int | None = None,
        log_path: Path,
        app_spec: str = "confapp:create_app()",
        timeout: int = 120,
    ) -> None:
        self.port = port or free_port()
        self.workers = workers
        self.log_path = log_path
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{self.port}",
            "--backlog",
            "2048",
            "--timeout",
            str(timeout),
            "--log-level",
            "warning",
            app_spec,
        ]
        with open(log_path, "ab") as log:
            # Own session: stop() signals the master and every worker at once.
            self.proc = subprocess.Popen(
                command,
                cwd=str(ROOT),
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )

    def wait_ready(self, path: str, timeout: float = 120.0) -> None:
        """Wait until the server answers 200 on `path` often enough to have warmed every worker."""
        deadline = time.monotonic() + timeout
        hits = 0
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}"
                )
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", path)
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    hits += 1
                    # Workers boot (and import the app) lazily; several hits reach most of them.
                    if hits >= 3 * self.workers:
                        return
                    continue
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(
            f"gunicorn on port {self.port} did not answer in {timeout:.0f} s:\n{self.log_tail()}"
        )

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the server's log."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the master and its workers (TERM, then KILL after 10 s)."""
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        except ProcessLookupError:
            pass
