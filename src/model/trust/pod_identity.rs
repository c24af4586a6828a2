//! EKS Pod Identity: the EKS Auth service assumes the role as `pods.eks.amazonaws.com`
//! (`sts:AssumeRole` + `sts:TagSession`) and tags the session with the association's cluster,
//! namespace and service account, which trust conditions read as `aws:RequestTag/<tag>`.

use super::cond::Context;
use super::{
    evaluate_actions, Denial, MissReason, Verdict, POD_IDENTITY_ACTIONS, POD_IDENTITY_SERVICE,
};
use crate::model::policy::PolicyDocument;

/// The session tags EKS Pod Identity adds (unless the association disables them).
pub const SESSION_TAGS: &[&str] = &[
    "eks-cluster-arn",
    "eks-cluster-name",
    "kubernetes-namespace",
    "kubernetes-service-account",
    "kubernetes-pod-name",
    "kubernetes-pod-uid",
];

/// One association's credential request. `None` fields cannot be known (offline, say).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PodIdentityRequest<'a> {
    pub cluster_name: Option<&'a str>,
    pub cluster_arn: Option<&'a str>,
    /// The cluster's account: `aws:SourceAccount`.
    pub account: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub service_account: Option<&'a str>,
    /// False when the association sets `disableSessionTags`: no `aws:RequestTag/*` at all.
    pub session_tags: bool,
}

impl PodIdentityRequest<'_> {
    fn context(&self) -> Context {
        let mut ctx = Context::default();
        let tag = |t: &str| format!("aws:RequestTag/{t}");
        if self.session_tags {
            let known = [
                ("eks-cluster-arn", self.cluster_arn),
                ("eks-cluster-name", self.cluster_name),
                ("kubernetes-namespace", self.namespace),
                ("kubernetes-service-account", self.service_account),
            ];
            for (t, v) in known {
                if let Some(v) = v {
                    ctx = ctx.with(&tag(t), v);
                }
            }
        } else {
            for t in SESSION_TAGS {
                ctx = ctx.without(&tag(t));
            }
        }
        if let Some(a) = self.account {
            ctx = ctx.with("aws:SourceAccount", a);
        }
        if let Some(arn) = self.cluster_arn {
            ctx = ctx.with("aws:SourceArn", arn);
        }
        ctx
    }
}

/// Would IAM let EKS Pod Identity assume the role (both actions) for this association?
pub fn evaluate_pod_identity(doc: &PolicyDocument, req: &PodIdentityRequest) -> Verdict {
    evaluate_actions(
        doc,
        POD_IDENTITY_SERVICE,
        POD_IDENTITY_ACTIONS,
        &req.context(),
    )
}

/// A denial the request decides: no statement might still allow it on a value it does not know.
pub fn is_decidable(d: &Denial) -> bool {
    match d {
        Denial::ExplicitDeny { .. } => true,
        Denial::NoStatementAllows { misses } => !misses
            .iter()
            .any(|m| matches!(m.reason, MissReason::Condition { known: false, .. })),
    }
}

/// A trust statement for this association, scoped by its session tags where they are known.
pub fn corrected_pod_identity_statement(req: &PodIdentityRequest) -> serde_json::Value {
    let mut equals = serde_json::Map::new();
    if let Some(a) = req.account {
        equals.insert("aws:SourceAccount".into(), a.into());
    }
    if req.session_tags {
        for (t, v) in [
            ("eks-cluster-name", req.cluster_name),
            ("kubernetes-namespace", req.namespace),
            ("kubernetes-service-account", req.service_account),
        ] {
            if let Some(v) = v {
                equals.insert(format!("aws:RequestTag/{t}"), v.into());
            }
        }
    }
    let mut stmt = serde_json::json!({
        "Effect": "Allow",
        "Principal": {"Service": POD_IDENTITY_SERVICE},
        "Action": POD_IDENTITY_ACTIONS,
    });
    if !equals.is_empty() {
        stmt["Condition"] = serde_json::json!({ "StringEquals": equals });
    }
    stmt
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::policy::parse_policy;
    use crate::syntax::yaml::parse;

    fn doc(text: &str) -> PolicyDocument {
        parse_policy(&parse(text).documents[0].root).expect("policy parses")
    }

    fn req(ns: &str) -> PodIdentityRequest<'_> {
        PodIdentityRequest {
            cluster_name: Some("prod"),
            cluster_arn: Some("arn:aws:eks:eu-west-1:111122223333:cluster/prod"),
            account: Some("111122223333"),
            namespace: Some(ns),
            service_account: Some("app"),
            session_tags: true,
        }
    }

    const SCOPED: &str = r#"{"Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {"StringEquals": {"aws:RequestTag/kubernetes-namespace": "web",
            "aws:RequestTag/kubernetes-service-account": "app", "aws:SourceAccount": "111122223333"},
            "ArnEquals": {"aws:SourceArn": "arn:aws:eks:eu-west-1:111122223333:cluster/prod"}}}]}"#;

    #[test]
    fn session_tags_must_match_the_association() {
        let d = doc(SCOPED);
        assert!(evaluate_pod_identity(&d, &req("web")).is_allow());
        let den = evaluate_pod_identity(&d, &req("api"));
        let miss = den.denial().and_then(|d| d.closest()).unwrap();
        assert!(
            matches!(&miss.reason, MissReason::Condition { key, actual: Some(a), known: true, .. }
                if key == "aws:RequestTag/kubernetes-namespace" && a == "api"),
            "{miss:?}"
        );
    }

    #[test]
    fn disabled_tags_are_absent_and_unknown_values_unknowable() {
        let d = doc(SCOPED);
        let off = PodIdentityRequest {
            session_tags: false,
            ..req("web")
        };
        let den = evaluate_pod_identity(&d, &off);
        let miss = den.denial().and_then(|d| d.closest()).unwrap();
        assert!(matches!(
            &miss.reason,
            MissReason::Condition {
                actual: None,
                known: true,
                ..
            }
        ));
        let offline = PodIdentityRequest {
            cluster_arn: None,
            ..req("web")
        };
        let den = evaluate_pod_identity(&d, &offline);
        let miss = den.denial().and_then(|d| d.closest()).unwrap();
        assert!(matches!(
            &miss.reason,
            MissReason::Condition { known: false, .. }
        ));
    }

    #[test]
    fn corrected_statement_allows_its_request() {
        let r = req("web");
        let v = corrected_pod_identity_statement(&r);
        let text = serde_json::json!({"Statement": [v]}).to_string();
        let d = doc(&text);
        assert!(evaluate_pod_identity(&d, &r).is_allow());
        assert!(!evaluate_pod_identity(&d, &req("api")).is_allow());
        let irsa = doc(
            r#"{"Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/x"}, "Action": "sts:AssumeRoleWithWebIdentity"}]}"#,
        );
        assert!(!evaluate_pod_identity(&irsa, &r).is_allow());
    }
}
