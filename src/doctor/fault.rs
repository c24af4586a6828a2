//! "Could not verify": a failed read, the object it was about and the permission it needed.

use crate::diagnostics::finding::{Finding, ObjectRef};

use super::rules::CouldNotVerify;

#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub object: ObjectRef,
    /// What doctor tried, as a permission: `iam:GetRole`, `list serviceaccounts`...
    pub permission: String,
    /// Why it failed, for a human.
    pub reason: String,
}

impl Fault {
    pub fn new(
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        permission: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Fault {
            object: ObjectRef::new(kind, namespace, name),
            permission: permission.into(),
            reason: reason.into(),
        }
    }

    pub fn finding(&self) -> Finding {
        let o = &self.object;
        let what = match (&o.namespace, o.name.as_str()) {
            (Some(ns), "*") => format!("{}s in namespace {ns}", o.kind),
            (None, "*") => format!("{}s", o.kind),
            (Some(ns), name) => format!("{} {ns}/{name}", o.kind),
            (None, name) => format!("{} {name}", o.kind),
        };
        Finding::new(
            &CouldNotVerify::META,
            format!(
                "could not verify {what}: `{}` failed: {}",
                self.permission, self.reason
            ),
        )
        .object(o.clone())
        .help(format!(
            "grant `{}` to the identity doctor runs as (see the README for the minimal policy and ClusterRole), or fix the connection, and run doctor again",
            self.permission
        ))
    }
}
