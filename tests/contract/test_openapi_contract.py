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


def run_schemathesis(world: dict, report_dir: pathlib.Path, max_examples: int) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "TALLY_CONTRACT_TOKEN": world["token"],
        "TALLY_CONTRACT_IDS": json.dumps({"ids": world["ids"], "items": world["items"]}),
    }
    cli = pathlib.Path(sys.executable).with_name("schemathesis")
    return subprocess.run(
        [str(cli), "--no-color", "--config-file", str(CONFIG), "run", f"{world['api_url']}/openapi.json",
         "--checks", "all", "--max-examples", str(max_examples),
         "--report", "json,junit,pytest", "--report-dir", str(report_dir), *EXTRA_ARGS],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600,
    )


def test_every_operation_keeps_the_documented_contract(contract_world, tmp_path):
    result = run_schemathesis(contract_world, tmp_path, MAX_EXAMPLES)
    (tmp_path / "output.txt").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, (
        f"schemathesis found contract violations (report: {tmp_path}; list them with "
        f"`python -m tests.contract.findings {tmp_path}`):\n" + result.stdout[-20000:] + result.stderr[-3000:])
