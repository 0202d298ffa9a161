"""Chalice's CDK construct, with the packages the Lambda runtime already provides left out.

PynamoDB depends on botocore, so `chalice package` ships 16 MB of botocore (and its friends) that
the Python Lambda runtime already has: we drop them from deployment.zip before it becomes an asset.
bench/run.py builds the same asset with `package_asset` to print its size.
"""
from __future__ import annotations

import os
import zipfile
from typing import Any

from chalice.cdk import Chalice

RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "dateutil", "jmespath", "urllib3", "six.py",
                    "python_dateutil", "_distutils_hack")


def _provided(name: str) -> bool:
    top = name.split("/", 1)[0]
    base = top.split("-", 1)[0].lower() if top.endswith((".dist-info", ".data")) else top
    return any(base == p or base == p.replace(".py", "") for p in RUNTIME_PROVIDED)


def slim(path: str) -> None:
    """Rewrite a deployment.zip without what the Lambda runtime provides."""
    tmp = path + ".slim"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if not _provided(info.filename):
                dst.writestr(info, src.read(info))
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
