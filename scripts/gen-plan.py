#!/usr/bin/env python3
"""Write a `terraform show -json` plan with N IRSA roles and their service accounts, in modules
of 50 (every 10th service account is in a namespace its role does not trust).

    scripts/gen-plan.py N OUT.json
"""
import json
import sys

n, out = int(sys.argv[1]), sys.argv[2]
iss = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
changes = []
for i in range(n):
    mod = f"module.team{i // 50}"
    name = f"app-{i}"
    trust = json.dumps({"Statement": [{"Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{iss}:aud": "sts.amazonaws.com",
                                       f"{iss}:sub": f"system:serviceaccount:team{i // 50}:{name}"}},
        "Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{iss}"}}],
        "Version": "2012-10-17"}, separators=(",", ":"), sort_keys=True)
    role = {"name": name, "assume_role_policy": trust, "path": "/", "max_session_duration": 3600,
            "tags": {"team": f"team{i // 50}"}}
    ns = f"team{i // 50}" if i % 10 else "elsewhere"
    sa = {"metadata": [{"name": name, "namespace": ns,
                        "annotations": {"eks.amazonaws.com/role-arn": f"arn:aws:iam::111122223333:role/{name}"}}]}
    for typ, key, after, unknown in [
        ("aws_iam_role", "this", role, {"arn": True, "id": True, "unique_id": True}),
        ("kubernetes_service_account_v1", "this", sa, {"metadata": [{"uid": True}]}),
    ]:
        changes.append({"address": f'{mod}.{typ}.{key}["{name}"]', "module_address": mod,
                        "mode": "managed", "type": typ, "name": key, "index": name,
                        "change": {"actions": ["create"], "before": None, "after": after,
                                   "after_unknown": unknown, "after_sensitive": {}}})
plan = {"format_version": "1.2", "terraform_version": "1.9.8", "resource_changes": changes,
        "planned_values": {"root_module": {}}, "applyable": True, "complete": True}
with open(out, "w") as f:
    json.dump(plan, f)
