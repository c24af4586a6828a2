use super::*;
use crate::syntax::yaml::parse;

fn doc(text: &str) -> PolicyDocument {
    let s = parse(text);
    assert!(s.error.is_none(), "{:?}", s.error);
    parse_policy(&s.documents[0].root).expect("policy parses")
}

fn error(text: &str) -> PolicyError {
    let s = parse(text);
    parse_policy(&s.documents[0].root).expect_err("policy must not parse")
}

const TRUST: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Kaniko",
      "Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:edp:edp-kaniko",
          "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": ["sts.amazonaws.com"]
        }
      }
    }
  ]
}"#;

#[test]
fn parses_trust_policy_with_spans() {
    let d = doc(TRUST);
    assert_eq!(
        d.version.as_ref().map(|v| v.value.as_str()),
        Some("2012-10-17")
    );
    assert_eq!(d.statements.len(), 1);
    let s = &d.statements[0];
    assert_eq!(s.sid.as_ref().map(|v| v.as_str()), Some("Kaniko"));
    assert_eq!(s.effect.value, Effect::Allow);
    let p = s.principal.as_ref().unwrap();
    let fed = p.federated();
    assert_eq!(fed.len(), 1);
    assert!(fed[0].value.ends_with("/id/ABC"));
    assert_eq!(
        &TRUST[fed[0].span.start.offset..fed[0].span.end.offset],
        format!("\"{}\"", fed[0].value)
    );
    assert_eq!(s.actions[0].value, "sts:AssumeRoleWithWebIdentity");
    assert_eq!(s.conditions.len(), 2);
    let c = &s.conditions[0];
    assert_eq!(c.operator.base, BaseOp::StringEquals);
    assert!(c.key.ends_with(":sub"));
    assert_eq!(c.key_span.start.line, 11);
    assert_eq!(c.operator_span.start.line, 10);
    assert_eq!(s.conditions[1].values[0].value, "sts.amazonaws.com");
    assert!(is_trust_policy(&d));
    assert_eq!(d.statement_key_span.map(|s| s.start.line), Some(3));
}

#[test]
fn statement_as_object_and_yaml_source() {
    let d = doc("Version: '2012-10-17'\nStatement:\n  Effect: Deny\n  Action: [s3:GetObject, 's3:Put*']\n  Resource: '*'\n");
    assert_eq!(d.statements.len(), 1);
    let s = &d.statements[0];
    assert_eq!(s.effect.value, Effect::Deny);
    assert_eq!(s.actions.len(), 2);
    assert_eq!(s.actions[1].span.start.line, 4);
    assert_eq!(s.resources[0].value, "*");
    assert!(!is_trust_policy(&d));
}

