//! A bug hit on one input must not end the run (issue #16): the debug-only trigger
//! `KUBECTL_IRSA_DEBUG_PANIC=file:NAME` panics while that file is parsed; the run reports IRSA000
//! on it, still lints the others, and exits 2 only when nothing else failed.

use std::path::Path;
use std::process::Command;

struct Run {
    code: i32,
    findings: Vec<serde_json::Value>,
    stderr: String,
}

fn lint(dir: &Path, trigger: &str) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .arg("lint")
        .arg(dir)
        .args(["--format", "json"])
        .env("KUBECTL_IRSA_DEBUG_PANIC", trigger)
        .env_remove("RUST_BACKTRACE")
        .env("HELM_BIN", "/nonexistent/helm")
        .output()
        .expect("run kubectl-irsa");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    Run {
        code: out.status.code().unwrap_or(-1),
        findings: json["findings"].as_array().cloned().unwrap_or_default(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const SA: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  namespace: ns\n  annotations:\n    eks.amazonaws.com/role-arn: ROLE\n";

fn fixture(role_arn: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("boom.yaml"), SA.replace("ROLE", role_arn)).unwrap();
    std::fs::write(tmp.path().join("other.yaml"), SA.replace("ROLE", role_arn)).unwrap();
    tmp
}

fn codes_at(run: &Run, file: &str) -> Vec<String> {
    run.findings
        .iter()
        .filter(|f| {
            f["location"]["path"]
                .as_str()
                .is_some_and(|p| p.ends_with(file))
        })
        .map(|f| f["code"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_panic_in_one_file_is_irsa000_there_and_the_other_file_is_still_linted() {
    let tmp = fixture("arn:aws:iam::123456789012:role/with space");
    let run = lint(tmp.path(), "file:boom.yaml");
    let boom: Vec<_> = run
        .findings
        .iter()
        .filter(|f| {
            f["location"]["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("boom.yaml"))
        })
        .collect();
    assert_eq!(boom.len(), 1, "{:#?}", run.findings);
    assert_eq!(boom[0]["code"], "IRSA000");
    let message = boom[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("internal error while reading ")
            && message.contains("boom.yaml: injected panic")
            && message.contains("(at src/")
            && message.ends_with("; please report it"),
        "{message}"
    );
    // The other file still gets its real finding (an invalid role ARN), so the exit code is 1.
    assert_eq!(
        codes_at(&run, "other.yaml"),
        ["IRSA001"],
        "{:#?}",
        run.findings
    );
    assert_eq!(run.code, 1);
    // The default panic report is not printed; the finding carries the message.
    assert!(!run.stderr.contains("panicked at"), "{}", run.stderr);
}

#[test]
fn an_internal_error_alone_exits_2() {
    let tmp = fixture("arn:aws:iam::123456789012:role/app");
    let run = lint(tmp.path(), "file:boom.yaml");
    assert_eq!(
        codes_at(&run, "boom.yaml"),
        ["IRSA000"],
        "{:#?}",
        run.findings
    );
    assert_eq!(codes_at(&run, "other.yaml"), Vec::<String>::new());
    assert_eq!(run.code, 2, "{:#?}", run.findings);
    // Without the trigger the same files are clean.
    let clean = lint(tmp.path(), "");
    assert_eq!(
        (clean.code, clean.findings.len()),
        (0, 0),
        "{:#?}",
        clean.findings
    );
}

#[test]
fn a_panic_while_linting_a_chart_is_reported_on_the_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = tmp.path().join("app");
    std::fs::create_dir_all(&chart).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: app\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), "a: 1\n").unwrap();
    std::fs::write(
        tmp.path().join("other.yaml"),
        SA.replace("ROLE", "arn:aws:iam::123456789012:role/with space"),
    )
    .unwrap();
    let display = chart.to_string_lossy().to_string();
    let run = lint(tmp.path(), &format!("chart:{display}"));
    let internal: Vec<_> = run
        .findings
        .iter()
        .filter(|f| {
            f["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("internal error"))
        })
        .collect();
    assert_eq!(internal.len(), 1, "{:#?}", run.findings);
    assert_eq!(internal[0]["location"]["path"], display.as_str());
    assert_eq!(
        codes_at(&run, "other.yaml"),
        ["IRSA001"],
        "{:#?}",
        run.findings
    );
}

/// Panic isolation needs unwinding, and overflow checks turn a wrapped offset into a reported
/// internal error instead of a finding one column off: both must stay in the release profile.
#[test]
fn the_release_profile_unwinds_and_checks_overflow() {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    let release = manifest
        .split("[profile.release]")
        .nth(1)
        .and_then(|s| s.split("\n[").next())
        .expect("a [profile.release] section");
    let has = |line: &str| release.lines().any(|l| l.trim() == line);
    assert!(has("overflow-checks = true"), "{release}");
    assert!(has("panic = \"unwind\""), "{release}");
    let abort = manifest
        .lines()
        .any(|l| !l.trim_start().starts_with('#') && l.contains("panic = \"abort\""));
    assert!(!abort, "a profile aborts on panic");
}
