import json, copy
ISS = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
ACCT = "111122223333"
def trust(sub, with_sub=True):
    cond = {f"{ISS}:aud": "sts.amazonaws.com"}
    if with_sub:
        cond[f"{ISS}:sub"] = sub
    return json.dumps({"Statement": [{"Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": cond}, "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{ACCT}:oidc-provider/{ISS}"}}],
        "Version": "2012-10-17"}, separators=(",", ":"), sort_keys=True)

def role_values(name, sub, with_sub=True):
    return {"assume_role_policy": trust(sub, with_sub), "description": None, "force_detach_policies": False,
            "max_session_duration": 3600, "name": name, "path": "/", "permissions_boundary": None,
            "tags": {"team": "platform"}, "tags_all": {"team": "platform"}}

def role_unknown():
    return {"arn": True, "create_date": True, "id": True, "inline_policy": True, "managed_policy_arns": True,
            "name_prefix": True, "tags": {}, "tags_all": {}, "unique_id": True}

def sa_values(name, ns, arn):
    return {"automount_service_account_token": True, "image_pull_secret": [],
            "metadata": [{"annotations": ({"eks.amazonaws.com/role-arn": arn} if arn else {}), "generate_name": "",
                          "labels": {"app.kubernetes.io/name": name}, "name": name, "namespace": ns}],
            "secret": [], "timeouts": None}

def sa_unknown(arn_unknown):
    m = {"annotations": ({"eks.amazonaws.com/role-arn": True} if arn_unknown else {}),
         "generation": True, "labels": {}, "resource_version": True, "uid": True}
    return {"default_secret_name": True, "id": True, "image_pull_secret": [], "metadata": [m], "secret": []}

def change(address, module, typ, name, after, unknown, sensitive=None):
    rc = {"address": address, "mode": "managed", "type": typ, "name": name,
          "provider_name": "registry.terraform.io/hashicorp/" + ("aws" if typ.startswith("aws") else "kubernetes"),
          "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": unknown,
                     "before_sensitive": False, "after_sensitive": sensitive if sensitive is not None else {}}}
    if module:
        rc["module_address"] = module
    return rc

def planned(address, typ, name, values, sensitive=None):
    return {"address": address, "mode": "managed", "type": typ, "name": name,
            "provider_name": "registry.terraform.io/hashicorp/" + ("aws" if typ.startswith("aws") else "kubernetes"),
            "schema_version": 0, "values": values, "sensitive_values": sensitive or {}}

def plan(sa_ns, sa_arn_known=True, with_sub=True, pia_on=True):
    ra = "module.addons.aws_iam_role.cluster_autoscaler"
    sa = "module.addons.kubernetes_service_account_v1.cluster_autoscaler"
    rv = role_values("cluster-autoscaler", "system:serviceaccount:kube-system:cluster-autoscaler", with_sub)
    arn = f"arn:aws:iam::{ACCT}:role/cluster-autoscaler" if sa_arn_known else None
    sv = sa_values("cluster-autoscaler", sa_ns, arn)
    pia = {"association_arn": None, "association_id": None, "cluster_name": "prod", "namespace": "kube-system",
           "role_arn": f"arn:aws:iam::{ACCT}:role/cluster-autoscaler", "service_account": "cluster-autoscaler", "tags": None}
    db = {"identifier": "orders", "password": "PLANTED-SECRET-7f3a9c", "username": "admin"}
    return {
        "format_version": "1.2", "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": [
            planned("aws_db_instance.orders", "aws_db_instance", "orders", db, {"password": True})],
            "child_modules": [{"address": "module.addons", "resources": [
                planned(ra, "aws_iam_role", "cluster_autoscaler", rv),
                planned(sa, "kubernetes_service_account_v1", "cluster_autoscaler", sv)]}]}},
        "resource_changes": [
            change("aws_db_instance.orders", None, "aws_db_instance", "orders", db, {"arn": True}, {"password": True}),
        ] + ([change("aws_eks_pod_identity_association.autoscaler", None, "aws_eks_pod_identity_association", "autoscaler", pia,
                   {"association_arn": True, "association_id": True, "id": True, "tags_all": True})] if pia_on else []) + [
            change(ra, "module.addons", "aws_iam_role", "cluster_autoscaler", rv, role_unknown()),
            change(sa, "module.addons", "kubernetes_service_account_v1", "cluster_autoscaler", sv, sa_unknown(not sa_arn_known))],
        "configuration": {"provider_config": {}, "root_module": {"module_calls": {"addons": {"source": "./modules/addons",
            "module": {"resources": [
                {"address": "aws_iam_role.cluster_autoscaler", "mode": "managed", "type": "aws_iam_role", "name": "cluster_autoscaler",
                 "expressions": {"name": {"constant_value": "cluster-autoscaler"}, "assume_role_policy": {"references": ["local.trust"]}}},
                {"address": "kubernetes_service_account_v1.cluster_autoscaler", "mode": "managed", "type": "kubernetes_service_account_v1",
                 "name": "cluster_autoscaler", "expressions": {"metadata": [{"annotations": {"references": [
                     "aws_iam_role.cluster_autoscaler.arn", "aws_iam_role.cluster_autoscaler"]},
                     "name": {"constant_value": "cluster-autoscaler"}, "namespace": {"constant_value": sa_ns}}]}}]}}}}},
        "timestamp": "2026-12-01T20:00:00Z", "applyable": True, "complete": True, "errored": False,
    }

def dump(name, obj, compact=False):
    with open(name, "w") as f:
        if compact:
            f.write(json.dumps(obj, separators=(",", ":")) + "\n")
        else:
            f.write(json.dumps(obj, indent=2) + "\n")

