#!/usr/bin/env python3
"""Writes an account snapshot with N secrets (default 200,000) for the memory benchmark of
`audit` at scale (README, "Memory at scale"): list-secrets and describe-secret entries as the AWS
CLI v2 prints them (tags, rotation, version stages, dates), resource policies for one secret in
ten, version ids for every secret, no IAM data. Deterministic. A 200,000-secret list-secrets.json
is about 270 MB.

    python3 scripts/gen_scale_snapshot.py 200000 /tmp/scale
"""
import json
import os
import sys

count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/scale"
region = "us-east-1"
account = "111122223333"
base = os.path.join(out, region, "secretsmanager")
os.makedirs(base, exist_ok=True)

with open(os.path.join(out, "snapshot.json"), "w") as f:
    json.dump({"schema_version": 1, "account_id": account, "partition": "aws",
               "collected_at": "2026-11-01T00:00:00Z", "regions": [region], "coverage": []}, f)


def secret(i):
    name = f"team{i % 97}/app{i % 1013}/db-credentials-{i}"
    arn = f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-{i % 1000000:06d}"[:-6] + f"{i:06x}"[-6:]
    day = 1 + i % 28
    entry = {
        "ARN": arn, "Name": name,
        "Description": f"Credentials of application {i % 1013} owned by team {i % 97}, rotated monthly",
        "KmsKeyId": f"arn:aws:kms:{region}:{account}:key/{i % 50:08d}-1111-2222-3333-444455556666",
        "RotationEnabled": i % 3 != 0,
        "RotationLambdaARN": f"arn:aws:lambda:{region}:{account}:function:rotate-{i % 40}",
        "RotationRules": {"AutomaticallyAfterDays": 30},
        "LastRotatedDate": f"2026-10-{day:02d}T04:00:00.000000+00:00",
        "LastChangedDate": f"2026-10-{day:02d}T04:00:01.000000+00:00",
        "LastAccessedDate": "2026-10-31T00:00:00+00:00",
        "NextRotationDate": f"2026-11-{day:02d}T23:59:59+00:00",
        "CreatedDate": f"2024-0{1 + i % 9}-{day:02d}T10:11:12.123000+00:00",
        "Tags": [{"Key": "owner", "Value": f"team{i % 97}"}, {"Key": "env", "Value": ["prod", "dev", "staging"][i % 3]},
                 {"Key": "app", "Value": f"app{i % 1013}"}, {"Key": "cost-center", "Value": f"cc-{i % 311}"}],
        "SecretVersionsToStages": {f"{i:08x}-aaaa-bbbb-cccc-{i:012x}": ["AWSCURRENT"],
                                   f"{i:08x}-dddd-eeee-ffff-{i:012x}": ["AWSPREVIOUS"]},
    }
    return entry


def write_array(path, items):
    with open(path, "w") as f:
        f.write("[")
        for n, item in enumerate(items):
            if n:
                f.write(",")
            f.write(json.dumps(item))
        f.write("]")


with open(os.path.join(base, "list-secrets.json"), "w") as f:
    f.write('{"SecretList": [')
    for i in range(count):
        if i:
            f.write(",\n")
        f.write(json.dumps(secret(i)))
    f.write("]}")

write_array(os.path.join(base, "list-secret-version-ids.json"), (
    {"ARN": s["ARN"], "Name": s["Name"], "Versions": [
        {"VersionId": v, "VersionStages": st, "CreatedDate": "2026-10-01T04:00:00+00:00",
         "LastAccessedDate": "2026-10-31T00:00:00+00:00"} for v, st in s["SecretVersionsToStages"].items()]}
    for s in map(secret, range(count))))

policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*",
          "Action": "secretsmanager:GetSecretValue", "Resource": "*",
          "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}
write_array(os.path.join(base, "get-resource-policy.json"), (
    {"ARN": s["ARN"], "Name": s["Name"], **({"ResourcePolicy": json.dumps(policy)} if i % 10 == 0 else {})}
    for i, s in enumerate(map(secret, range(count)))))
print(out)
