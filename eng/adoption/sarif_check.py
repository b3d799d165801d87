"""Checks one build's SARIF 2.1 log for the configuration check (check-configuration.sh).

usage: sarif_check.py LOG REPO_ROOT EXPECTATIONS
EXPECTATIONS: space-separated FOLDER:RULE=LEVEL, LEVEL one of error, warning, note, absent.
Also checks what a CI upload needs: SARIF 2.1.0, and for every AsyncPitfalls rule with a result, rule metadata
(a short description, the category) and a help link to the rule's page that exists in this repository.
"""
import json
import sys
from pathlib import Path

log_path, repo_root, expectations = sys.argv[1], Path(sys.argv[2]), sys.argv[3].split()
log = json.loads(Path(log_path).read_text(encoding="utf-8-sig"))
failures = []

if log.get("version") != "2.1.0":
    failures.append(f"SARIF version is {log.get('version')!r}, not 2.1.0 (was ',version=2.1' split off the ErrorLog value?)")

run = log["runs"][0]
rules = {rule["id"]: rule for rule in run["tool"]["driver"].get("rules", [])}
found = {}
for result in run.get("results", []):
    rule_id = result["ruleId"]
    if not rule_id.startswith("AP"):
        continue
    if result.get("suppressions"):
        continue
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    folder = Path(uri.replace("file://", "")).parent.name
    found[(folder, rule_id)] = result.get("level", "warning")

for expectation in expectations:
    where, level = expectation.split("=")
    folder, rule_id = where.split(":")
    actual = found.get((folder, rule_id), "absent")
    if actual != level:
        failures.append(f"{folder}/Worker.cs {rule_id}: expected {level}, got {actual}")

for rule_id in sorted({rule_id for _, rule_id in found}):
    rule = rules.get(rule_id)
    if rule is None:
        failures.append(f"{rule_id}: no rule metadata in the log")
        continue
    help_uri = rule.get("helpUri", "")
    page = f"docs/rules/{rule_id}.md"
    if not help_uri.endswith("/" + page):
        failures.append(f"{rule_id}: help link {help_uri!r} does not point to {page}")
    elif not (repo_root / page).is_file():
        failures.append(f"{rule_id}: {page} does not exist")
    if not rule.get("shortDescription", {}).get("text"):
        failures.append(f"{rule_id}: no short description")
    if not rule.get("properties", {}).get("category", "").startswith("AsyncPitfalls."):
        failures.append(f"{rule_id}: no AsyncPitfalls category")

if failures:
    print("\n".join("FAIL: " + failure for failure in failures))
    sys.exit(1)
