use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::{PolicyInput, Workspace};
use crate::model::policy::{Effect, Spanned, Statement};
use crate::rules::util::{policy_finding, policy_related};
use crate::rules::{Rule, Scope};

mod documented;
mod scope;
mod statement;

use documented::{addon_for, code_list, documented_shape, is_documented};
use statement::{broad_actions, Broad};

declare_rule! {
    /// A pod's role grants whole services (`ecr:*`, `*`) or writes on every resource.
    ///
    /// ## What it checks
    /// Permission policies of the roles pods assume: a role whose trust lets in an EKS OIDC
    /// provider (or `system:serviceaccount:` subjects) or EKS Pod Identity
    /// (`pods.eks.amazonaws.com`), or whose ARN a service account or Pod Identity association of
    /// the run carries. A policy reaches its role as the facts link it (a role CR's inline
    /// policies, `<role>.json` next to `<role>.trust.json`, `.irsa.yaml` `roles:`); a policy file
    /// no such role is linked to (a chart's `iam_policy.json`, a CI, ECS task or instance role)
    /// is not looked at.
    ///
    /// One finding per Allow statement that has `Action: "*"` or a whole service (`ecr:*`),
    /// `NotAction`, or write actions on `"Resource": "*"`, naming the first few. Not flagged:
    /// Deny statements; writes under a condition that scopes them (`aws:ResourceTag/…`,
    /// `aws:RequestTag/…`, `ec2:ResourceTag/…`, `aws:TagKeys`, `ec2:CreateAction`,
    /// `aws:ResourceAccount`, `iam:PassedToService`, …); actions that have no resource type in the
    /// AWS Service Authorization Reference and so only work on `"*"` (`elasticloadbalancing:SetWebAcl`,
    /// `ecr:PutRegistryPolicy`, …; reads such as `ec2:Describe*` never are); and statements within
    /// the policy an add-on documents for its pod role (AWS Load Balancer Controller, EBS and EFS
    /// CSI drivers, ExternalDNS, Cluster Autoscaler). A statement broader than its add-on's
    /// documented one says what the documented one is.
    ///
    /// ## Why it matters
    /// A role reached through IRSA or Pod Identity is reachable by every pod that can run as its
    /// service account (and, with a loose trust, by more). `ecr:*` on a repository prefix lets a
    /// build job delete repositories and rewrite their policies; Kaniko only needs to push. Least
    /// privilege keeps a compromised build pod from becoming a compromised registry.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": ["ecr:*"], "Resource": "arn:aws:ecr:eu-central-1:111122223333:repository/edp/*"}
    /// ```
    /// Fixed: `"Action": ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
    /// "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]`,
    /// plus `ecr:GetAuthorizationToken` on `"*"` in its own statement.
    pub struct BroadPermissions => ("IRSA024", "broad-permission-policy", Severity::Warning);
}

const ECR_PUSH_HELP: &str = "a Kaniko/buildkit push needs ecr:BatchCheckLayerAvailability, ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage (plus ecr:BatchGetImage and ecr:GetDownloadUrlForLayer for cache), and ecr:GetAuthorizationToken on \"*\"";

impl Rule for BroadPermissions {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn scope(&self) -> Scope {
        Scope::Workspace
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let pod_roles = scope::pod_roles(ws);
        let in_scope = ws.policies.iter().filter(|p| {
            !p.is_trust() && p.role_name.as_ref().is_some_and(|r| pod_roles.contains(r))
        });
        for p in in_scope {
            let Some(doc) = p.document() else { continue };
            let policy_actions: Vec<&str> = doc
                .statements
                .iter()
                .flat_map(|s| s.actions.iter().map(|a| a.value.as_str()))
                .collect();
            for s in doc
                .statements
                .iter()
                .filter(|s| s.effect.value == Effect::Allow)
            {
                out.extend(statement_finding(p, s, &policy_actions));
            }
        }
    }
}

fn statement_finding(p: &PolicyInput, s: &Statement, policy_actions: &[&str]) -> Option<Finding> {
    let name = statement_name(s);
    if let Some(span) = s.action_span.filter(|_| !s.not_actions.is_empty()) {
        let message = format!("{name} allows everything except the listed actions (`NotAction` with Allow); list the actions the workload needs");
        return Some(policy_finding(&BroadPermissions::META, p, span, message));
    }
    let mut broad = broad_actions(s);
    broad.whole.retain(|a| !is_documented(s, &a.value));
    broad
        .on_every_resource
        .retain(|a| !is_documented(s, &a.value));
    if broad.is_empty() {
        return None;
    }
    let all: Vec<&Spanned<String>> = broad
        .whole
        .iter()
        .chain(&broad.on_every_resource)
        .copied()
        .collect();
    let first = all.first()?;
    let mut f = policy_finding(
        &BroadPermissions::META,
        p,
        first.span,
        message(&name, &broad),
    );
    if let Some(r) = s.resources.iter().find(|r| r.value == "*") {
        if !broad.on_every_resource.is_empty() {
            f = f.related(policy_related(p, r.span, "every resource"));
        }
    }
    if let Some(addon) = addon_for(&all, policy_actions) {
        f = f.help(documented_shape(addon, &all));
    } else if all.iter().any(|a| a.value.eq_ignore_ascii_case("ecr:*")) {
        f = f.help(ECR_PUSH_HELP);
    }
    Some(f)
}

fn statement_name(s: &Statement) -> String {
    match &s.sid {
        Some(sid) => format!("statement {} (`{}`)", s.index + 1, sid.value),
        None => format!("statement {}", s.index + 1),
    }
}

fn message(name: &str, broad: &Broad<'_>) -> String {
    let names = |list: &[&Spanned<String>]| {
        let values: Vec<&str> = list.iter().map(|a| a.value.as_str()).collect();
        code_list(&values, 3)
    };
    let mut parts = Vec::new();
    if !broad.whole.is_empty() {
        parts.push(format!(
            "every action of a service ({}), including deletes and policy changes",
            names(&broad.whole)
        ));
    }
    if !broad.on_every_resource.is_empty() {
        parts.push(format!(
            "{} on every resource (`\"Resource\": \"*\"`, no condition scopes it)",
            names(&broad.on_every_resource)
        ));
    }
    format!(
        "{name} of a pod's role allows {}; list the actions the workload needs and scope them to its resources",
        parts.join(", and ")
    )
}
