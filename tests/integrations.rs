//! The ways users install and run kubectl-irsa, exercised for real: the Helm plugin through a real
//! helm, kubectl's plugin discovery, bash completion, the pre-commit hook and the krew manifest.
//! helm, kubectl and pre-commit come from scripts/install-test-tools.sh (.tools/).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tool(rel: &str) -> PathBuf {
    let p = root().join(".tools").join(rel);
    assert!(
        p.exists(),
        "{} missing: run scripts/install-test-tools.sh",
        p.display()
    );
    p
}

/// A directory holding `kubectl-irsa` (a symlink to the binary under test), for PATH.
fn bin_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_kubectl-irsa"),
        dir.path().join("kubectl-irsa"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        root().join("plugins/kubectl_complete-irsa"),
        dir.path().join("kubectl_complete-irsa"),
    )
    .unwrap();
    dir
}

fn path_with(dir: &Path) -> String {
    format!(
        "{}:{}:{}",
        dir.display(),
        tool("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn helm_plugin_install_then_helm_irsa_lint() {
    let home = tempfile::tempdir().unwrap();
    let helm = |args: &[&str]| {
        Command::new(tool("bin/helm"))
            .args(args)
            .current_dir(root())
            .env("HELM_PLUGINS", home.path().join("plugins"))
            .env("HELM_DATA_HOME", home.path().join("data"))
            .env("HELM_CONFIG_HOME", home.path().join("config"))
            .env("HELM_CACHE_HOME", home.path().join("cache"))
            .env("KUBECTL_IRSA_BIN", env!("CARGO_BIN_EXE_kubectl-irsa"))
            .output()
            .unwrap()
    };
    let root_str = root().to_string_lossy().to_string();
    let out = helm(&["plugin", "install", &root_str]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = helm(&["plugin", "list"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("irsa"));
    // helm consumes -n itself and hands it over as HELM_NAMESPACE; the plugin passes it on.
    let out = helm(&[
        "irsa",
        "lint",
        "testdata/charts/webapp",
        "testdata/charts/trust",
        "-n",
        "other",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let msg = json["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("`other/webapp`"), "{msg}");
    let out = helm(&[
        "irsa",
        "lint",
        "testdata/charts/webapp",
        "testdata/charts/trust",
        "-n",
        "apps",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn kubectl_finds_the_plugin() {
    let dir = bin_dir();
    let kubectl = tool("bin/kubectl");
    let out = Command::new(&kubectl)
        .args(["plugin", "list"])
        .env("PATH", path_with(dir.path()))
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.contains(&format!("{}/kubectl-irsa", dir.path().display())),
        "{listed}"
    );
    let out = Command::new(&kubectl)
        .args(["irsa", "explain", "IRSA016"])
        .env("PATH", path_with(dir.path()))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("trust-sub-mismatch"));
}

#[test]
fn kubectl_plugin_completion_helper_answers() {
    let dir = bin_dir();
    let out = Command::new(dir.path().join("kubectl_complete-irsa"))
        .args(["explain", "IRSA01"])
        .env("PATH", path_with(dir.path()))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().any(|l| l == "IRSA016"), "{text}");
}

#[test]
fn bash_completion_loads() {
    let dir = bin_dir();
    let out = Command::new("bash")
        .args([
            "-c",
            "source <(kubectl-irsa completion bash) && complete -p kubectl-irsa",
        ])
        .env("PATH", path_with(dir.path()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("kubectl-irsa"));
    for shell in ["zsh", "fish"] {
        let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
            .args(["completion", shell])
            .output()
            .unwrap();
        assert!(out.status.success() && !out.stdout.is_empty(), "{shell}");
    }
    let man = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .arg("man")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&man.stdout).contains(".TH kubectl-irsa"));
}

#[test]
fn pre_commit_hook_runs_on_a_sample_repo() {
    let dir = bin_dir();
    let repo = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(repo.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q"]);
    let example = root().join("testdata/example");
    for f in ["serviceaccount.yaml", "AWSIRSA_demo_edp_Kaniko.json"] {
        std::fs::copy(example.join(f), repo.path().join(f)).unwrap();
    }
    git(&["add", "."]);
    // try-repo runs the hook definitions of our working tree, as a user's config would.
    let pre_commit = tool("venv/bin/pre-commit");
    let run = |repo_path: &Path| {
        Command::new(&pre_commit)
            .args([
                "try-repo",
                &root().to_string_lossy(),
                "kubectl-irsa-lint",
                "--all-files",
            ])
            .current_dir(repo_path)
            .env("PATH", path_with(dir.path()))
            .env("PRE_COMMIT_HOME", repo_path.join(".pre-commit-cache"))
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap()
    };
    let out = run(repo.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "the example has a trust mismatch: {text}"
    );
    assert!(text.contains("IRSA016"), "{text}");
    // Fixed trust: the hook passes.
    let trust = repo.path().join("AWSIRSA_demo_edp_Kaniko.json");
    let fixed = std::fs::read_to_string(&trust)
        .unwrap()
        .replace("serviceaccount:edp:", "serviceaccount:ci:");
    std::fs::write(&trust, fixed).unwrap();
    let sa = repo.path().join("serviceaccount.yaml");
    let text = std::fs::read_to_string(&sa).unwrap();
    let (head, _) = text.split_once("---").unwrap();
    std::fs::write(&sa, head).unwrap();
    git(&["add", "."]);
    let out = run(repo.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn krew_manifest_is_valid() {
    let text = std::fs::read_to_string(root().join("plugins/irsa.yaml")).unwrap();
    let stream = kubectl_irsa::syntax::yaml::parse(&text);
    assert!(stream.error.is_none());
    let manifest = stream.documents[0].root.to_json();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("testdata/krew-plugin.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&manifest)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(manifest["metadata"]["name"], "irsa");
    let version = format!("v{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(
        manifest["spec"]["version"],
        version.as_str(),
        "bump plugins/irsa.yaml with Cargo.toml"
    );
    for p in manifest["spec"]["platforms"].as_array().unwrap() {
        assert!(p["uri"].as_str().unwrap().contains(&version));
        assert_eq!(p["bin"], "kubectl-irsa");
    }
    // The schema does reject a broken manifest.
    let mut broken = manifest.clone();
    broken["spec"]["platforms"][0]["sha256"] = "xyz".into();
    assert!(!validator.is_valid(&broken));
}
