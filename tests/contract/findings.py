"""Turn a contract pass's JUnit report into a Markdown list of findings: operation, check, the
response and the request that reproduces it.

    python -m tests.contract.findings REPORT_DIR_OR_JUNIT_XML > findings.md
"""
from __future__ import annotations

import pathlib
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter

CASE = re.compile(r"^\d+\. Test Case ID: (\S+)", re.M)
CHECK = re.compile(r"^- (ST\d+) (.+)$", re.M)
STATUS = re.compile(r"^\[(\d{3})\] [^\n]*:\n\n\s*`(.*?)`\s*$", re.M | re.S)
CURL = re.compile(r"^\s*(curl .+)$", re.M)


def findings(junit: pathlib.Path) -> list[dict[str, str]]:
    """One row per failing test case and check."""
    rows = []
    for testcase in ET.parse(junit).getroot().iter("testcase"):
        for failure in testcase.iter("failure"):
            text = failure.text or ""
            starts = [m.start() for m in CASE.finditer(text)] + [len(text)]
            for begin, end in zip(starts, starts[1:]):
                block = text[begin:end]
                status = STATUS.search(block)
                curl = CURL.search(block)
                checks = CHECK.findall(block)
                detail = block.split("\n\n[")[0]
                detail_lines = [ln.strip() for ln in detail.splitlines()[1:]
                                if ln.strip() and not CHECK.match(ln.strip())]
                method = curl.group(1).split()[2] if curl else ""
                for code, title in checks:
                    rows.append({
                        "operation": testcase.get("name", ""),
                        "method_sent": method,
                        "check": f"{code} {title}",
                        "detail": " ".join(detail_lines)[:300],
                        "status": status.group(1) if status else "",
                        "body": (status.group(2) if status else "")[:300],
                        "curl": curl.group(1) if curl else "",
                    })
    return rows


def markdown(rows: list[dict[str, str]]) -> str:
    """A count per check, then per check one row per finding; findings that differ only by the
    operation (TRACE answered by the HTTP server, say) are one row naming every operation."""
    def cell(v: str) -> str:
        return v.replace("|", "\\|").replace("\n", " ")

    def said(r: dict[str, str]) -> str:
        body = " ".join(r["body"].split())[:200]
        return f"{r['detail']} — `{body}`" if r["detail"] and body else (r["detail"] or f"`{body}`")

    out = ["| check | findings |", "|---|---|"]
    out += [f"| {check} | {n} |" for check, n in Counter(r["check"] for r in rows).most_common()]
    for check in sorted({r["check"] for r in rows}):
        out += ["", f"## {check}", "", "| operation | sent | status | response / detail | reproduce |",
                "|---|---|---|---|---|"]
        groups: dict[tuple[str, str, str], list[dict[str, str]]] = {}
        for r in sorted((r for r in rows if r["check"] == check), key=lambda r: r["operation"]):
            groups.setdefault((r["method_sent"], r["status"], said(r)), []).append(r)
        for (sent, status, text), members in groups.items():
            if len(members) > 3:
                ops = ", ".join(m["operation"] for m in members)
                out.append(f"| {len(members)} operations: {cell(ops)} | {sent} | {status} | {cell(text)} | "
                           f"`{cell(members[0]['curl'])}` |")
            else:
                out += [f"| {cell(m['operation'])} | {sent} | {status} | {cell(text)} | `{cell(m['curl'])}` |"
                        for m in members]
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> None:
    path = pathlib.Path(argv[1])
    junit = max(path.glob("junit-*.xml")) if path.is_dir() else path
    sys.stdout.write(markdown(findings(junit)))


if __name__ == "__main__":
    main(sys.argv)
