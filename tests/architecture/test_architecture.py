"""The architecture, held by the build (issue 8): import contracts (.importlinter), the type
checker (mypy.ini), no file importing another file's private name, and one shape for every module.

Each check is also shown to fail on a planted violation, so none of them can pass vacuously.
"""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CORE = "core"
# The file roles of every module (docs/architecture.md, "The module shape").
ROLES = ("models", "schemas", "rules", "api", "reactions", "jobs")
# A module has stream reactions and scheduled jobs only when it has such work (app.py's handler table,
# chalicelib/handler_table.py, then names them, so one named there and missing fails at once); the other
# roles every module has.
OPTIONAL_ROLES = ("reactions", "jobs")
BANNED_NAMES = ("utils", "helpers", "manager", "misc", "common")


def modules() -> list[str]:
    return sorted(p.name for p in (ROOT / "chalicelib").iterdir()
                  if p.is_dir() and (p / "__init__.py").exists() and p.name != CORE)


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=root, capture_output=True, text=True,
                          timeout=600)


# ------------------------------------------------------------------ private names
def _module_of(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(current: str, is_package: bool, module: str | None, level: int) -> str:
    if level == 0:
        return module or ""
    base = current.split(".") if is_package else current.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _is_module(name: str, root: Path) -> bool:
    p = root.joinpath(*name.split("."))
    return p.with_suffix(".py").exists() or (p / "__init__.py").exists()


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(root: Path) -> list[str]:
    """Every place a file imports another file's `_private` name (`from x import _y`, `x._y`)."""
    found = []
    files = [root / "app.py", *sorted((root / "chalicelib").rglob("*.py"))]
    for path in files:
        tree = ast.parse(path.read_text(), filename=str(path))
        current = _module_of(path, root)
        is_package = path.name == "__init__.py"
        module_aliases: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                source = _resolve(current, is_package, node.module, node.level)
                for alias in node.names:
                    if _private(alias.name):
                        found.append(f"{path.relative_to(root)}:{node.lineno} imports {source}.{alias.name}")
                    elif _is_module(f"{source}.{alias.name}", root):
                        module_aliases.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if any(_private(part) for part in alias.name.split(".")):
                        found.append(f"{path.relative_to(root)}:{node.lineno} imports {alias.name}")
                    module_aliases.add(alias.asname or alias.name.split(".")[0])
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Name)
                    and node.value.id in module_aliases):
                found.append(f"{path.relative_to(root)}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


def test_no_file_imports_another_files_private_name() -> None:
    assert private_imports(ROOT) == []


def test_the_private_name_check_catches_a_job_importing_a_private_name(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    jobs = copy / "chalicelib" / "expenses" / "jobs.py"
    jobs.write_text(jobs.read_text() + "\nfrom chalicelib.expenses.rules import _planted  # noqa\n")
    assert any("_planted" in f for f in private_imports(copy))


# ------------------------------------------------------------------ import contracts
def test_import_contracts_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_job_importing_the_routes_breaks_the_contracts(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    jobs = copy / "chalicelib" / "expenses" / "jobs.py"
    jobs.write_text(jobs.read_text() + "\nfrom chalicelib.expenses.api import expenses as _planted  # noqa\n")
    result = lint_imports(copy)
    assert result.returncode != 0 and "chalicelib.expenses.jobs" in result.stdout, result.stdout


def test_every_module_is_under_the_contracts() -> None:
    config = (ROOT / ".importlinter").read_text()
    layers = next(line for line in config.splitlines() if "chalicelib.expenses |" in line)
    for name in modules():
        assert f"chalicelib.{name}" in layers, f"add chalicelib.{name} to the modules contract"
        assert f"    chalicelib.{name}\n" in config.split("[importlinter:contract:module-layers]")[1], (
            f"add chalicelib.{name} to module-layers' containers")


# ------------------------------------------------------------------ one shape
@pytest.mark.parametrize("name", modules())
def test_each_module_has_the_same_file_roles(name: str) -> None:
    folder = ROOT / "chalicelib" / name
    app = (ROOT / "app.py").read_text() + (ROOT / "chalicelib" / "handler_table.py").read_text()
    for role in ROLES:
        if role in OPTIONAL_ROLES and f"chalicelib.{name}.{role}" not in app:
            continue
        assert (folder / f"{role}.py").exists() or (folder / role / "__init__.py").exists(), f"{name} has no {role}"
    for path in folder.rglob("*.py"):
        stem = path.stem
        assert not stem.endswith(("_api", "_schemas", "_rules")), f"{path}: routes, schemas and rules have one home"
        assert stem not in BANNED_NAMES, f"{path}: name what it is"


# ------------------------------------------------------------------ types
def test_type_checker_passes() -> None:
    result = subprocess.run([str(BIN / "mypy")], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    copy.mkdir()
    shutil.copytree(ROOT / "chalicelib", copy / "chalicelib", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("app.py", ".importlinter"):
        shutil.copy(ROOT / name, copy / name)
    return copy


# ------------------------------------------------------------------ the contract of a route
def test_a_route_without_a_response_model_fails_at_import() -> None:
    from chalice import Blueprint

    from chalicelib.core import web

    with pytest.raises(TypeError, match="response"):
        web.route(Blueprint("planted"), "/planted")  # type: ignore[call-arg]


def test_a_view_answering_a_dict_instead_of_its_model_is_a_contract_violation() -> None:
    from chalicelib.core import web
    from chalicelib.core.schemas import HealthOut

    doc = web.RouteDoc("/planted", "GET", "", None, HealthOut, 200, (), True, None)
    assert web.answer(doc, HealthOut(status="ok")).status_code == 200
    with pytest.raises(web.ContractViolation):
        web.answer(doc, {"status": "ok"})
    with pytest.raises(web.ContractViolation):
        web.answer(doc, web.Reply(HealthOut(status="ok"), 201))


def test_every_route_declares_its_response() -> None:
    import app  # noqa: F401  (mounts every route)
    from chalicelib.core import web

    docs = web.load_routes()
    assert len(docs) >= 73
    for d in docs:
        assert isinstance(d.response, (web.NoContent, web.Media)) or issubclass(d.response, web.BaseModel), d


# ------------------------------------------------------------------ one name per model in the document
def schema_class_names(root: Path) -> dict[str, list[str]]:
    """Every pydantic model class of core's and the modules' schemas, by name: the OpenAPI document
    keys its components by class name, so two classes of one name would share one schema."""
    found: dict[str, list[str]] = {}
    for path in sorted((root / "chalicelib").glob("*/schemas.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef):
                found.setdefault(node.name, []).append(str(path.relative_to(root)))
    return found


def test_request_and_response_models_have_one_name_across_modules() -> None:
    assert {name: files for name, files in schema_class_names(ROOT).items() if len(files) > 1} == {}


def test_the_name_check_catches_a_module_reusing_another_modules_model_name(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    schemas = copy / "chalicelib" / "inventory" / "schemas.py"
    schemas.write_text(schemas.read_text() + "\n\nclass CategoryOut(Out):\n    slug: str\n")
    assert "CategoryOut" in {n for n, files in schema_class_names(copy).items() if len(files) > 1}


# ------------------------------------------------------------------ the route table app.py mounts
def test_the_route_table_matches_the_route_modules() -> None:
    """app.py mounts each module's routes from chalicelib/route_table.py without importing the module: a
    route missing from the table would never be reachable, so the table must be what the modules say."""
    from local import routes

    assert (ROOT / "chalicelib" / "route_table.py").read_text() == routes.render(), "stale: run `make routes`"


def test_import_app_loads_no_route_module_and_a_request_loads_only_its_own() -> None:
    """Nor a module's reactions or jobs (chalicelib/handler_table.py, core.handlers): a stream function
    loads its own on its first invocation."""
    code = ("import sys, app; from chalice.test import Client; from local.lambda_events import FakeContext; "
            "mods = lambda: sorted(m for m in sys.modules if m.endswith(('.api', '.reactions', '.jobs', '.mailer')) "
            "and m.startswith('chalicelib.')); "
            "before = mods(); Client(app.app).http.get('/health'); "
            "Client(app.app).http.get('/orgs/x/helpdesk/sla'); "
            "app.on_helpdesk_mail_sent({'Records': []}, FakeContext('on_helpdesk_mail_sent')); print(before, mods())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1"})
    before, after = out.stdout.strip().rsplit("] [", 1)
    assert before == "[" and "chalicelib.helpdesk.api" in after and "chalicelib.helpdesk.reactions" in after, out.stdout
    assert not any(m.startswith("'chalicelib.cars.") or m.endswith(".jobs'") for m in after.split(", ")), out.stdout
