use super::*;
use crate::model::trust::scope::{statement_scope, StatementScope};

fn scope_of(statement: &str) -> StatementScope {
    let d = doc(&format!(r#"{{"Statement": [{statement}]}}"#));
    statement_scope(&d.statements[0])
}

#[test]
fn trust_statements_by_what_they_trust() {
    let web = |provider: &str, conditions: &str| {
        format!(
            r#"{{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::111122223333:oidc-provider/{provider}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {conditions}}}"#
        )
    };
    let eks = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
    assert_eq!(scope_of(&web(eks, "{}")), StatementScope::Eks);
    let github = "token.actions.githubusercontent.com";
    let sub = format!(r#"{{"StringLike": {{"{github}:sub": "repo:org/*"}}}}"#);
    assert_eq!(scope_of(&web(github, &sub)), StatementScope::Other);
    assert_eq!(
        scope_of(&web("oidc.circleci.com/org/1", "{}")),
        StatementScope::Other
    );
    // A self-hosted issuer: EKS-style once its subject names a service account.
    assert_eq!(
        scope_of(&web("oidc.example.com/c1", "{}")),
        StatementScope::Unrecognised
    );
    let k8s = r#"{"StringEquals": {"oidc.example.com/c1:sub": "system:serviceaccount:a:b"}}"#;
    assert_eq!(
        scope_of(&web("oidc.example.com/c1", k8s)),
        StatementScope::Eks
    );
    let service = |s: &str| {
        format!(
            r#"{{"Effect": "Allow", "Principal": {{"Service": "{s}"}}, "Action": "sts:AssumeRole"}}"#
        )
    };
    assert_eq!(
        scope_of(&service("pods.eks.amazonaws.com")),
        StatementScope::Eks
    );
    assert_eq!(
        scope_of(&service("rolesanywhere.amazonaws.com")),
        StatementScope::Eks
    );
    assert_eq!(
        scope_of(&service("ec2.amazonaws.com")),
        StatementScope::Other
    );
    let saml = r#"{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/Okta"}, "Action": "sts:AssumeRoleWithSAML"}"#;
    assert_eq!(scope_of(saml), StatementScope::Other);
}
