//! Malformed inputs through the real binary: one clear finding each, good files still linted,
//! nothing hangs or crashes, exit code 1 (findings), never 2.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn lint_json(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value, Duration) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .arg("lint")
        .arg(dir)
        .args(["--format", "json", "--verbose"])
        .args(extra)
        .env("HELM_BIN", "/nonexistent/helm")
        .output()
        .expect("run kubectl-irsa");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json, started.elapsed())
}

fn findings_for<'a>(json: &'a serde_json::Value, file: &str) -> Vec<&'a serde_json::Value> {
    json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| {
            f["location"]["path"]
                .as_str()
                .is_some_and(|p| p.ends_with(file))
        })
        .collect()
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), bytes).expect("write fixture");
}

const GOOD_SA: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  namespace: ns\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/app\n    eks.amazonaws.com/token-expiration: \"60\"\n";

#[test]
fn every_bad_input_gets_one_located_error_and_good_files_are_still_linted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // Broken files that show they are Kubernetes or IAM are errors; others are notes (below).
    let mut bomb =
        String::from("apiVersion: v1\nkind: ConfigMap\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..15 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 10].join(", ")
        ));
    }
    write(dir, "bomb.yaml", bomb);
    write(dir, "deep.yaml", "[".repeat(100_000) + &"]".repeat(100_000));
    write(
        dir,
        "deep.json",
        "{\"Statement\":".repeat(100_000) + "1" + &"}".repeat(100_000),
    );
    write(
        dir,
        "latin1.yaml",
        b"kind: ConfigMap\napiVersion: v1\nname: caf\xe9\n",
    );
    write(dir, "binary.yaml", b"\x7fELF\x00\x01\x02\x03");
    write(
        dir,
        "tabs.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n\tname: x\n",
    );
    write(dir, "secret.yaml", b"\x00GITCRYPT\x00\x8f\x11");
    write(dir, "events.json", "{\"a\": 1}\n{\"a\": 2}\n");
    write(
        dir,
        "dupe.json",
        "{\"Version\": \"2012-10-17\", \"Version\": \"2008-10-17\", \"Statement\": []}",
    );
    write(dir, "empty.yaml", "");
    write(dir, "dashes.yaml", "---\n---\n");
    write(dir, "huge.yaml", "key: value\n".repeat(5 * 1024 * 1024));
    write(dir, "good.yaml", GOOD_SA);
    write(dir, "crlf.yaml", GOOD_SA.replace('\n', "\r\n"));
    write(dir, "bom.yaml", format!("\u{feff}{GOOD_SA}"));
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("loop-b.yaml"), dir.join("loop-a.yaml")).unwrap();
        std::os::unix::fs::symlink(dir.join("loop-a.yaml"), dir.join("loop-b.yaml")).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", dir.join("outside.yaml")).unwrap();
    }

    let (code, json, elapsed) = lint_json(dir, &[]);
    assert_eq!(code, 1, "{json:#}");
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");

    for (file, needle) in [
        ("bomb.yaml", "alias"),
        ("deep.json", "invalid JSON"),
        ("latin1.yaml", "invalid UTF-8"),
        ("tabs.yaml", "invalid YAML"),
        ("loop-a.yaml", "symlink loop"),
        ("outside.yaml", "outside the tree"),
        ("huge.yaml", "--max-file-size"),
    ] {
        let found = findings_for(&json, file);
        assert_eq!(found.len(), 1, "{file}: {found:#?}");
        let f = found[0];
        assert_eq!(f["code"], "IRSA000", "{file}");
        assert!(
            f["message"].as_str().unwrap().contains(needle),
            "{file}: {}",
            f["message"]
        );
        assert!(f["location"]["line"].as_u64().unwrap() >= 1);
    }
    let latin1 = &findings_for(&json, "latin1.yaml")[0]["location"];
    assert_eq!(
        (latin1["line"].as_u64(), latin1["column"].as_u64()),
        (Some(3), Some(10))
    );
    let tabs = &findings_for(&json, "tabs.yaml")[0]["location"];
    assert_eq!(tabs["line"].as_u64(), Some(4));
    // No sign of Kubernetes or IAM: a note (IRSA056 file-not-read), not an error.
    for (file, needle) in [
        ("deep.yaml", "nest"),
        ("binary.yaml", "binary"),
        ("secret.yaml", "git-crypt"),
        ("events.json", "invalid JSON"),
    ] {
        let found = findings_for(&json, file);
        assert_eq!(found.len(), 1, "{file}: {found:#?}");
        assert_eq!(found[0]["code"], "IRSA056", "{file}");
        assert_eq!(found[0]["severity"], "note", "{file}");
        let message = found[0]["message"].as_str().unwrap();
        assert!(message.contains(needle), "{file}: {message}");
    }
    let dupe = findings_for(&json, "dupe.json");
    assert!(
        dupe.iter()
            .any(|f| f["code"] == "IRSA010" && f["location"]["column"] == 27),
        "{dupe:#?}"
    );
    for quiet in ["empty.yaml", "dashes.yaml"] {
        assert!(findings_for(&json, quiet).is_empty(), "{quiet}");
    }
    // The good files were linted, and columns are right after CRLF and a BOM.
    for good in ["good.yaml", "crlf.yaml", "bom.yaml"] {
        let found = findings_for(&json, good);
        let f = found
            .iter()
            .find(|f| f["code"] == "IRSA012")
            .unwrap_or_else(|| panic!("{good}: token-expiration finding missing: {found:#?}"));
        assert_eq!(f["location"]["line"].as_u64(), Some(8), "{good}");
        assert_eq!(f["location"]["column"].as_u64(), Some(41), "{good}");
    }
}

#[test]
fn oversized_files_are_skipped_with_a_finding() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "big.yaml", "a: b\n".repeat(1000));
    let (code, json, _) = lint_json(tmp.path(), &["--max-file-size", "100"]);
    assert_eq!(code, 1);
    let f = findings_for(&json, "big.yaml");
    assert!(f[0]["message"]
        .as_str()
        .unwrap()
        .contains("--max-file-size"));
}

#[test]
fn unreadable_files_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "secret.yaml", GOOD_SA);
    let path = tmp.path().join("secret.yaml");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads anything; a FIFO (which would block a naive reader forever) is checked instead.
    let fifo = tmp.path().join("pipe.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    if std::fs::metadata(&path).is_ok_and(|_| nix_is_root()) {
        let (code, json, elapsed) = lint_json(tmp.path(), &[]);
        assert_eq!(code, 1);
        assert!(elapsed < Duration::from_secs(10));
        assert!(findings_for(&json, "pipe.yaml")[0]["message"]
            .as_str()
            .unwrap()
            .contains("not a regular file"));
        return;
    }
    let (code, json, _) = lint_json(tmp.path(), &[]);
    assert_eq!(code, 1);
    assert!(findings_for(&json, "secret.yaml")[0]["message"]
        .as_str()
        .unwrap()
        .contains("permission denied"));
}

#[test]
fn a_missing_path_is_a_finding_and_usage_errors_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .args(["lint", "--format", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .args(["lint", "/nonexistent/dir", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

fn nix_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
