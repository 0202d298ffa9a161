"""The local stack as a user runs it: `python -m local.stack` in a subprocess, over real HTTP."""
from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import expect

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Playwright's assertions wait 5 s by default: too little for a page that shows what the stream
# worker computed, on a busy 2-core machine. They retry until true, so a longer wait costs nothing
# when the machine is idle.
expect.set_options(timeout=30_000)
# Generous on purpose: the suite runs on small, busy machines (2 cores, other jobs beside it). The
# stack is ready in ~5 s and exits within a second of "Stopped." when the machine is idle.
START_TIMEOUT = 240.0  # until outputs.json exists and /health answers 200
STOP_TIMEOUT = 300.0  # Ctrl-C to exit: API stop, stream drain (up to 60 s), final snapshot
EXIT_AFTER_STOPPED = 30.0  # "Stopped." to the end of the process (target: 10 s, bench/local_stack.py)


class LocalStack:
    def __init__(self, state_dir: pathlib.Path):
        self.state_dir = state_dir
        self.proc: subprocess.Popen | None = None
        self.outputs: dict = {}
        self.exit_after_stopped: float | None = None

    def start(self, timeout: float = START_TIMEOUT, environ: dict | None = None) -> dict:
        """`environ`: the environment to start from (default os.environ; a thread passes a snapshot)."""
        env = {k: v for k, v in (os.environ if environ is None else environ).items()
               if not k.startswith(("TALLY_", "AWS_", "MOTO_"))}
        path = self.state_dir / "outputs.json"
        path.unlink(missing_ok=True)  # a killed stack's outputs must not pass for the new one's
        self.log = open(self.state_dir / "stack.log", "ab")  # noqa: SIM115 (open while the stack runs)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "local.stack", "--state-dir", str(self.state_dir), "--aws-port", "0",
             "--api-port", "0", "--dashboard-port", "0", "--snapshot-every", "1"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.outputs and path.exists():
                self.outputs = json.loads(path.read_text())
                assert self.outputs["pid"] == self.proc.pid
            if self.outputs and self._healthy():
                return self.outputs
            if self.proc.poll() is not None:
                raise RuntimeError("the local stack exited: " + self.log_tail())
            time.sleep(0.2)
        raise RuntimeError(f"the local stack was not ready within {timeout:.0f} s: " + self.log_tail())

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.outputs['api_url']}/health", timeout=5) as r:
                return r.status == 200
        except OSError:
            return False

    def log_tail(self, chars: int = 3000) -> str:
        return (self.state_dir / "stack.log").read_text(errors="replace")[-chars:]

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """Ctrl-C, as a person stops `make run`; the exit code (0 when it stopped cleanly). The process
        must end within EXIT_AFTER_STOPPED seconds of printing "Stopped." (the drain before it may
        take longer on a busy machine: `timeout` bounds the whole stop)."""
        assert self.proc is not None
        log_path = self.state_dir / "stack.log"
        offset = log_path.stat().st_size  # the log is appended to by every start on this state dir
        self.proc.send_signal(signal.SIGINT)
        deadline = time.monotonic() + timeout
        stopped_at = None
        while self.proc.poll() is None and time.monotonic() < deadline:
            if stopped_at is None:
                with log_path.open("rb") as fh:
                    fh.seek(offset)
                    if b"Stopped." in fh.read():
                        stopped_at = time.monotonic()
            time.sleep(0.1)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)
            self.log.close()
            raise AssertionError(f"the local stack did not exit within {timeout:.0f} s of Ctrl-C "
                                 f"(\"Stopped.\" {'printed' if stopped_at else 'not printed'}): " + self.log_tail())
        exited_at = time.monotonic()
        self.log.close()
        if stopped_at is None:
            with log_path.open("rb") as fh:
                fh.seek(offset)
                if b"Stopped." in fh.read():
                    stopped_at = exited_at  # printed and gone within one poll (0.1 s)
        self.exit_after_stopped = None if stopped_at is None else exited_at - stopped_at
        if self.proc.returncode == 0:
            assert self.exit_after_stopped is not None and self.exit_after_stopped <= EXIT_AFTER_STOPPED, (
                f"exited {self.exit_after_stopped} s after \"Stopped.\"", self.log_tail())
        return self.proc.returncode

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


@pytest.fixture(scope="package")
def local_stack(stack_factory):
    """The whole stack (`python -m local.stack`) on free ports with a fresh state dir, for the package
    (tests/e2e; tests/contract imports it and gets its own); yields its outputs.json and stops it with
    Ctrl-C (SIGINT) after the package's last test. Package, not session: the e2e tests run against a
    fresh stack, as when run alone, not one filled with the contract pass's ~13,600 generated requests
    (moto's queries and the stack's snapshots walk all of it), and neither stack idles on, polling its
    streams, through the rest of the suite."""
    s = stack_factory()
    out = s.start()
    yield out
    assert s.stop() == 0, s.log_tail()


@pytest.fixture(scope="package")
def chromium():
    """One headless Chromium (Debian's) for the e2e package, launched once rather than once per module (each
    launch with its Playwright driver took 2-6 s on a busy machine). Tests use it through test_dashboard's
    module-scoped `browser`, which closes the contexts a module opened after its last test."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.test_dashboard import CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
