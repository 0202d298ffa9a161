"""The document is the contract: schemathesis drives every operation of `/openapi.json` on the local
stack with every check it has, and any finding fails the build.

Bounded for `make test` (TALLY_CONTRACT_MAX_EXAMPLES examples per operation, 8 by default; `make
contract` runs a deeper pass that reports every failing case, through TALLY_CONTRACT_ARGS) and
deterministic (schemathesis.toml), so a failure here is the same failure on every machine. The report (JSON, JUnit and a pytest file reproducing
each finding) is kept in the pytest temp dir, whose path the failure message names.
"""
from __future__ import annotations

import json
import os
import pathlib
import shlex
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIG = pathlib.Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = int(os.environ.get("TALLY_CONTRACT_MAX_EXAMPLES", "8"))
EXTRA_ARGS = shlex.split(os.environ.get("TALLY_CONTRACT_ARGS", ""))  # `make contract`: --continue-on-failure
TIMEOUT = 3600  # seconds, for the whole schemathesis run


def schemathesis_command(world: dict, report_dir: pathlib.Path, max_examples: int,
                         environ: dict | None = None) -> tuple[list[str], dict]:
    """The schemathesis run over the local stack at world["api_url"]: its arguments and environment
    (`environ`, default os.environ, plus the contract's variables)."""
    environ = os.environ if environ is None else environ
    env = {
        **environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH")])),
        "TALLY_CONTRACT_TOKEN": world["token"],
        "TALLY_CONTRACT_IDS": json.dumps({"ids": world["ids"], "items": world["items"]}),
    }
    cli = pathlib.Path(sys.executable).with_name("schemathesis")
    return [str(cli), "--no-color", "--config-file", str(CONFIG), "run", f"{world['api_url']}/openapi.json",
            "--checks", "all", "--max-examples", str(max_examples),
            "--report", "json,junit,pytest", "--report-dir", str(report_dir), *EXTRA_ARGS], env


def run_schemathesis(world: dict, report_dir: pathlib.Path, max_examples: int) -> subprocess.CompletedProcess:
    args, env = schemathesis_command(world, report_dir, max_examples)
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT)


def test_every_operation_keeps_the_documented_contract(contract_pass):
    """run_schemathesis against a local stack with the seeded world (tests/contract/conftest.py runs it in
    the background while the rest of the suite runs; this test runs last and waits for it)."""
    result, report = contract_pass.result, contract_pass.report_dir
    (report / "output.txt").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, (
        f"schemathesis found contract violations (report: {report}; list them with "
        f"`python -m tests.contract.findings {report}`):\n" + result.stdout[-20000:] + result.stderr[-3000:])
