//! The classes of trust mistakes of issue #11, through the real binary: each bad input gets its
//! finding at the right line (and exit 1 where it is an error), each good one is clean.

use std::path::Path;
use std::process::Command;

struct Case {
    /// Arguments after `lint`, relative to the repository.
    args: &'static [&'static str],
    code: &'static str,
    /// (file the finding points at, line); `None` for a good case.
    at: Option<(&'static str, usize)>,
    exit: i32,
}

const CASES: &[Case] = &[
    Case {
        args: &["testdata/rules/IRSA014/bad.yaml"],
        code: "IRSA014",
        at: Some(("bad.yaml", 35)),
        exit: 0,
    },
    // The kubelet makes the one `runAsUser` the token's owner (Kubernetes >= 1.19).
    Case {
        args: &["testdata/trust/token-readable/same-user.yaml"],
        code: "IRSA014",
        at: None,
        exit: 0,
    },
    // The default mode 0644 lets every user read it.
    Case {
        args: &["testdata/trust/token-readable/default-mode.yaml"],
        code: "IRSA014",
        at: None,
        exit: 0,
    },
    Case {
        args: &["testdata/trust/federated-action/bad.json"],
        code: "IRSA008",
        at: Some(("bad.json", 9)),
        exit: 1,
    },
    Case {
        args: &["testdata/trust/federated-action/good.json"],
        code: "IRSA008",
        at: None,
        exit: 0,
    },
    Case {
        args: &["testdata/rules/IRSA025/bad.d"],
        code: "IRSA025",
        at: Some(("billing-exporter.json", 7)),
        exit: 1,
    },
    Case {
        args: &["testdata/rules/IRSA025/good.d"],
        code: "IRSA025",
        at: None,
        exit: 0,
    },
    Case {
        args: &[
            "testdata/charts/dup-role-annotation",
            "-f",
            "testdata/charts/dup-role-annotation-values.yaml",
        ],
        code: "IRSA023",
        at: Some(("dup-role-annotation/values.yaml", 7)),
        exit: 1,
    },
    Case {
        args: &[
            "testdata/charts/dup-role-annotation",
            "-f",
            "testdata/charts/dup-role-annotation-good-values.yaml",
        ],
        code: "IRSA023",
        at: None,
        exit: 0,
    },
];

fn lint(args: &[&str]) -> (i32, serde_json::Value) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let helm = root.join(".tools/bin/helm");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"));
    cmd.current_dir(root).arg("lint").args(args);
    if helm.exists() {
        cmd.arg("--helm").arg(helm);
    }
    let out = cmd
        .args(["--format", "json", "--verbose"])
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), json)
}

fn findings<'a>(json: &'a serde_json::Value, code: &str) -> Vec<&'a serde_json::Value> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

#[test]
fn each_class_has_a_bad_and_a_good_case() {
    for case in CASES {
        let (exit, json) = lint(case.args);
        let hits = findings(&json, case.code);
        match case.at {
            Some((path, line)) => assert!(
                hits.iter().any(|f| {
                    f["location"]["path"]
                        .as_str()
                        .is_some_and(|p| p.ends_with(path))
                        && f["location"]["line"] == line
                }),
                "{:?}: no {} at {path}:{line}: {json:#}",
                case.args,
                case.code
            ),
            None => assert!(hits.is_empty(), "{:?}: {hits:#?}", case.args),
        }
        assert_eq!(exit, case.exit, "{:?}: {json:#}", case.args);
    }
}

