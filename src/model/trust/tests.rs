use super::*;
use crate::model::policy::parse_policy;
use crate::syntax::yaml::parse;

const ISSUER: &str = "oidc.eks.us-east-1.amazonaws.com/id/ABC";
const PROVIDER: &str =
    "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC";

fn doc(text: &str) -> PolicyDocument {
    let s = parse(text);
    assert!(s.error.is_none(), "{:?}", s.error);
    parse_policy(&s.documents[0].root).expect("policy parses")
}

fn req<'a>(ns: &'a str, sa: &'a str) -> WebIdentityRequest<'a> {
    WebIdentityRequest {
        issuer: ISSUER,
        account: Some("123456789012"),
        partition: Some("aws"),
        namespace: ns,
        service_account: sa,
        audience: "sts.amazonaws.com",
    }
}

/// A one-statement IRSA trust with the given `Condition` JSON.
fn trust(condition: &str) -> PolicyDocument {
    doc(&format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
            "Principal": {{"Federated": "{PROVIDER}"}},
            "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {condition}}}]}}"#
    ))
}

fn standard(sub: &str) -> PolicyDocument {
    trust(&format!(
        r#"{{"StringEquals": {{"{ISSUER}:sub": "{sub}", "{ISSUER}:aud": "sts.amazonaws.com"}}}}"#
    ))
}

fn denial(v: Verdict) -> Denial {
    match v {
        Verdict::Deny(d) => d,
        Verdict::Allow { statement } => {
            panic!("expected a denial, allowed by statement {statement}")
        }
    }
}

fn closest_reason(v: Verdict) -> MissReason {
    denial(v).closest().expect("a miss").reason.clone()
}

#[test]
fn standard_trust_allows_exact_subject() {
    let d = standard("system:serviceaccount:edp:edp-kaniko");
    assert_eq!(
        evaluate_web_identity(&d, &req("edp", "edp-kaniko")),
        Verdict::Allow { statement: 0 }
    );
}

