//! What makes one Allow statement broad: whole services, or writes on every resource that no
//! condition scopes and that AWS does not restrict to `"*"` anyway.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::model::policy::{Spanned, Statement};

/// Write actions with no resource type, from the AWS Service Authorization Reference (see the
/// file's header and `scripts/gen-star-only-actions.py`).
const STAR_ONLY_DATA: &str = include_str!("../data/star_only_actions.txt");

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
    "associate",
    "disassociate",
    "authorize",
    "revoke",
    "register",
    "deregister",
    "terminate",
    "run",
];

/// Condition keys that narrow a statement to some resources or requests: tags, the creating
/// action, the owning account or organization, the service a role or key is used through.
const SCOPING_KEYS: &[&str] = &[
    "aws:tagkeys",
    "aws:resourceaccount",
    "aws:resourceorgid",
    "aws:resourceorgpaths",
    "iam:passedtoservice",
    "iam:awsservicename",
    "iam:permissionsboundary",
    "kms:viaservice",
    "ec2:vpc",
];

/// The broad actions of an Allow statement (empty when none).
pub struct Broad<'a> {
    /// `*` and `service:*`.
    pub whole: Vec<&'a Spanned<String>>,
    /// Writes on `"Resource": "*"`.
    pub on_every_resource: Vec<&'a Spanned<String>>,
}

impl Broad<'_> {
    pub fn is_empty(&self) -> bool {
        self.whole.is_empty() && self.on_every_resource.is_empty()
    }
}

pub fn broad_actions(s: &Statement) -> Broad<'_> {
    let (whole, rest): (Vec<_>, Vec<_>) = s.actions.iter().partition(|a| is_whole(&a.value));
    let every = s.resources.iter().any(|r| r.value == "*") && !is_scoped(s);
    let on_every_resource = rest
        .into_iter()
        .filter(|a| every && is_write(&a.value) && !is_star_only(&a.value))
        .collect();
    Broad {
        whole,
        on_every_resource,
    }
}

pub fn is_whole(action: &str) -> bool {
    action == "*" || action.ends_with(":*")
}

/// A condition on a scoping key (a tag, `ec2:CreateAction`, the resource's account, …).
pub fn is_scoped(s: &Statement) -> bool {
    s.conditions.iter().any(|c| is_scoping_key(&c.key))
}

fn is_scoping_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    let Some((_, name)) = key.split_once(':') else {
        return false;
    };
    name.starts_with("resourcetag/")
        || name.starts_with("requesttag/")
        || name == "createaction"
        || name.starts_with("changeresourcerecordsets")
        || SCOPING_KEYS.contains(&key.as_str())
}

pub fn is_write(action: &str) -> bool {
    let name = action
        .split_once(':')
        .map_or(action, |(_, n)| n)
        .to_ascii_lowercase();
    WRITE_VERBS.iter().any(|v| name.starts_with(v))
}

/// AWS authorizes the action only on `"*"`, so `"Resource": "*"` is not a choice.
pub fn is_star_only(action: &str) -> bool {
    static TABLE: OnceLock<HashSet<&'static str>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        STAR_ONLY_DATA
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    });
    table.contains(action.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_only_table_reads_the_vendored_data() {
        assert!(is_star_only("elasticloadbalancing:SetWebAcl"));
        assert!(is_star_only("iam:UpdateAccountPasswordPolicy"));
        assert!(!is_star_only("ec2:CreateTags"));
        assert!(!is_star_only("ec2:DeleteVolume"));
    }

    #[test]
    fn scoping_keys() {
        for k in [
            "aws:ResourceTag/elbv2.k8s.aws/cluster",
            "aws:RequestTag/x",
            "ec2:ResourceTag/CSIVolumeName",
            "autoscaling:ResourceTag/k8s.io/cluster-autoscaler/enabled",
            "aws:TagKeys",
            "ec2:CreateAction",
            "iam:AWSServiceName",
        ] {
            assert!(is_scoping_key(k), "{k}");
        }
        for k in ["aws:SecureTransport", "aws:SourceIp", "s3:x-amz-acl"] {
            assert!(!is_scoping_key(k), "{k}");
        }
    }
}
