#!/usr/bin/env python3
"""Check the conformance corpus: every case file follows DESIGN.md's case format exactly.

Usage: python3 tests/cases/check_format.py [DIR]   (default: the directory of this script)

Checks field names at file and request level (unknown fields are errors), value types, the
`expect` values, that every file cites an AWS documentation URL in `source`, that `confidence`
is `documented` or `inferred` (an `inferred` case explains itself in `confidence_note`), and that
every row of docs/semantics.md §1.5 (1..31) is named in some request's `note`. Prints the number of
files and requests; exits 1 on any problem.
"""
import json
import pathlib
import re
import sys

FILE_FIELDS = {"name", "identity_policies", "resource_policy", "permission_boundary",
               "session_policy", "scps", "rcps", "requests", "derive_context",
               "allow_unknown", "note", "source", "confidence", "confidence_note"}
REQUEST_FIELDS = {"name", "principal", "action", "resource", "resource_account", "context",
                  "expect", "allow_unknown", "note", "source", "confidence", "confidence_note"}
EXPECT = {"Allowed", "ExplicitDeny", "ImplicitDeny"}
CONFIDENCE = {"documented", "inferred"}
SOURCE = re.compile(r"^https://docs\.aws\.amazon\.com/\S+ \(section: .+\)$")
ROW = re.compile(r"SEMANTICS §1\.5 row (\d+)")
SERVICE = re.compile(r"^[a-z0-9.-]+\.(amazonaws\.com(\.cn)?|amazon\.com)$")
ROWS = set(range(1, 32))


def is_policy(value):
    return isinstance(value, str) or (isinstance(value, dict) and "Statement" in value)


def is_scalar(value):
    return isinstance(value, (str, bool, int, float)) and value is not None


def check_doc_fields(obj, where, problems):
    for key in ("note", "source", "confidence_note"):
        if key in obj and not isinstance(obj[key], str):
            problems.append(f"{where}.{key}: expected a string")
    if "confidence" in obj:
        if obj["confidence"] not in CONFIDENCE:
            problems.append(f"{where}.confidence: expected one of {sorted(CONFIDENCE)}")
        if obj["confidence"] == "inferred" and not obj.get("confidence_note"):
            problems.append(f"{where}: `inferred` without `confidence_note`")
    if "source" in obj and not SOURCE.match(obj["source"]):
        problems.append(f"{where}.source: expected `https://docs.aws.amazon.com/... (section: ...)`")


def check_levels(value, where, problems):
    if not isinstance(value, list):
        problems.append(f"{where}: expected a list")
        return
    nested = [isinstance(v, list) for v in value]
    if any(nested) and not all(nested):
        problems.append(f"{where}: mixes a flat list with levels")
    for i, level in enumerate(value):
        for j, p in enumerate(level if isinstance(level, list) else [level]):
            if not is_policy(p):
                problems.append(f"{where}[{i}][{j}]: expected a policy")


def check_allow_unknown(obj, where, problems):
    """`allow_unknown` turns off the catalogue check: it must be `true` and say why in `note`."""
    if "allow_unknown" in obj:
        if obj["allow_unknown"] is not True:
            problems.append(f"{where}.allow_unknown: expected `true` (or leave it out)")
        if not obj.get("note"):
            problems.append(f"{where}: `allow_unknown` needs a `note` saying why")


def check_file(path, problems, rows):
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        problems.append(f"{path}: {err}")
        return 0
    where = str(path)
    if not isinstance(doc, dict):
        problems.append(f"{where}: expected an object")
        return 0
    for key in doc.keys() - FILE_FIELDS:
        problems.append(f"{where}: unknown field `{key}`")
    for key in ("name", "source", "requests"):
        if key not in doc:
            problems.append(f"{where}: missing `{key}`")
    check_doc_fields(doc, where, problems)
    check_allow_unknown(doc, where, problems)
    if "derive_context" in doc and not isinstance(doc["derive_context"], bool):
        problems.append(f"{where}.derive_context: expected a boolean")
    if not all(is_policy(p) for p in doc.get("identity_policies", [])):
        problems.append(f"{where}.identity_policies: expected policies")
    for key in ("resource_policy", "permission_boundary", "session_policy"):
        if doc.get(key) is not None and not is_policy(doc[key]):
            problems.append(f"{where}.{key}: expected a policy or null")
    for key in ("scps", "rcps"):
        if key in doc:
            check_levels(doc[key], f"{where}.{key}", problems)
    requests = doc.get("requests", [])
    if not isinstance(requests, list) or not requests:
        problems.append(f"{where}.requests: expected a non-empty list")
        return 0
    for i, r in enumerate(requests):
        rw = f"{where}.requests[{i}]"
        if not isinstance(r, dict):
            problems.append(f"{rw}: expected an object")
            continue
        for key in r.keys() - REQUEST_FIELDS:
            problems.append(f"{rw}: unknown field `{key}`")
        for key in ("principal", "action", "resource", "expect"):
            if key not in r:
                problems.append(f"{rw}: missing `{key}`")
        p = r.get("principal")
        arn_or_service = isinstance(p, str) and (p.startswith("arn:") or SERVICE.match(p))
        if not arn_or_service and p != {"type": "Anonymous"}:
            problems.append(f"{rw}.principal: expected an ARN, a service principal or "
                            f"{{\"type\": \"Anonymous\"}}")
        if r.get("expect") not in EXPECT:
            problems.append(f"{rw}.expect: expected one of {sorted(EXPECT)}")
        ctx = r.get("context", {})
        if not isinstance(ctx, dict):
            problems.append(f"{rw}.context: expected an object")
        else:
            for k, v in ctx.items():
                ok = is_scalar(v) or (isinstance(v, list) and all(is_scalar(x) for x in v))
                if not ok:
                    problems.append(f"{rw}.context.{k}: expected a scalar or a list of scalars")
        check_doc_fields(r, rw, problems)
        check_allow_unknown(r, rw, problems)
        for m in ROW.finditer(r.get("note", "")):
            rows.add(int(m.group(1)))
    return len(requests)


def main():
    base = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent)
    problems, rows = [], set()
    files = sorted(base.rglob("*.json"))
    count = sum(check_file(f, problems, rows) for f in files)
    missing = sorted(ROWS - rows)
    if missing:
        problems.append(f"SEMANTICS §1.5 rows not named in any note: {missing}")
    for p in problems:
        print(p)
    print(f"{len(files)} files, {count} requests, {len(rows & ROWS)}/31 §1.5 rows")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