dump("plan-bad.json", plan("autoscaling"))
dump("plan-good.json", plan("kube-system", pia_on=False))
dump("plan-compact-bad.json", plan("autoscaling"), compact=True)
dump("plan-unknown-arn-bad.json", plan("autoscaling", sa_arn_known=False))
dump("plan-aud-only-bad.json", plan("kube-system", with_sub=False))

def state(sa_ns, version=4):
    rv = role_values("external-dns", "system:serviceaccount:external-dns:external-dns")
    rv.update({"arn": f"arn:aws:iam::{ACCT}:role/external-dns", "id": "external-dns", "unique_id": "AROAEXAMPLE"})
    sv = sa_values("external-dns", sa_ns, f"arn:aws:iam::{ACCT}:role/external-dns")
    return {"version": version, "terraform_version": "1.9.8", "serial": 12, "lineage": "3f1c2d4e-0000-4000-8000-000000000000",
            "outputs": {},
            "resources": [
                {"mode": "managed", "type": "aws_db_instance", "name": "orders", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
                 "instances": [{"schema_version": 2, "attributes": {"identifier": "orders", "password": "PLANTED-SECRET-7f3a9c", "username": "admin"},
                                "sensitive_attributes": [[{"type": "get_attr", "value": "password"}]]}]},
                {"module": "module.dns", "mode": "managed", "type": "aws_iam_openid_connect_provider", "name": "eks",
                 "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
                 "instances": [{"schema_version": 0, "attributes": {"arn": f"arn:aws:iam::{ACCT}:oidc-provider/{ISS}",
                     "client_id_list": ["sts.amazonaws.com"], "thumbprint_list": [], "url": "https://" + ISS}, "sensitive_attributes": []}]},
                {"module": "module.dns", "mode": "managed", "type": "aws_iam_role", "name": "external_dns",
                 "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
                 "instances": [{"schema_version": 0, "attributes": rv, "sensitive_attributes": []}]},
                {"module": "module.dns", "mode": "managed", "type": "kubernetes_service_account", "name": "external_dns",
                 "provider": "provider[\"registry.terraform.io/hashicorp/kubernetes\"]",
                 "instances": [{"index_key": 0, "schema_version": 0, "attributes": sv, "sensitive_attributes": []}]}]}

dump("terraform-bad.tfstate", state("dns"))
dump("terraform-good.tfstate", state("external-dns"))
dump("state-version3-bad.tfstate", state("dns", version=3))

def show_state(sa_ns):
    rv = role_values("external-dns", "system:serviceaccount:external-dns:external-dns")
    rv.update({"arn": f"arn:aws:iam::{ACCT}:role/external-dns"})
    ann = {"address": "module.dns.kubernetes_annotations.external_dns", "mode": "managed", "type": "kubernetes_annotations",
           "name": "external_dns", "provider_name": "registry.terraform.io/hashicorp/kubernetes", "schema_version": 0,
           "values": {"api_version": "v1", "kind": "ServiceAccount", "force": True,
                      "annotations": {"eks.amazonaws.com/role-arn": f"arn:aws:iam::{ACCT}:role/external-dns"},
                      "metadata": [{"name": "external-dns", "namespace": sa_ns}]}, "sensitive_values": {}}
    return {"format_version": "1.0", "terraform_version": "1.9.8", "values": {"outputs": {}, "root_module": {
        "resources": [planned("aws_db_instance.orders", "aws_db_instance", "orders",
                              {"identifier": "orders", "password": "PLANTED-SECRET-7f3a9c"}, {"password": True})],
        "child_modules": [{"address": "module.dns", "resources": [
            planned("module.dns.aws_iam_role.external_dns", "aws_iam_role", "external_dns", rv), ann]}]}}}

dump("show-state-bad.json", show_state("dns"))
dump("show-state-good.json", show_state("external-dns"))

# helm_release (hashicorp/helm 2.x schema: `values` is a list of YAML strings, `set` a list of
# {name, value, type}; `set_sensitive` values are marked sensitive; `metadata` is known after apply).
def helm_plan(ns):
    ra = "aws_iam_role.external_dns"
    hr = "helm_release.external_dns"
    rv = role_values("external-dns", "system:serviceaccount:external-dns:external-dns")
    hv = {"name": "external-dns", "namespace": ns, "repository": "https://kubernetes-sigs.github.io/external-dns",
          "chart": "external-dns", "version": "1.21.1", "create_namespace": True,
          "values": ["provider:\n  name: aws\nserviceAccount:\n  name: external-dns\n"],
          "set": [{"name": "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn",
                   "value": f"arn:aws:iam::{ACCT}:role/external-dns", "type": ""}],
          "set_sensitive": [{"name": "provider.aws.credentials", "value": "PLANTED-SECRET-7f3a9c", "type": "string"}]}
    hu = {"id": True, "metadata": True, "status": True}
    hs = {"set_sensitive": [{"value": True}]}
    return {
        "format_version": "1.2", "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": [
            planned(ra, "aws_iam_role", "external_dns", rv), planned(hr, "helm_release", "external_dns", hv, hs)]}},
        "resource_changes": [change(ra, None, "aws_iam_role", "external_dns", rv, role_unknown()),
                             change(hr, None, "helm_release", "external_dns", hv, hu, hs)],
        "configuration": {"provider_config": {}, "root_module": {}},
        "timestamp": "2026-12-01T20:00:00Z", "applyable": True, "complete": True, "errored": False,
    }

dump("plan-helm-bad.json", helm_plan("kube-system"))
dump("plan-helm-good.json", helm_plan("external-dns"))
