use super::*;

#[test]
fn pod_identity_requires_tag_session() {
    let d = doc(
        r#"{"Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#,
    );
    let den = denial(evaluate_service(
        &d,
        POD_IDENTITY_SERVICE,
        POD_IDENTITY_ACTIONS,
    ));
    assert_eq!(
        den.closest().unwrap().reason,
        MissReason::Action {
            action: "sts:TagSession".into()
        }
    );
    assert!(den.to_string().contains("`sts:TagSession`"));
    let d = doc(
        r#"{"Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}"#,
    );
    assert_eq!(
        evaluate_service(&d, POD_IDENTITY_SERVICE, POD_IDENTITY_ACTIONS),
        Verdict::Allow { statement: 0 }
    );
}

#[test]
fn roles_anywhere_and_unknown_keys() {
    let d = doc(
        r#"{"Statement": [{"Effect": "Allow", "Principal": {"Service": "rolesanywhere.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
        "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/a"}}}]}"#,
    );
    let den = denial(evaluate_service(
        &d,
        ROLES_ANYWHERE_SERVICE,
        ROLES_ANYWHERE_ACTIONS,
    ));
    assert!(matches!(
        den.closest().unwrap().reason,
        MissReason::Condition {
            known: false,
            actual: None,
            ..
        }
    ));
    assert!(den.to_string().contains("cannot be known offline"), "{den}");
    let ok = evaluate_service_with_context(
        &d,
        ROLES_ANYWHERE_SERVICE,
        ROLES_ANYWHERE_ACTIONS,
        &[(
            "aws:SourceArn",
            "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/a",
        )],
    );
    assert!(ok.is_allow());
    assert!(!evaluate_service(&d, POD_IDENTITY_SERVICE, POD_IDENTITY_ACTIONS).is_allow());
    let d = doc(
        r#"{"Statement": {"Effect": "Allow", "Principal": {"Service": "rolesanywhere.amazonaws.com"}, "Action": "sts:*",
        "Condition": {"StringEqualsIfExists": {"aws:PrincipalTag/x509Subject/CN": "x"}}}}"#,
    );
    assert!(evaluate_service(&d, ROLES_ANYWHERE_SERVICE, ROLES_ANYWHERE_ACTIONS).is_allow());
}

#[test]
fn empty_policy_denies() {
    let d = doc(r#"{"Statement": []}"#);
    let den = denial(evaluate_web_identity(&d, &req("a", "b")));
    assert_eq!(den.to_string(), "no statement in the policy allows it");
    let d = doc(r#"{"Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:*"}}"#);
    assert!(matches!(
        closest_reason(evaluate_web_identity(&d, &req("a", "b"))),
        MissReason::Effect
    ));
}

#[test]
fn helpers() {
    assert_eq!(
        subject("edp", "edp-kaniko"),
        "system:serviceaccount:edp:edp-kaniko"
    );
    assert_eq!(
        parse_subject("system:serviceaccount:edp:edp-kaniko"),
        Some(("edp", "edp-kaniko"))
    );
    assert_eq!(parse_subject("system:serviceaccount:edp"), None);
    assert_eq!(parse_subject("system:serviceaccount::x"), None);
    assert_eq!(parse_subject("system:serviceaccount:a:b:c"), None);
    assert_eq!(
        oidc_issuer_of(PROVIDER),
        Some(("aws".into(), "123456789012".into(), ISSUER.into()))
    );
    assert_eq!(oidc_issuer_of("arn:aws:iam::123456789012:role/x"), None);
    let d = standard("system:serviceaccount:a:b");
    assert_eq!(web_identity_statements(&d).count(), 1);
}

#[test]
fn corrected_statement_round_trips() {
    let v = corrected_statement(
        &format!("https://{ISSUER}"),
        "123456789012",
        "aws",
        "edp",
        "edp-kaniko",
        DEFAULT_AUDIENCE,
    );
    let text =
        serde_json::to_string(&serde_json::json!({"Version": "2012-10-17", "Statement": [v]}))
            .unwrap();
    assert!(text.contains(&format!("\"{ISSUER}:sub\"")));
    let d = doc(&text);
    assert!(evaluate_web_identity(&d, &req("edp", "edp-kaniko")).is_allow());
    assert!(!evaluate_web_identity(&d, &req("edp", "other")).is_allow());
}
