#!/usr/bin/env python3
"""Writes the fuzz seed corpus (fuzz/seeds/<target>/) from the project's own inputs (the
case_file target's seeds are the case files of tests/cases themselves, used in place): every
policy document in them and in policies/ and
tests/fixtures/bad/policies (policy), and the demo snapshot and the bad snapshot fixtures in the
snapshot target's input format (see fuzz/harness.rs, `snapshot_files`), and the mutes files
and golden JSON reports of tests/ as mutes and baseline pairs (lifecycle, `lifecycle_files`). Deterministic: run it
again after changing those inputs. Usage: python3 fuzz/make_seeds.py (from anywhere)."""
import hashlib
import json
import os
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"
SNAPSHOT_FILES = [
    "snapshot.json",
    "us-east-1/secretsmanager/list-secrets.json",
    "us-east-1/secretsmanager/describe-secret.json",
    "us-east-1/secretsmanager/list-secret-version-ids.json",
    "us-east-1/secretsmanager/get-resource-policy.json",
    "us-east-1/rds/describe-db-clusters.json",
    "us-east-1/rds/describe-db-instances.json",
    "us-east-1/kms/describe-key.json",
    "us-east-1/kms/list-aliases.json",
    "us-east-1/kms/get-key-policy.json",
    "us-east-1/cloudtrail/lookup-events.json",
    "iam/get-account-authorization-details.json",
    "organizations/policies.json",
    "eu-west-1/secretsmanager/list-secrets.json",
    "eu-west-1/kms/get-key-policy.json",
]
SEPARATOR = b"\xff"


def write(target, data):
    directory = SEEDS / target
    directory.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    (directory / name).write_bytes(data)


def policies_in(value):
    """Every policy document (an object with `Statement`) inside a JSON value."""
    if isinstance(value, dict):
        if "Statement" in value:
            yield value
        for child in value.values():
            yield from policies_in(child)
    elif isinstance(value, list):
        for child in value:
            yield from policies_in(child)


def compact(path):
    """A JSON file re-serialised compactly (smaller seeds, same content); raw bytes if not JSON."""
    raw = path.read_bytes()
    try:
        return json.dumps(json.loads(raw), separators=(",", ":")).encode()
    except ValueError:
        return raw


def snapshot_seed(directory, only=None):
    parts = []
    for index, name in enumerate(SNAPSHOT_FILES):
        path = directory / name
        if path.is_file() and (only is None or name in only):
            parts.append(bytes([index]) + compact(path))
    return SEPARATOR.join(parts)


def baseline_seed(path, limit):
    """A JSON report cut to its first `limit` findings, each reduced to what a baseline reads."""
    report = json.loads(path.read_bytes())
    report["findings"] = [
        {
            "rule": finding["rule"],
            "compliance_type": finding["compliance_type"],
            "resource": {key: finding["resource"][key] for key in ("id", "account_id", "region")},
        }
        for finding in report["findings"][:limit]
    ]
    report.pop("summary", None)
    return json.dumps(report, separators=(",", ":")).encode()


def lifecycle_seeds():
    mutes = [compact(path) for path in sorted((ROOT / "tests" / "fixtures" / "lifecycle").glob("*.json"))]
    golden = ROOT / "tests" / "golden"
    baselines = [baseline_seed(golden / name, 60) for name in ("demo.json", "demo-lifecycle.json")]
    for mute in mutes:
        write("lifecycle", mute)
        for baseline in baselines:
            write("lifecycle", mute + SEPARATOR + baseline)
    for baseline in baselines:
        write("lifecycle", b'{"mutes":[]}' + SEPARATOR + baseline)


def main():
    shutil.rmtree(SEEDS, ignore_errors=True)
    for path in sorted((ROOT / "tests" / "cases").rglob("*.json")):
        data = path.read_bytes()
        try:
            value = json.loads(data)
        except ValueError:
            continue
        for policy in policies_in(value):
            write("policy", json.dumps(policy, indent=1).encode())
    for folder in [ROOT / "policies", ROOT / "tests" / "fixtures" / "bad" / "policies"]:
        for path in sorted(folder.rglob("*.json")):
            write("policy", path.read_bytes())
    demo = ROOT / "fixtures" / "snapshots" / "demo"
    write("snapshot", snapshot_seed(demo))
    for name in SNAPSHOT_FILES[1:]:
        if (demo / name).is_file():
            write("snapshot", snapshot_seed(demo, {"snapshot.json", name}))
    for bad in sorted((ROOT / "tests" / "fixtures" / "snapshots" / "bad").iterdir()):
        if bad.is_dir():
            write("snapshot", snapshot_seed(bad))
    lifecycle_seeds()
    for target in sorted(os.listdir(SEEDS)):
        print(target, len(os.listdir(SEEDS / target)))


main()
