//! The one way front-ends run an outside program (helm today; kustomize and kubectl next):
//! the binary is found in one place, stdin is closed, stdout and stderr are captured on their
//! own threads (a chatty child never blocks on a full pipe), and a run past its timeout is killed.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Why a program did not produce its output.
#[derive(Debug, Clone, PartialEq)]
pub enum RunError {
    /// The binary could not be found or started: `<binary>: <io error>`.
    NotStarted(String),
    /// It ran and exited unsuccessfully: its stderr.
    Failed(String),
    /// It was killed after this long.
    TimedOut(Duration),
}

/// Pick a binary: an explicit `--flag PATH`, else a non-empty environment variable (e.g.
/// `HELM_BIN`, which helm sets for its plugins), else `default` looked up on PATH.
pub fn find_binary(flag: Option<&Path>, env_var: Option<&str>, default: &str) -> PathBuf {
    if let Some(bin) = flag {
        return bin.to_path_buf();
    }
    match env_var.and_then(std::env::var_os) {
        Some(bin) if !bin.is_empty() => PathBuf::from(bin),
        _ => PathBuf::from(default),
    }
}

/// Whether `name` resolves to an executable file (as given, or on PATH).
pub fn is_available(name: &Path) -> bool {
    if name.components().count() > 1 {
        return name.is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
}

/// Run `bin args…` (optionally in `dir`), returning its stdout if it exits successfully.
pub fn run<I, S>(
    bin: &Path,
    args: I,
    dir: Option<&Path>,
    timeout: Duration,
) -> Result<String, RunError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let mut command = Command::new(bin);
    command
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let mut child = command
        .spawn()
        .map_err(|e| RunError::NotStarted(format!("{}: {e}", bin.display())))?;
    let out_reader = capture(child.stdout.take());
    let err_reader = capture(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RunError::TimedOut(timeout));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(RunError::Failed(e.to_string())),
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    if status.success() {
        Ok(stdout)
    } else {
        Err(RunError::Failed(stderr))
    }
}

fn capture<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_stdout_and_stderr() {
        let sh = Path::new("/bin/sh");
        let ok = run(
            sh,
            ["-c", "echo out; echo err >&2"],
            None,
            Duration::from_secs(5),
        );
        assert_eq!(ok, Ok("out\n".to_string()));
        let failed = run(
            sh,
            ["-c", "echo bad >&2; exit 3"],
            None,
            Duration::from_secs(5),
        );
        assert_eq!(failed, Err(RunError::Failed("bad\n".to_string())));
    }

    #[test]
    fn kills_a_run_past_its_timeout() {
        let started = Instant::now();
        let r = run(
            Path::new("/bin/sh"),
            ["-c", "sleep 30"],
            None,
            Duration::from_millis(200),
        );
        assert_eq!(r, Err(RunError::TimedOut(Duration::from_millis(200))));
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_missing_binary_is_not_started() {
        let r = run(
            Path::new("/nonexistent/helm"),
            ["version"],
            None,
            Duration::from_secs(1),
        );
        assert!(matches!(r, Err(RunError::NotStarted(m)) if m.starts_with("/nonexistent/helm: ")));
        assert!(!is_available(Path::new("/nonexistent/helm")));
        assert!(is_available(Path::new("sh")));
    }

    #[test]
    fn flag_then_env_then_default() {
        assert_eq!(
            find_binary(Some(Path::new("/x/helm")), Some("HELM_BIN"), "helm"),
            PathBuf::from("/x/helm")
        );
        assert_eq!(
            find_binary(None, Some("KUBECTL_IRSA_TEST_UNSET_VAR"), "helm"),
            PathBuf::from("helm")
        );
    }
}
