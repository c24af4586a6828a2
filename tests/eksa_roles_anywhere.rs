//! EKS Anywhere credential provider with IAM Roles Anywhere: the Package CR's `spec.config` is
//! linted by the pack with spans into the CR, and literal AWS config files are checked.

use std::process::Command;

fn lint(path: &str) -> Vec<(String, String, u64, u64)> {
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["lint", path, "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
                f["location"]["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn package_cr_config_and_credfile_are_checked_in_place() {
    let found = lint("testdata/eksa");
    let expect = |code: &str, path: &str, line: u64, column: u64| {
        assert!(
            found.contains(&(code.to_string(), path.to_string(), line, column)),
            "{code} at {path}:{line}:{column} missing from {found:#?}"
        );
    };
    expect("EKSA002", "testdata/eksa/package.yaml", 15, 11);
    expect("EKSA005", "testdata/eksa/package.yaml", 18, 9);
    // A trust-anchor ARN passed as --profile-arn.
    expect("IRSA001", "testdata/eksa/credfile", 3, 198);
    assert_eq!(found.len(), 3, "{found:#?}");
}

#[test]
fn base64_secret_data_is_decoded() {
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    let config = "[default]\ncredential_process = aws_signing_helper credential-process --role-arn arn:aws:iam::111122223333:role/x --profile-arn arn:aws:rolesanywhere:us-west-2:111122223333:profile/61ee7a4b-2b27-4d0e-a4c5-4b3b3f0c2f3e --trust-anchor-arn arn:aws:rolesanywhere:us-west-2:111122223333:trust-anchor/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\n";
    let encoded = base64::engine::general_purpose::STANDARD.encode(config);
    std::fs::write(
        dir.path().join("secret.yaml"),
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: aws-secret\ndata:\n  config: {encoded}\n"),
    )
    .unwrap();
    let found = lint(dir.path().to_str().unwrap());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "IRSA022");
    assert_eq!(found[0].2, 6, "points at the encoded value");
}

/// Issue #16: the fuzzer's Secret whose block scalar's first line is indented less than the
/// `credential_process` line (an underflow in debug builds, one column off in release).
#[test]
fn unevenly_indented_block_points_at_the_credential_process_key() {
    let found = lint("tests/fuzz_regressions/yaml_parse/crash-issue16-eksa-uneven-block.yaml");
    let path = "tests/fuzz_regressions/yaml_parse/crash-issue16-eksa-uneven-block.yaml";
    // Line 10 is `    credential_process = aws_signing_helper …`: the key starts at column 5.
    assert_eq!(
        found,
        vec![("IRSA022".to_string(), path.to_string(), 10, 5)],
        "{found:#?}"
    );
}
