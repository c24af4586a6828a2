use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::rules::candidate::Candidate;
use crate::rules::util::items;
use crate::rules::Rule;
use crate::syntax::yaml::Node;

const STATIC_ENV: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

declare_rule! {
    /// A workload that uses IRSA also sets static AWS keys, which take precedence.
    ///
    /// ## What it checks
    /// Workloads whose service account (same namespace and name, in the files read) carries a role,
    /// with a container that sets `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` or
    /// `AWS_SESSION_TOKEN` in `env` (as a value or `valueFrom`), or takes `envFrom` a Secret whose
    /// name looks like AWS credentials (`aws-credentials`, `aws-creds`, `aws-secret`...). Keys
    /// from a Secret reference marked `optional: true` are a warning: they win only where that
    /// Secret exists.
    ///
    /// ## Why it matters
    /// Every AWS SDK reads the environment variables before the web identity token. With static
    /// keys present the pod acts as that IAM user, not as the IRSA role: permissions differ,
    /// the keys never rotate, and removing the role changes nothing, which hides the mistake.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   serviceAccountName: s3-reader        # annotated with eks.amazonaws.com/role-arn
    ///   containers:
    ///     - name: app
    ///       env:
    ///         - name: AWS_ACCESS_KEY_ID
    ///           valueFrom: {secretKeyRef: {name: aws-creds, key: id}}
    /// ```
    /// Fixed: remove the `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` variables and the Secret.
    pub struct StaticCredentialsWithIrsa => ("IRSA013", "static-credentials-with-irsa", Severity::Error);
}

impl Rule for StaticCredentialsWithIrsa {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Reports through [`Rule::candidates`]: only a service account with a role makes it a finding.
    fn check(&self, _ws: &Workspace, _out: &mut Vec<Finding>) {}

    fn candidates(&self, ws: &Workspace, out: &mut Vec<Candidate>) {
        for w in &ws.workloads {
            for c in w.containers() {
                let cname = c.str_at(&["name"]).unwrap_or("?");
                for (span, what, optional) in static_sources(c) {
                    let detail = format!("container `{cname}` sets {what}");
                    let build = if optional {
                        optional_keys_finding
                    } else {
                        static_keys_finding
                    };
                    out.push(Candidate::new(build, w, span, detail));
                }
            }
        }
    }
}

fn static_keys_finding(c: &Candidate) -> Finding {
    Finding::new(
        &StaticCredentialsWithIrsa::META,
        format!("{} while its service account `{}` uses IRSA: static keys win over the web identity token in the SDK credential chain", c.detail, c.sa_name),
    )
    .help("remove the static AWS keys and let the pod use the IRSA role")
}

/// From a Secret marked `optional: true`: the keys win only where that Secret exists.
fn optional_keys_finding(c: &Candidate) -> Finding {
    Finding::new(
        &StaticCredentialsWithIrsa::META,
        format!("{} while its service account `{}` uses IRSA: the Secret reference is `optional: true`, so static keys win over the web identity token wherever that Secret exists", c.detail, c.sa_name),
    )
    .severity(Severity::Warning)
    .help("remove the optional AWS keys (or make sure the Secret is never created where the pod uses IRSA)")
}

/// Spans (and a description) of static-key env vars and credential Secrets of one container,
/// and whether they come from a Secret marked `optional: true`.
fn static_sources(c: &Node) -> Vec<(crate::syntax::yaml::Span, String, bool)> {
    let mut found = Vec::new();
    for env in items(c.get("env")) {
        // `value: ""` without `valueFrom` sets nothing the SDK uses.
        let empty = env.get("valueFrom").is_none()
            && env
                .get("value")
                .is_none_or(|v| v.as_str().is_none_or(str::is_empty));
        if let Some(e) = env.entry("name").filter(|_| !empty) {
            if let Some(name) = e.value.as_str().filter(|n| STATIC_ENV.contains(n)) {
                let optional = is_optional(env.path(&["valueFrom", "secretKeyRef"]));
                found.push((e.value.span, format!("`{name}`"), optional));
            }
        }
    }
    for from in items(c.get("envFrom")) {
        let Some(node) = from.path(&["secretRef", "name"]) else {
            continue;
        };
        if let Some(name) = node.as_str().filter(|n| looks_like_aws_secret(n)) {
            found.push((
                node.span,
                format!("environment from Secret `{name}` (AWS keys?)"),
                is_optional(from.get("secretRef")),
            ));
        }
    }
    found
}

/// A Secret reference with `optional: true`.
fn is_optional(reference: Option<&Node>) -> bool {
    reference
        .and_then(|r| r.get("optional"))
        .and_then(Node::as_bool)
        .unwrap_or(false)
}

fn looks_like_aws_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("aws")
        && ["cred", "key", "secret", "access", "iam-user"]
            .iter()
            .any(|w| n.contains(w))
}
