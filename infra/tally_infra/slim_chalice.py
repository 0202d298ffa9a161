"""Chalice's CDK construct, with the packages the Lambda runtime already provides left out, and the
rest shipped with its bytecode.

PynamoDB depends on botocore, so `chalice package` ships 16 MB of botocore (and its friends) that
the Python Lambda runtime already has: we drop them from deployment.zip before it becomes an asset.

`chalice package` ships sources only, and /var/task is read-only, so every cold start would compile
app.py, chalicelib/ and the dependencies from source again. Each module is shipped with its bytecode
(`__pycache__/<name>.cpython-3XY.pyc`, unchecked-hash: a zip keeps no reliable mtimes), compiled by the
Python that packages the app, which is the Lambda runtime's version (infra pins it).
bench/run.py builds the same asset with `package_asset` to print its size and time its import.
"""
from __future__ import annotations

import importlib.util
import os
import pathlib
import posixpath
import py_compile
import subprocess
import sys
import tempfile
import zipfile
from typing import Any

from chalice.cdk import Chalice

RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "dateutil", "jmespath", "urllib3", "six.py",
                    "python_dateutil", "_distutils_hack")


# Files of the packaged dependencies nothing in the app ever reads: Powertools' Swagger UI bundle (0.45 MB
# zipped) is served only by Powertools' own REST resolvers (`enable_swagger`); Tally's routes are Chalice's.
NEVER_READ = ("aws_lambda_powertools/event_handler/openapi/swagger_ui/swagger-ui-bundle.min.js",
              "aws_lambda_powertools/event_handler/openapi/swagger_ui/swagger-ui.min.css")


# Packages a dependency requires that the app never imports: dnspython serves only email-validator's
# deliverability (MX) check, which Tally turns off (core.schemas); tests/contract/test_emails.py checks
# that validating an address imports no `dns`.
# pydantic/v1 is pydantic 1's API kept inside pydantic 2 for code not yet migrated: nothing here imports it
# (app, chalicelib, Powertools, PynamoDB, Chalice, email-validator: checked by tests/infra).
# icalendar's wheel carries its own test suite (about 240 kB): the booking invites never import it.
# ddsketch's protobuf (de)serialisation (ddsketch/pb) needs protobuf, which the insights never use: their
# sketches are stored as bin counts in the rollup item.
NEVER_IMPORTED = ("dns/", "dnspython-", "pydantic/v1/", "icalendar/tests/", "ddsketch/pb/")

# Folders of data files never read: holidays' locale/ holds only the translated names of holidays (0.65 MB
# zipped); the SLA calendars need their dates, which come from the country modules (names stay in the
# country's own language). tests/infra checks dates still come out of the asset without it.
# phonenumbers' shortdata/region_*.py is the metadata of short numbers (emergency, carrier services), loaded
# per region only by its short-number functions; core.phones parses, checks and formats full numbers.
NEVER_READ_UNDER = ("holidays/locale/", "phonenumbers/shortdata/region_")

# Type stubs and their markers, for type checkers only: the runtime never reads them.
STUBS = (".pyi", "/py.typed")

# The asset's zip at deflate's highest level: the package is built once per deploy, read at every cold start.
LEVEL = 9


def _provided(name: str) -> bool:
    top = name.split("/", 1)[0]
    base = top.split("-", 1)[0].lower() if top.endswith((".dist-info", ".data")) else top
    return any(base == p or base == p.replace(".py", "") for p in RUNTIME_PROVIDED)


def bytecode(name: str, source: bytes, work: str) -> tuple[str, bytes] | None:
    """The cached-bytecode entry of a zip's `.py` entry: its path in the zip and its content; None for a
    file Python would not import (a template, a file that is not valid Python for this version)."""
    directory, file = posixpath.split(name)
    src = os.path.join(work, "module.py")
    with open(src, "wb") as f:
        f.write(source)
    out = os.path.join(work, "module.pyc")
    try:
        py_compile.compile(src, cfile=out, dfile=name, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    except py_compile.PyCompileError:
        return None
    with open(out, "rb") as f:
        data = f.read()
    cached = importlib.util.cache_from_source(file)  # __pycache__/<name>.<cache tag>.pyc
    return posixpath.join(directory, cached), data


def cold_start_modules(root: str) -> set[str]:
    """The files under `root` (an extracted asset) that a cold start loads: `import app`, then every module
    of chalicelib (the services a first request imports through core.deferred, the stream and schedule
    handlers' modules) and what they import. The runtime's own packages (botocore) come from this
    Python's environment, as on Lambda."""
    code = ("import sys, pkgutil, importlib, app, chalicelib\n"
            "for m in pkgutil.walk_packages(chalicelib.__path__, 'chalicelib.'):\n"
            "    importlib.import_module(m.name)\n"
            "print('\\n'.join(m.__file__ for m in list(sys.modules.values()) if getattr(m, '__file__', None)))")
    env = {**os.environ, "PYTHONPATH": root, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONSAFEPATH": "1"}
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True,
                         check=True, timeout=300)
    prefix = os.path.realpath(root) + os.sep
    return {os.path.relpath(os.path.realpath(f), root).replace(os.sep, "/")
            for f in out.stdout.splitlines() if os.path.realpath(f).startswith(prefix) and f.endswith(".py")}


def slim(path: str) -> None:
    """Rewrite a deployment.zip without what the Lambda runtime provides, and with the bytecode of each
    module a cold start imports (the others stay source only: their bytecode would add 2.7 MB zipped)."""
    tmp = path + ".slim"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=LEVEL) as dst:
        for info in src.infolist():
            # Bytecode `chalice package` copied from a working tree is checked against source mtimes
            # the zip does not keep: it would never be used. Ours replaces it.
            if (not _provided(info.filename) and not info.filename.endswith(".pyc") and info.filename not in NEVER_READ
                    and not info.filename.startswith(NEVER_IMPORTED) and not info.filename.startswith(NEVER_READ_UNDER)
                    and not info.filename.endswith(STUBS)):
                dst.writestr(info, src.read(info), compress_type=zipfile.ZIP_DEFLATED, compresslevel=LEVEL)
    with tempfile.TemporaryDirectory() as root, tempfile.TemporaryDirectory() as work:
        with zipfile.ZipFile(tmp) as z:
            z.extractall(root)
            names = set(z.namelist())
            infos = {i.filename: i for i in z.infolist()}
        with zipfile.ZipFile(tmp, "a", zipfile.ZIP_DEFLATED, compresslevel=LEVEL) as dst:
            for name in sorted(cold_start_modules(root)):
                compiled = bytecode(name, (pathlib.Path(root) / name).read_bytes(), work)
                if compiled is not None and compiled[0] not in names:
                    dst.writestr(zipfile.ZipInfo(compiled[0], date_time=infos[name].date_time), compiled[1],
                                 zipfile.ZIP_DEFLATED, compresslevel=LEVEL)
    os.replace(tmp, path)


def package_asset(project_dir: str, output_dir: str, stage: str = "dev",
                  stage_config: dict[str, Any] | None = None) -> str:
    """`chalice package` then `slim`, as the construct does: the path of the deployment.zip deployed."""
    from chalice import api

    api.package_app(project_dir=project_dir, output_dir=output_dir, stage=stage, chalice_config=stage_config)
    path = os.path.join(output_dir, "deployment.zip")
    slim(path)
    return path


class SlimChalice(Chalice):
    def _package_app(self) -> None:
        super()._package_app()
        slim(os.path.join(self._sam_package_dir, "deployment.zip"))
