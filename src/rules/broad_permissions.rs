use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::model::policy::Effect;
use crate::rules::util::{policy_finding, policy_related};
use crate::rules::Rule;

declare_rule! {
    /// A permission policy grants whole services (`ecr:*`, `*`) or writes on every resource.
    ///
    /// ## What it checks
    /// Allow statements of permission policies (not trust policies) whose `Action` is `*` or a
    /// whole service (`ecr:*`, `s3:*`, `iam:*`), or `NotAction`; and write or delete actions on
    /// `Resource: "*"`. The few actions that only work on `*` (`ecr:GetAuthorizationToken`,
    /// `sts:GetCallerIdentity`, `s3:ListAllMyBuckets`, …) are not flagged.
    ///
    /// ## Why it matters
    /// A role reached through IRSA is reachable by every pod that can run as its service account
    /// (and, with a loose trust, by more). `ecr:*` on a repository prefix lets a build job delete
    /// repositories and rewrite their policies; Kaniko only needs to push. Least privilege keeps a
    /// compromised build pod from becoming a compromised registry.
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

/// Actions AWS only authorizes on `"*"`.
const STAR_ONLY: &[&str] = &[
    "ecr:getauthorizationtoken",
    "sts:getcalleridentity",
    "s3:listallmybuckets",
    "ecr:describeregistry",
    "ecr-public:getauthorizationtoken",
    "sts:getserviceBearertoken",
];

/// Action name prefixes that write, delete or grant.
const WRITE_VERBS: &[&str] = &[
    "put",
    "delete",
    "create",
    "update",
    "attach",
    "detach",
    "set",
    "pass",
    "assume",
    "upload",
    "initiate",
    "complete",
    "replicate",
    "restore",
    "tag",
    "untag",
    "modify",
    "remove",
    "add",
];

fn is_write(action: &str) -> bool {
    let name = action
        .split_once(':')
        .map_or(action, |(_, n)| n)
        .to_ascii_lowercase();
    WRITE_VERBS.iter().any(|v| name.starts_with(v))
}

impl Rule for BroadPermissions {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for p in ws.policies.iter().filter(|p| !p.is_trust()) {
            let Some(doc) = p.document() else { continue };
            for s in doc
                .statements
                .iter()
                .filter(|s| s.effect.value == Effect::Allow)
            {
                if let Some(span) = s.action_span.filter(|_| !s.not_actions.is_empty()) {
                    out.push(policy_finding(&Self::META, p, span, format!("statement {} allows everything except the listed actions (`NotAction` with Allow)", s.index)));
                }
                for a in &s.actions {
                    let whole = a.value == "*" || a.value.ends_with(":*");
                    if whole {
                        let service = a.value.split_once(':').map_or("every service", |(s, _)| s);
                        let mut f = policy_finding(&Self::META, p, a.span, format!("`{}` grants every action of {service}, including deletes and policy changes; list the actions the workload needs", a.value));
                        if a.value.eq_ignore_ascii_case("ecr:*") {
                            f = f.help("a Kaniko/buildkit push needs ecr:BatchCheckLayerAvailability, ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage (plus ecr:BatchGetImage and ecr:GetDownloadUrlForLayer for cache), and ecr:GetAuthorizationToken on \"*\"");
                        }
                        out.push(f);
                        continue;
                    }
                    let star = s.resources.iter().find(|r| r.value == "*");
                    let star_only = STAR_ONLY.iter().any(|x| x.eq_ignore_ascii_case(&a.value));
                    if let (Some(r), false, true) = (star, star_only, is_write(&a.value)) {
                        out.push(
                            policy_finding(&Self::META, p, a.span, format!("`{}` is allowed on every resource (`\"Resource\": \"*\"`); scope it to the buckets, repositories or roles it is for", a.value))
                                .related(policy_related(p, r.span, "every resource")),
                        );
                    }
                }
            }
        }
    }
}
