"""Chalice's CDK construct, with the packages the Lambda runtime already provides left out.

PynamoDB depends on botocore, so `chalice package` ships 16 MB of botocore (and its friends) that
the Python Lambda runtime already has: we drop them from deployment.zip before it becomes an asset.
"""
from __future__ import annotations

import os
import zipfile

from chalice.cdk import Chalice

RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "dateutil", "jmespath", "urllib3", "six.py",
                    "python_dateutil", "_distutils_hack")


def _provided(name: str) -> bool:
    top = name.split("/", 1)[0]
    base = top.split("-", 1)[0].lower() if top.endswith((".dist-info", ".data")) else top
    return any(base == p or base == p.replace(".py", "") for p in RUNTIME_PROVIDED)


class SlimChalice(Chalice):
    def _package_app(self) -> None:
        super()._package_app()
        path = os.path.join(self._sam_package_dir, "deployment.zip")
        slim = path + ".slim"
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(slim, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                if not _provided(info.filename):
                    dst.writestr(info, src.read(info))
        os.replace(slim, path)
