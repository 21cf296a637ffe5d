"""What the SARIF 2.1.0 schema requires of a log, for the parts ``python -m helpers lint --format sarif`` writes.

The schema itself (sarif-schema-2.1.0.json) is not shipped by any package this project installs; these are its
required properties, enums and minimums for the objects used: sarifLog, run, tool, toolComponent,
reportingDescriptor, multiformatMessageString, result, message, location, physicalLocation, artifactLocation,
region.
"""

from __future__ import annotations

from typing import Any


def sarif_problems(log: dict[str, Any]) -> list[str]:
    """The SARIF 2.1.0 schema's requirements for what this log uses (its required properties, enums, minimums)."""
    problems = []
    if log.get("version") != "2.1.0" or not isinstance(log.get("runs"), list):
        problems.append("version 2.1.0 and runs are required")
    for run_ in log.get("runs", []):
        driver = run_.get("tool", {}).get("driver", {})
        if not isinstance(driver.get("name"), str):
            problems.append("run.tool.driver.name is required")
        rules = driver.get("rules", [])
        for rule in rules:
            if not isinstance(rule.get("id"), str):
                problems.append(f"rule without id: {rule}")
            for key in ("shortDescription", "fullDescription", "help"):
                if key in rule and not isinstance(rule[key].get("text"), str):
                    problems.append(f"{rule['id']}.{key}.text is required")
        for result in run_.get("results", []):
            if not isinstance(result.get("message", {}).get("text"), str):
                problems.append("result.message.text is required")
            if result.get("level") not in ("none", "note", "warning", "error"):
                problems.append(f"level {result.get('level')!r}")
            index = result.get("ruleIndex")
            if index is not None and not (0 <= index < len(rules) and rules[index]["id"] == result["ruleId"]):
                problems.append(f"ruleIndex {index} is not rule {result['ruleId']}")
            for location in result.get("locations", []):
                physical = location["physicalLocation"]
                region = physical["region"]
                if not isinstance(physical["artifactLocation"].get("uri"), str):
                    problems.append("artifactLocation.uri")
                if region.get("startLine", 0) < 1 or region.get("startColumn", 0) < 1:
                    problems.append(f"region {region}")
    return problems