#[test]
fn structural_errors() {
    assert!(error(r#"{"Statement": "x"}"#)
        .message
        .contains("object or a list"));
    assert!(error(r#"{"Statement": [{"Action": "x"}]}"#)
        .message
        .contains("no `Effect`"));
    let e = error(r#"{"Statement": [{"Effect": "allow", "Action": "x"}]}"#);
    assert!(e.message.contains("found `allow`"), "{}", e.message);
    assert_eq!(e.span.start.column, 27);
    assert!(error(r#"{"Version": "x"}"#)
        .message
        .contains("no `Statement`"));
    assert!(error("[1, 2]").message.contains("must be an object"));
    assert!(
        error(r#"{"Statement": [{"Effect": "Allow", "Action": {"a": 1}}]}"#)
            .message
            .contains("Action must be a string")
    );
    assert!(
        error(r#"{"Statement": [{"Effect": "Allow", "Principal": "arn:x"}]}"#)
            .message
            .contains("Principal must be")
    );
    // A malformed operator is skipped and recorded; the rest of the document is still read.
    let lenient = doc(
        r#"{"Statement": [{"Effect": "Allow", "Condition": {"StringEquals": "x", "Bool": {"aws:SecureTransport": "true"}}}]}"#,
    );
    assert!(lenient.problems[0]
        .message
        .contains("must map condition keys"));
    assert_eq!(lenient.statements[0].conditions.len(), 1);
    assert!(
        error(r#"{"Statement": [{"Effect": "Allow", "Condition": {"Bool": {"k": null}}}]}"#)
            .message
            .contains("strings, numbers or booleans")
    );
    assert!(error(r#"{"Statement": [3]}"#)
        .message
        .contains("statement 0 must be an object"));
}

#[test]
fn keys_are_case_sensitive() {
    let e = error(r#"{"statement": [{"Effect": "Allow"}]}"#);
    assert!(e.message.contains("no `Statement`"));
    let d = doc(r#"{"Statement": {"Effect": "Allow", "action": "sts:AssumeRole"}}"#);
    assert!(d.statements[0].actions.is_empty());
}

#[test]
fn condition_values_keep_text_of_numbers_and_bools() {
    let d = doc(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Condition": {
        "Bool": {"aws:SecureTransport": true}, "NumericLessThan": {"aws:MultiFactorAuthAge": [3600, 7200]}}}}"#,
    );
    let c = &d.statements[0].conditions;
    assert_eq!(c[0].values[0].value, "true");
    assert_eq!(
        c[1].values
            .iter()
            .map(|v| v.value.as_str())
            .collect::<Vec<_>>(),
        ["3600", "7200"]
    );
    assert_eq!(c[1].operator.base, BaseOp::NumericLessThan);
}

#[test]
fn operators_parse() {
    let op = Operator::parse("ForAnyValue:StringLikeIfExists");
    assert_eq!(op.set, Some(SetQualifier::ForAnyValue));
    assert_eq!(op.base, BaseOp::StringLike);
    assert!(op.if_exists);
    let op = Operator::parse("ForAllValues:StringNotEquals");
    assert_eq!(op.set, Some(SetQualifier::ForAllValues));
    assert!(op.base.is_negated());
    assert_eq!(op.base.positive(), BaseOp::StringEquals);
    assert_eq!(Operator::parse("Null").base, BaseOp::Null);
    assert_eq!(
        Operator::parse("StringEqualsIgnoreCaseIfExists").base,
        BaseOp::StringEqualsIgnoreCase
    );
    assert_eq!(Operator::parse("ArnNotLike").base, BaseOp::ArnNotLike);
    assert_eq!(
        Operator::parse("StringEqual").base,
        BaseOp::Unknown("StringEqual".into())
    );
    assert_eq!(
        Operator::parse("IfExists").base,
        BaseOp::Unknown("IfExists".into())
    );
    assert_eq!(Operator::parse("").base, BaseOp::Unknown(String::new()));
    assert_eq!(Operator::parse("Ü").base, BaseOp::Unknown("Ü".into()));
}

#[test]
fn principal_forms() {
    let d = doc(r#"{"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"Service": ["pods.eks.amazonaws.com", "ec2.amazonaws.com"], "AWS": "arn:aws:iam::123456789012:root"}, "Action": ["sts:AssumeRole", "sts:TagSession"]},
        {"Effect": "Deny", "NotPrincipal": {"CanonicalUser": "abc", "Weird": "x"}, "NotAction": "s3:*"}
    ]}"#);
    let p = |i: usize| d.statements[i].principal.as_ref();
    assert!(p(0).unwrap().is_wildcard());
    assert!(p(1).unwrap().is_wildcard());
    assert!(!p(2).unwrap().is_wildcard());
    assert_eq!(p(2).unwrap().services().len(), 2);
    assert_eq!(
        p(2).unwrap().aws()[0].value,
        "arn:aws:iam::123456789012:root"
    );
    let np = d.statements[3].not_principal.as_ref().unwrap();
    assert_eq!(np.entries()[1].kind, PrincipalType::Other("Weird".into()));
    assert_eq!(np.values_of(&PrincipalType::CanonicalUser)[0].value, "abc");
}

#[test]
fn action_matching() {
    let d = doc(r#"{"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sts:*"},
        {"Effect": "Allow", "Principal": "*", "Action": "STS:AssumeRole?ithWebIdentity"},
        {"Effect": "Allow", "Principal": "*", "NotAction": "sts:TagSession"},
        {"Effect": "Deny", "Principal": "*", "Action": "*"},
        {"Effect": "Allow", "Principal": "*"}
    ]}"#);
    let s = &d.statements;
    assert!(s[0].allows_action("sts:AssumeRoleWithWebIdentity"));
    assert!(!s[0].allows_action("s3:GetObject"));
    assert!(s[1].allows_action("sts:assumerolewithwebidentity"));
    assert!(!s[1].allows_action("sts:AssumeRole"));
    assert!(s[2].allows_action("sts:AssumeRole"));
    assert!(!s[2].allows_action("sts:tagsession"));
    assert!(s[3].matches_action("sts:AssumeRole"));
    assert!(!s[3].allows_action("sts:AssumeRole"));
    assert!(!s[4].matches_action("sts:AssumeRole"));
}

#[test]
fn looks_like_policy_heuristic() {
    let root = |t: &str| parse(t).documents[0].root.clone();
    assert!(looks_like_policy(&root(TRUST)));
    assert!(looks_like_policy(&root(
        r#"{"Statement": {"Effect": "Allow"}}"#
    )));
    assert!(!looks_like_policy(&root(r#"{"Statement": "x"}"#)));
    assert!(!looks_like_policy(&root(
        "apiVersion: v1\nkind: ServiceAccount\n"
    )));
    assert!(!looks_like_policy(&root("- a\n- b\n")));
}

#[test]
fn trust_policy_detection() {
    let d = doc(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::123456789012:role/x"}}"#,
    );
    assert!(!is_trust_policy(&d));
    let d = doc(r#"{"Statement": {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity"}}"#);
    assert!(is_trust_policy(&d));
}

#[test]
fn odd_inputs_do_not_panic() {
    for t in [
        "",
        "~",
        "x",
        "{}",
        "{\"Statement\": []}",
        "{\"Statement\": null}",
        "{Statement: [{Effect: Allow, Condition: {? [a]: {b: c}}}]}",
    ] {
        let s = parse(t);
        if let Some(d) = s.documents.first() {
            let _ = parse_policy(&d.root);
            let _ = looks_like_policy(&d.root);
        }
    }
}
