"""The local stack as a user runs it: `python -m local.stack` in a subprocess, over real HTTP."""
from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


class LocalStack:
    def __init__(self, state_dir: pathlib.Path):
        self.state_dir = state_dir
        self.proc: subprocess.Popen | None = None
        self.outputs: dict = {}

    def start(self, timeout: float = 90) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TALLY_", "AWS_", "MOTO_"))}
        path = self.state_dir / "outputs.json"
        path.unlink(missing_ok=True)  # a killed stack's outputs must not pass for the new one's
        self.log = open(self.state_dir / "stack.log", "ab")  # noqa: SIM115 (open while the stack runs)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "local.stack", "--state-dir", str(self.state_dir), "--aws-port", "0",
             "--api-port", "0", "--dashboard-port", "0", "--snapshot-every", "1"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if path.exists():
                self.outputs = json.loads(path.read_text())
                assert self.outputs["pid"] == self.proc.pid
                return self.outputs
            if self.proc.poll() is not None:
                raise RuntimeError("the local stack exited: " + (self.state_dir / "stack.log").read_text()[-3000:])
            time.sleep(0.2)
        raise RuntimeError("the local stack did not get ready")

    def stop(self, timeout: float = 60) -> int:
        """Ctrl-C, as a person stops `make run`; the exit code (0 when it stopped cleanly)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout)
        self.log.close()
        return code

    def kill(self) -> None:
        """kill -9: no drain, no final snapshot."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(30)
        self.log.close()


@pytest.fixture(scope="session")
def stack_factory(tmp_path_factory):
    started: list[LocalStack] = []

    def make(state_dir: pathlib.Path | None = None) -> LocalStack:
        s = LocalStack(state_dir or tmp_path_factory.mktemp("stack"))
        started.append(s)
        return s

    yield make
    for s in started:
        if s.proc and s.proc.poll() is None:
            s.proc.kill()


@pytest.fixture(scope="session")
def local_stack(stack_factory):
    """The whole stack (`python -m local.stack`) on free ports with a fresh state dir, for the session;
    yields its outputs.json and stops it with Ctrl-C (SIGINT) at the end."""
    s = stack_factory()
    out = s.start()
    yield out
    assert s.stop() == 0, (s.state_dir / "stack.log").read_text()[-3000:]
