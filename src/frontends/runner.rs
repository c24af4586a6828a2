//! The one way front-ends run an outside program (helm today; kustomize and kubectl next):
//! the binary is found in one place, stdin is closed, stdout and stderr are captured on their
//! own threads (a chatty child never blocks on a full pipe), and a run past its timeout is killed
//! with everything it started: the child leads its own process group, and the group is killed, so
//! a plugin or post-renderer that forks (or a grandchild still holding stdout) cannot outlive the
//! timeout or hang the read.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
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
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
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
                kill_group(&mut child);
                return Err(RunError::TimedOut(timeout));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                kill_group(&mut child);
                return Err(RunError::Failed(e.to_string()));
            }
        }
    };
    // The pipes close when every process holding them has exited: a grandchild may still.
    let remaining = || deadline.saturating_duration_since(Instant::now());
    let (Ok(stdout), Ok(stderr)) = (
        out_reader.recv_timeout(remaining()),
        err_reader.recv_timeout(remaining()),
    ) else {
        kill_group(&mut child);
        return Err(RunError::TimedOut(timeout));
    };
    if status.success() {
        Ok(stdout)
    } else {
        Err(RunError::Failed(stderr))
    }
}

/// Kill the child's process group (the child and what it started), then reap the child.
fn kill_group(child: &mut Child) {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals that process group; it has no memory
        // effects. The group is the child's own (process_group(0) at spawn).
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Read a pipe to its end on a thread; the text arrives on the returned channel.
fn capture<R: Read + Send + 'static>(pipe: Option<R>) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut bytes);
        }
        let _ = tx.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    rx
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
    fn a_grandchild_holding_stdout_is_killed_at_the_timeout() {
        let started = Instant::now();
        let pid_file =
            std::env::temp_dir().join(format!("runner-grandchild-{}", std::process::id()));
        // The child exits at once; its background grandchild keeps stdout open for 30 s.
        let script = format!("sleep 30 & echo $! > {}; echo started", pid_file.display());
        let r = run(
            Path::new("/bin/sh"),
            ["-c", script.as_str()],
            None,
            Duration::from_millis(300),
        );
        assert_eq!(r, Err(RunError::TimedOut(Duration::from_millis(300))));
        assert!(started.elapsed() < Duration::from_secs(10));
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let _ = std::fs::remove_file(&pid_file);
        std::thread::sleep(Duration::from_millis(100));
        // Killed with its group: gone, or a zombie waiting for init to reap it.
        let state = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
            .ok()
            .and_then(|s| s.rsplit(')').next().map(|r| r.trim().chars().next()))
            .flatten();
        assert!(
            matches!(state, None | Some('Z')),
            "grandchild state {state:?}"
        );
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