#[test]
fn rendered_duplicate_points_at_both_values_keys() {
    let (_, json) = lint(CASES[7].args);
    let f = findings(&json, "IRSA023")[0];
    let related: Vec<String> = f["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}:{}", r["path"].as_str().unwrap(), r["line"]))
        .collect();
    assert!(
        related
            .iter()
            .any(|r| r.ends_with("dup-role-annotation-values.yaml:4")),
        "{related:?}"
    );
    // The rendered object is shown at its template file, the rendered line in the message.
    let messages: Vec<&str> = (f["related"].as_array().unwrap().iter())
        .filter_map(|r| r["message"].as_str())
        .collect();
    assert!(
        related
            .iter()
            .any(|r| r.contains("templates/serviceaccount.yaml:1")),
        "{related:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("of the rendered `")),
        "{messages:?}"
    );
}

/// Every principal type against every STS action form: IRSA008 is an error exactly where STS
/// would never match an EKS principal's assume call against the statement; the statements of
/// other principals (an account, EC2, Cognito, SAML…) are no EKS trust and are not checked.
#[test]
fn principal_action_matrix() {
    let principals = [
        ("aws", r#"{"AWS": "arn:aws:iam::111122223333:root"}"#),
        ("service", r#"{"Service": "ec2.amazonaws.com"}"#),
        (
            "oidc",
            r#"{"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"}"#,
        ),
        (
            "cognito",
            r#"{"Federated": "cognito-identity.amazonaws.com"}"#,
        ),
        (
            "saml",
            r#"{"Federated": "arn:aws:iam::111122223333:saml-provider/Okta"}"#,
        ),
        (
            "canonical",
            r#"{"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}"#,
        ),
        ("star", r#""*""#),
    ];
    // Action forms, and per principal whether the statement lets it assume the role
    // (a = aws, s = service, o = oidc, c = cognito, m = saml; canonical never, star always).
    let actions = [
        (r#""Action": "sts:AssumeRole""#, "as"),
        (r#""Action": "sts:AssumeRoleWithWebIdentity""#, "oc"),
        (r#""Action": "sts:AssumeRoleWithSAML""#, "m"),
        (r#""Action": "sts:TagSession""#, ""),
        (r#""Action": "sts:SetSourceIdentity""#, ""),
        (r#""Action": "sts:SetContext""#, ""),
        (r#""Action": "sts:*""#, "ascom"),
        (r#""Action": "sts:Assume*""#, "ascom"),
        (r#""Action": "*""#, "ascom"),
        (
            r#""Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]"#,
            "oc",
        ),
        (r#""NotAction": "sts:AssumeRole""#, "ocm"),
        (r#""NotAction": "sts:AssumeRoleWith*""#, "as"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut expected = Vec::new();
    for (p, principal) in principals {
        for (a, (action, ok)) in actions.iter().enumerate() {
            let file = format!("{p}-{a}.json");
            let text = format!(
                "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\",\n\"Principal\": {principal},\n{action},\n\"Condition\": {{\"StringEquals\": {{\"aws:PrincipalAccount\": \"111122223333\"}}}}}}]}}\n"
            );
            std::fs::write(dir.path().join(&file), text).unwrap();
            let letter = match p {
                "aws" => Some('a'),
                "service" => Some('s'),
                "oidc" => Some('o'),
                "cognito" => Some('c'),
                "saml" => Some('m'),
                _ => None,
            };
            let error = match (p, letter) {
                ("oidc", Some(l)) => !ok.contains(l),
                _ => false,
            };
            expected.push((file, error));
        }
    }
    let (_, json) = lint(&[dir.path().to_str().unwrap()]);
    for (file, error) in expected {
        let errors: Vec<&serde_json::Value> = findings(&json, "IRSA008")
            .into_iter()
            .filter(|f| {
                f["location"]["path"]
                    .as_str()
                    .is_some_and(|p| p.ends_with(&file))
            })
            .filter(|f| f["severity"] == "error")
            .collect();
        assert_eq!(!errors.is_empty(), error, "{file}: {errors:#?}");
    }
}

/// A separate `sts:TagSession` statement next to a complete one is fine; a wrong assume action
/// next to a right one is only a warning (the role can still be assumed).
#[test]
fn split_statements() {
    let provider =
        "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC";
    let doc = |second: &str| {
        format!("{{\"Version\": \"2012-10-17\", \"Statement\": [\n{{\"Effect\": \"Allow\", \"Principal\": {{\"Federated\": \"{provider}\"}}, \"Action\": \"sts:AssumeRoleWithWebIdentity\"}},\n{{\"Effect\": \"Allow\", \"Principal\": {{\"Federated\": \"{provider}\"}}, \"Action\": \"{second}\"}}]}}\n")
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tag.json"), doc("sts:TagSession")).unwrap();
    std::fs::write(dir.path().join("wrong.json"), doc("sts:AssumeRole")).unwrap();
    let (_, json) = lint(&[dir.path().to_str().unwrap()]);
    let of = |file: &str| -> Vec<String> {
        findings(&json, "IRSA008")
            .into_iter()
            .filter(|f| {
                f["location"]["path"]
                    .as_str()
                    .is_some_and(|p| p.ends_with(file))
            })
            .map(|f| f["severity"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(of("tag.json").is_empty(), "{:?}", of("tag.json"));
    assert_eq!(of("wrong.json"), vec!["warning"]);
}

/// Each trust-policy grammar check of IRSA026 at its line; a bucket policy (which also names
/// principals) raises neither IRSA008 nor IRSA026.
#[test]
fn trust_grammar_checks_and_bucket_policies() {
    let trust = r#"{"Version": "2012-10-17", "Statement": [
{"Sid": "One", "Effect": "Allow", "Principal": {"Service": "ec2"}, "Action": "sts:AssumeRole"},
{"Sid": "One", "Effect": "Allow", "Principal": {"Federated": "not a provider"}, "Action": "sts:AssumeRoleWithWebIdentity"},
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::11112222333:root"}, "Action": "sts:AssumeRole"},
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/*"}, "Action": "sts:AssumeRole"},
{"Effect": "Allow", "Principal": {"Users": "alice"}, "Action": "sts:AssumeRole"},
{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:RequestTag/team": "a"}}},
{"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}
]}
"#;
    let bucket = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
"Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject",
"Resource": "arn:aws:s3:::reports/*"}]}
"#;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("trust.json"), trust).unwrap();
    std::fs::write(dir.path().join("bucket.json"), bucket).unwrap();
    let (_, json) = lint(&[dir.path().to_str().unwrap()]);
    let lines = |file: &str, code: &str| -> Vec<u64> {
        findings(&json, code)
            .into_iter()
            .filter(|f| {
                f["location"]["path"]
                    .as_str()
                    .is_some_and(|p| p.ends_with(file))
            })
            .map(|f| f["location"]["line"].as_u64().unwrap())
            .collect()
    };
    let mut got = lines("trust.json", "IRSA026");
    got.sort();
    // Service format, duplicate Sid, federated syntax, bad account, wildcard ARN, principal
    // key, tag condition without TagSession, NotPrincipal.
    assert_eq!(got, vec![2, 3, 3, 4, 5, 6, 7, 8], "{json:#}");
    assert!(lines("bucket.json", "IRSA026").is_empty(), "{json:#}");
    assert!(lines("bucket.json", "IRSA008").is_empty(), "{json:#}");
}