#[test]
fn wrong_namespace_is_explained() {
    let d = standard("system:serviceaccount:edp:edp-kaniko");
    let den = denial(evaluate_web_identity(&d, &req("ci", "edp-kaniko")));
    assert_eq!(
        den.to_string(),
        "statement 0 requires `oidc.eks.us-east-1.amazonaws.com/id/ABC:sub` StringEquals \
         `system:serviceaccount:edp:edp-kaniko`, but the token's sub is `system:serviceaccount:ci:edp-kaniko`"
    );
    match &den.closest().unwrap().reason {
        MissReason::Condition {
            key,
            actual,
            span,
            known,
            ..
        } => {
            assert!(key.ends_with(":sub"));
            assert_eq!(
                actual.as_deref(),
                Some("system:serviceaccount:ci:edp-kaniko")
            );
            assert!(*known);
            assert!(span.start.line >= 1);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn string_equals_with_wildcard_never_matches() {
    let d = standard("system:serviceaccount:edp:*");
    let r = closest_reason(evaluate_web_identity(&d, &req("edp", "edp-kaniko")));
    assert!(matches!(r, MissReason::Condition { ref operator, .. } if operator == "StringEquals"));
    // Only the literal string matches.
    assert!(evaluate_web_identity(&d, &req("edp", "*")).is_allow());
}

#[test]
fn string_like_namespace_wildcard() {
    let d = trust(&format!(
        r#"{{"StringLike": {{"{ISSUER}:sub": "system:serviceaccount:edp:*"}}, "StringEquals": {{"{ISSUER}:aud": "sts.amazonaws.com"}}}}"#
    ));
    assert!(evaluate_web_identity(&d, &req("edp", "anything")).is_allow());
    assert!(!evaluate_web_identity(&d, &req("ci", "anything")).is_allow());
}

#[test]
fn anded_conditions_name_the_failing_key() {
    let d = standard("system:serviceaccount:edp:edp-kaniko");
    let mut r = req("edp", "edp-kaniko");
    r.audience = "sts.amazon.com";
    match closest_reason(evaluate_web_identity(&d, &r)) {
        MissReason::Condition { key, actual, .. } => {
            assert_eq!(key, format!("{ISSUER}:aud"));
            assert_eq!(actual.as_deref(), Some("sts.amazon.com"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn values_list_is_ored() {
    let d = trust(&format!(
        r#"{{"StringEquals": {{"{ISSUER}:sub": ["system:serviceaccount:a:x", "system:serviceaccount:b:y"]}}}}"#
    ));
    assert!(evaluate_web_identity(&d, &req("b", "y")).is_allow());
    assert!(evaluate_web_identity(&d, &req("a", "x")).is_allow());
    let den = denial(evaluate_web_identity(&d, &req("a", "y")));
    assert!(den
        .to_string()
        .contains("one of `system:serviceaccount:a:x`, `system:serviceaccount:b:y`"));
}

#[test]
fn explicit_deny_wins() {
    let d = doc(&format!(
        r#"{{"Statement": [
        {{"Effect": "Allow", "Principal": {{"Federated": "{PROVIDER}"}}, "Action": "sts:AssumeRoleWithWebIdentity"}},
        {{"Effect": "Deny", "Principal": "*", "Action": "sts:*", "Condition": {{"StringLike": {{"{ISSUER}:sub": "system:serviceaccount:kube-system:*"}}}}}}
    ]}}"#
    ));
    assert!(evaluate_web_identity(&d, &req("edp", "x")).is_allow());
    let den = denial(evaluate_web_identity(&d, &req("kube-system", "x")));
    assert_eq!(den, Denial::ExplicitDeny { statement: 1 });
    assert!(den.to_string().contains("explicitly denies"));
}

#[test]
fn missing_aud_key_fails_under_string_equals_passes_if_exists() {
    let mut r = req("edp", "sa");
    r.issuer = "oidc.eks.us-west-2.amazonaws.com/id/OTHER";
    r.account = None;
    // A key for another issuer is absent from this token.
    let d = trust(&format!(
        r#"{{"StringEquals": {{"{ISSUER}:aud": "sts.amazonaws.com"}}}}"#
    ));
    let fed = format!("arn:aws:iam::123456789012:oidc-provider/{}", r.issuer);
    let d2 = doc(
        &serde_json::to_string(&serde_json::json!({"Statement": [{"Effect": "Allow",
        "Principal": {"Federated": fed}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEqualsIfExists": {format!("{ISSUER}:aud"): "sts.amazonaws.com"}}}]}))
        .unwrap(),
    );
    assert!(evaluate_web_identity(&d2, &r).is_allow());
    let d3 = doc(
        &serde_json::to_string(&serde_json::json!({"Statement": [{"Effect": "Allow",
        "Principal": {"Federated": fed}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {format!("{ISSUER}:aud"): "sts.amazonaws.com"}}}]}))
        .unwrap(),
    );
    match closest_reason(evaluate_web_identity(&d3, &r)) {
        MissReason::Condition {
            actual: None,
            known: true,
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    // The original trust fails on the principal for this issuer.
    assert!(matches!(
        closest_reason(evaluate_web_identity(&d, &r)),
        MissReason::Principal { .. }
    ));
}

#[test]
fn negated_operator_on_missing_key_is_true() {
    let d = trust(r#"{"StringNotEquals": {"other.example.com:sub": "x"}}"#);
    assert!(evaluate_web_identity(&d, &req("a", "b")).is_allow());
    let d = trust(&format!(
        r#"{{"StringNotLike": {{"{ISSUER}:sub": "system:serviceaccount:kube-system:*"}}}}"#
    ));
    assert!(evaluate_web_identity(&d, &req("a", "b")).is_allow());
    assert!(!evaluate_web_identity(&d, &req("kube-system", "b")).is_allow());
}

#[test]
fn null_operator() {
    let d = trust(&format!(r#"{{"Null": {{"{ISSUER}:sub": "false"}}}}"#));
    assert!(evaluate_web_identity(&d, &req("a", "b")).is_allow());
    let d = trust(&format!(r#"{{"Null": {{"{ISSUER}:sub": "true"}}}}"#));
    assert!(!evaluate_web_identity(&d, &req("a", "b")).is_allow());
    let d = trust(r#"{"Null": {"other.example.com:sub": true}}"#);
    assert!(evaluate_web_identity(&d, &req("a", "b")).is_allow());
}

#[test]
fn aud_and_sub_swapped() {
    let d = trust(&format!(
        r#"{{"StringEquals": {{"{ISSUER}:aud": "system:serviceaccount:edp:sa", "{ISSUER}:sub": "sts.amazonaws.com"}}}}"#
    ));
    let den = denial(evaluate_web_identity(&d, &req("edp", "sa")));
    match &den.closest().unwrap().reason {
        MissReason::Condition { key, actual, .. } => {
            assert!(key.ends_with(":aud"));
            assert_eq!(actual.as_deref(), Some("sts.amazonaws.com"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn federated_issuer_differs_from_condition_prefix() {
    let other = "oidc.eks.us-east-1.amazonaws.com/id/DEF";
    let d = trust(&format!(
        r#"{{"StringEquals": {{"{other}:sub": "system:serviceaccount:edp:sa"}}}}"#
    ));
    let den = denial(evaluate_web_identity(&d, &req("edp", "sa")));
    match &den.closest().unwrap().reason {
        MissReason::Condition {
            key,
            actual: None,
            known: true,
            ..
        } => assert!(key.starts_with(other)),
        other => panic!("{other:?}"),
    }
    assert!(den.to_string().contains("a different issuer"), "{den}");
}

#[test]
fn https_in_condition_key_never_matches() {
    let d = trust(&format!(
        r#"{{"StringEquals": {{"https://{ISSUER}:sub": "system:serviceaccount:edp:sa"}}}}"#
    ));
    let den = denial(evaluate_web_identity(&d, &req("edp", "sa")));
    assert!(
        den.to_string().contains("never include the URL scheme"),
        "{den}"
    );
}

#[test]
fn https_issuer_in_request_is_normalized() {
    let d = standard("system:serviceaccount:edp:sa");
    let mut r = req("edp", "sa");
    let with_scheme = format!("https://{ISSUER}/");
    r.issuer = &with_scheme;
    assert!(evaluate_web_identity(&d, &r).is_allow());
}

#[test]
fn for_any_value_string_like_on_sub() {
    let d = trust(&format!(
        r#"{{"ForAnyValue:StringLike": {{"{ISSUER}:sub": "system:serviceaccount:edp:*"}}}}"#
    ));
    assert!(evaluate_web_identity(&d, &req("edp", "x")).is_allow());
    assert!(!evaluate_web_identity(&d, &req("ci", "x")).is_allow());
    // On a missing key ForAnyValue is false and ForAllValues is true.
    let d = trust(r#"{"ForAnyValue:StringEquals": {"other.example.com:sub": "x"}}"#);
    assert!(!evaluate_web_identity(&d, &req("a", "b")).is_allow());
    let d = trust(r#"{"ForAllValues:StringEquals": {"other.example.com:sub": "x"}}"#);
    assert!(evaluate_web_identity(&d, &req("a", "b")).is_allow());
}

#[test]
fn ignore_case_variants_and_key_case() {
    let upper = ISSUER.to_uppercase();
    let d = trust(&format!(
        r#"{{"StringEqualsIgnoreCase": {{"{upper}:SUB": "SYSTEM:SERVICEACCOUNT:EDP:SA"}}}}"#
    ));
    assert!(evaluate_web_identity(&d, &req("edp", "sa")).is_allow());
    let d = trust(&format!(
        r#"{{"StringNotEqualsIgnoreCase": {{"{ISSUER}:sub": "SYSTEM:SERVICEACCOUNT:EDP:SA"}}}}"#
    ));
    assert!(!evaluate_web_identity(&d, &req("edp", "sa")).is_allow());
}

#[test]
fn wrong_partition_and_account() {
    let d = standard("system:serviceaccount:edp:sa");
    let mut r = req("edp", "sa");
    r.partition = Some("aws-cn");
    match closest_reason(evaluate_web_identity(&d, &r)) {
        MissReason::Principal { expected, found } => {
            assert!(expected.starts_with("arn:aws-cn:iam::123456789012:oidc-provider/"));
            assert_eq!(found, vec![format!("Federated: {PROVIDER}")]);
        }
        other => panic!("{other:?}"),
    }
    let mut r = req("edp", "sa");
    r.account = Some("210987654321");
    assert!(!evaluate_web_identity(&d, &r).is_allow());
    r.account = None;
    r.partition = None;
    assert!(evaluate_web_identity(&d, &r).is_allow());
}

#[test]
fn principal_wildcard_and_sts_star_and_not_action() {
    let d = doc(&format!(
        r#"{{"Statement": {{"Effect": "Allow", "Principal": "*", "Action": "sts:*",
            "Condition": {{"StringEquals": {{"{ISSUER}:sub": "system:serviceaccount:a:b"}}}}}}}}"#
    ));
    assert!(evaluate_web_identity(&d, &req("a", "b")).is_allow());
    let d = doc(&format!(
        r#"{{"Statement": {{"Effect": "Allow", "Principal": {{"Federated": "{PROVIDER}"}}, "NotAction": "sts:AssumeRoleWithWebIdentity"}}}}"#
    ));
    assert!(matches!(
        closest_reason(evaluate_web_identity(&d, &req("a", "b"))),
        MissReason::Action { .. }
    ));
    let d = doc(&format!(
        r#"{{"Statement": {{"Effect": "Allow", "Principal": {{"Federated": "{PROVIDER}"}}, "NotAction": "s3:*"}}}}"#
    ));
    assert!(evaluate_web_identity(&d, &req("a", "b")).is_allow());
}

#[test]
fn not_principal_semantics() {
    let d = doc(
        r#"{"Statement": {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRoleWithWebIdentity"}}"#,
    );
    assert!(evaluate_web_identity(&d, &req("a", "b")).is_allow());
    let d = doc(&format!(
        r#"{{"Statement": {{"Effect": "Allow", "NotPrincipal": {{"Federated": "{PROVIDER}"}}, "Action": "*"}}}}"#
    ));
    assert!(!evaluate_web_identity(&d, &req("a", "b")).is_allow());
}

#[test]
fn closest_statement_comes_first() {
    let d = doc(&format!(
        r#"{{"Statement": [
        {{"Effect": "Allow", "Principal": {{"Service": "ec2.amazonaws.com"}}, "Action": "sts:AssumeRole"}},
        {{"Effect": "Allow", "Principal": {{"Federated": "{PROVIDER}"}}, "Action": "sts:AssumeRole"}},
        {{"Effect": "Allow", "Principal": {{"Federated": "{PROVIDER}"}}, "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {{"StringEquals": {{"{ISSUER}:sub": "system:serviceaccount:x:y", "{ISSUER}:aud": "nope"}}}}}},
        {{"Effect": "Allow", "Principal": {{"Federated": "{PROVIDER}"}}, "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {{"StringEquals": {{"{ISSUER}:sub": "system:serviceaccount:x:y"}}}}}}
    ]}}"#
    ));
    let den = denial(evaluate_web_identity(&d, &req("a", "b")));
    let Denial::NoStatementAllows { misses } = &den else {
        panic!()
    };
    let order: Vec<usize> = misses.iter().map(|m| m.statement).collect();
    assert_eq!(order, vec![3, 2, 1, 0]);
    assert!(matches!(misses[2].reason, MissReason::Action { .. }));
    assert!(den.to_string().starts_with("statement 3 requires"));
}

mod scope;
mod service;
