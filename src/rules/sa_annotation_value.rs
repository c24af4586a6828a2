use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::{ServiceAccount, Workspace, AUDIENCE_ANNOTATION};
use crate::rules::Rule;
use crate::syntax::yaml::Entry;

pub const TOKEN_EXPIRATION_ANNOTATION: &str = "eks.amazonaws.com/token-expiration";
pub const REGIONAL_STS_ANNOTATION: &str = "eks.amazonaws.com/sts-regional-endpoints";

declare_rule! {
    /// An IRSA annotation on a service account has a value the webhook cannot use.
    ///
    /// ## What it checks
    /// The optional pod-identity-webhook annotations on a ServiceAccount (or an eksctl
    /// `iam.serviceAccounts[].metadata.annotations`):
    /// - `eks.amazonaws.com/audience` set but empty (error);
    /// - `eks.amazonaws.com/token-expiration` not a whole number of seconds, under 3600 or over
    ///   86400 (warning);
    /// - `eks.amazonaws.com/sts-regional-endpoints` anything but `"true"` or `"false"` (warning).
    ///
    /// ## Why it matters
    /// An empty audience yields a token that no OIDC provider accepts. The webhook ignores an
    /// unparsable expiration and clamps one out of range to 3600–86400 seconds, and it only
    /// acts on the exact string `"true"` for regional STS: a `"yes"` or `"True "` silently keeps the
    /// global STS endpoint, which matters in private clusters with only a regional VPC endpoint.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     eks.amazonaws.com/token-expiration: "600"      # below the 3600s minimum
    ///     eks.amazonaws.com/sts-regional-endpoints: "yes"
    /// ```
    /// Fixed: `token-expiration: "3600"` (or more) and `sts-regional-endpoints: "true"`.
    pub struct SaAnnotationValue => ("IRSA012", "sa-annotation-value", Severity::Warning);
}

impl Rule for SaAnnotationValue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for sa in &ws.service_accounts {
            if let Some(e) = sa.object.annotation(AUDIENCE_ANNOTATION) {
                if e.value.as_str().is_none_or(|v| v.trim().is_empty()) {
                    out.push(
                        finding(sa, e, format!("`{AUDIENCE_ANNOTATION}` is empty: the token would carry no usable audience"))
                            .severity(Severity::Error)
                            .help("remove the annotation to use `sts.amazonaws.com`, or set the audience your OIDC provider lists"),
                    );
                }
            }
            if let Some(e) = sa.object.annotation(TOKEN_EXPIRATION_ANNOTATION) {
                if let Some(msg) = expiration_problem(e.value.as_str().unwrap_or("")) {
                    out.push(
                        finding(sa, e, msg).help(
                            "use a whole number of seconds from 3600 to 86400, e.g. \"86400\"",
                        ),
                    );
                }
            }
            if let Some(e) = sa.object.annotation(REGIONAL_STS_ANNOTATION) {
                let v = e.value.as_str().unwrap_or("");
                if v != "true" && v != "false" {
                    out.push(
                        finding(sa, e, format!("`{REGIONAL_STS_ANNOTATION}` is `{v}`: the webhook only acts on the exact string \"true\""))
                            .help("set it to \"true\" (quoted) to use the regional STS endpoint"),
                    );
                }
            }
        }
    }
}

fn finding(sa: &ServiceAccount, e: &Entry, message: String) -> Finding {
    Finding::new(&SaAnnotationValue::META, message)
        .at(sa.object.location(e.value.span))
        .object(sa.object.object_ref())
}

fn expiration_problem(v: &str) -> Option<String> {
    let key = TOKEN_EXPIRATION_ANNOTATION;
    match v.trim().parse::<i64>() {
        Err(_) => Some(format!(
            "`{key}` is `{v}`, not a whole number of seconds: the webhook ignores it"
        )),
        Ok(n) if n < 3600 => Some(format!(
            "`{key}` is {n}s, under the 3600s minimum: the webhook raises it to 3600"
        )),
        Ok(n) if n > 86400 => Some(format!(
            "`{key}` is {n}s, over the 86400s maximum: the webhook lowers it to 86400"
        )),
        Ok(_) => None,
    }
}
