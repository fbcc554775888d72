"""The README's first command works as pasted on a fresh machine: in a copy of the project it
makes a virtual environment, installs confapp, and the demo it starts answers."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_PARTS = {".git", ".venv", "venv", "instance", "__pycache__", ".pytest_cache", "node_modules"}


def readme_commands() -> list[str]:
    """The shell commands of the README's "Try it: two commands" section, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Try it: two commands", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S)]


def test_the_readme_gives_two_commands_one_for_the_demo_and_one_for_the_tests():
    demo, tests = readme_commands()[:2]
    for command in (demo, tests):
        assert "\n" not in command, "each is one line to paste"
        assert "python3 -m venv .venv" in command and "pip install -e " in command
    assert demo.endswith("confapp demo")
    assert '".[test]"' in tests and tests.endswith("pytest -n auto")


def _copy_project(target: Path) -> None:
    def ignore(directory: str, names: list[str]) -> set[str]:
        return {n for n in names if n in SKIP_PARTS or n.endswith(".egg-info")}

    shutil.copytree(ROOT, target, ignore=ignore)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _venv_works() -> bool:
    probe = subprocess.run(
        [sys.executable, "-c", "import ensurepip, venv"], capture_output=True, check=False
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _venv_works(), reason="this Python has no venv/ensurepip module")
def test_the_first_command_installs_and_serves_the_demo(tmp_path):
    project = tmp_path / "confapp"
    _copy_project(project)
    port = _free_port()
    command = readme_commands()[0].replace("confapp demo", f"confapp demo --port {port}")
    # A clean shell: not this test run's virtual environment, no confapp settings.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONFAPP_", "VIRTUAL_ENV"))}
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    log = (tmp_path / "demo.log").open("wb")
    process = subprocess.Popen(
        ["bash", "-c", command],
        cwd=project,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/events/cluster-2027"
    try:
        deadline = time.monotonic() + 600
        page = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (local)
                    page = answer.read().decode("utf-8")
                    break
            except OSError:
                time.sleep(1)
        output = (tmp_path / "demo.log").read_text(errors="replace")
        assert page is not None, f"the demo did not answer:\n{output[-3000:]}"
        assert "Changing paradigms of cluster development" in page
        assert "organiser@demo.confapp.org" in output and "demo-password" in output
        assert (project / ".venv" / "bin" / "confapp").exists()
        assert (project / "instance" / "confapp.db").exists()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()
