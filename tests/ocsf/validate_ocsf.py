"""Validates `secaudit audit --format ocsf` output against the OCSF schema, offline.

Usage: validate_ocsf.py FILE   (a JSON array of events)

Each event is validated as an OCSF 1.5.0 Compliance Finding with the models of pydantic-ocsf,
which are generated from the official OCSF schema export it ships: required attributes, types
and enumerations. pydantic-ocsf accepts attributes it does not know, so this script also refuses
any attribute outside the schema (walking every nested object), except `cloud`, which the `cloud`
profile adds and which is validated as the OCSF `cloud` object. Prints `N events valid` or one
line per problem and exits 1.
"""

import json
import sys

from pydantic import BaseModel, ValidationError

from ocsf.v1_5_0.events import ComplianceFinding
from ocsf.v1_5_0.objects import Cloud

PROFILE_ATTRIBUTES = {"cloud": Cloud}


def unknown_attributes(model, path):
    """Paths of attributes the schema does not define, anywhere under `model`."""
    found = []
    extra = getattr(model, "__pydantic_extra__", None) or {}
    for key in extra:
        if path == "" and key in PROFILE_ATTRIBUTES:
            continue
        found.append(f"{path}.{key}" if path else key)
    for name in type(model).model_fields:
        value = getattr(model, name, None)
        found.extend(walk(value, f"{path}.{name}" if path else name))
    return found


def walk(value, path):
    if isinstance(value, BaseModel):
        return unknown_attributes(value, path)
    if isinstance(value, list):
        found = []
        for index, item in enumerate(value):
            found.extend(walk(item, f"{path}[{index}]"))
        return found
    return []


def check(index, event):
    problems = []
    try:
        model = ComplianceFinding.model_validate(event)
    except ValidationError as error:
        return [f"event {index}: {line}" for line in str(error).splitlines()[:6]]
    problems.extend(f"event {index}: `{p}` is not an OCSF 1.5.0 attribute" for p in unknown_attributes(model, ""))
    profiles = event.get("metadata", {}).get("profiles", [])
    if "cloud" in profiles:
        try:
            cloud = Cloud.model_validate(event.get("cloud"))
            problems.extend(f"event {index}: `cloud.{p}` is not an OCSF attribute" for p in unknown_attributes(cloud, ""))
        except ValidationError as error:
            problems.append(f"event {index}: cloud: {str(error).splitlines()[:3]}")
    elif "cloud" in event:
        problems.append(f"event {index}: `cloud` without the `cloud` profile")
    expected = {"class_uid": 2003, "category_uid": 2, "activity_id": 1, "type_uid": 200301}
    for key, value in expected.items():
        if event.get(key) != value:
            problems.append(f"event {index}: {key} is {event.get(key)!r}, expected {value}")
    if event.get("metadata", {}).get("version") != "1.5.0":
        problems.append(f"event {index}: metadata.version is not 1.5.0")
    return problems


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        events = json.load(handle)
    if not isinstance(events, list):
        print("not a JSON array of events")
        return 1
    problems = []
    for index, event in enumerate(events):
        problems.extend(check(index, event))
    if problems:
        for problem in problems[:50]:
            print(problem)
        return 1
    print(f"{len(events)} events valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
