"""The output of ``python -m helpers lint``: text, JSON, GitHub Actions annotations, SARIF 2.1.0."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .rules import RULES, page_address, squawk_address
from .run import Report
from .scope import Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FORMATS = ("text", "json", "github", "sarif")


def _where(finding: Finding) -> str:
    try:
        return os.path.relpath(finding.path)
    except ValueError:
        return str(finding.path)


def _address(rule: str) -> str:
    return RULES[rule].address() if rule in RULES else squawk_address(rule)


def _source(rule: str) -> str:
    return "helpers" if rule in RULES else "squawk"


def as_json(report: Report) -> list[dict[str, Any]]:
    return [
        {"path": _where(f), "line": f.line, "column": f.column, "rule": f.rule,
         "name": RULES[f.rule].name if f.rule in RULES else f.rule, "message": f.message,
         "why": RULES[f.rule].why if f.rule in RULES else None, "safe": RULES[f.rule].safe if f.rule in RULES else None,
         "source": _source(f.rule), "url": _address(f.rule)}
        for f in report.findings
    ]


def text_lines(report: Report) -> list[str]:
    lines = []
    for f in report.findings:
        lines.append(f"{_where(f)}:{f.line}:{f.column} {f.rule} {f.message}")
        lines.append(f"    SEE: {_address(f.rule)}")
    count = len(report.findings)
    files = len({f.path for f in report.findings})
    lines.append(f"{count} finding{'s' * (count != 1)} in {files} of {report.files} files." if count
                 else f"No findings in {report.files} file{'s' * (report.files != 1)}.")
    return lines


def _escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def github_lines(report: Report) -> list[str]:
    """One workflow command per finding: ``::error file=...,line=...,col=...,title=...::message``."""
    return [
        f"::error file={_escape(_where(f), True)},line={f.line},col={f.column},"
        f"title={_escape(f.rule, True)}::{_escape(f'{f.message} (see {_address(f.rule)})')}"
        for f in report.findings
    ]


def sarif(report: Report) -> dict[str, Any]:
    used = sorted({f.rule for f in report.findings}, key=lambda r: (r not in RULES, r))
    ids = [*RULES, *[r for r in used if r not in RULES]]
    rules = []
    for rule in ids:
        row = RULES.get(rule)
        rules.append({
            "id": rule,
            "name": row.name if row else rule,
            "shortDescription": {"text": row.message if row else f"squawk: {rule}"},
            "fullDescription": {"text": row.why if row else f"squawk's rule {rule}"},
            "help": {"text": row.safe if row else f"See {squawk_address(rule)}"},
            "helpUri": _address(rule),
            "properties": {"source": _source(rule)},
        })
    index = {rule: n for n, rule in enumerate(ids)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "helpers-lint", "informationUri": page_address(),
                                "rules": rules}},
            "results": [
                {"ruleId": f.rule, "ruleIndex": index[f.rule], "level": "error", "message": {"text": f.message},
                 "locations": [{"physicalLocation": {
                     "artifactLocation": {"uri": Path(_where(f)).as_posix()},
                     "region": {"startLine": f.line, "startColumn": f.column}}}]}
                for f in report.findings
            ],
        }],
    }


def render(report: Report, form: str) -> str:
    if form == "json":
        return json.dumps(as_json(report), indent=2)
    if form == "sarif":
        return json.dumps(sarif(report), indent=2)
    if form == "github":
        return "\n".join(github_lines(report))
    return "\n".join(text_lines(report))
