//! Panic isolation: a bug hit while one input (or one doctor check) is processed becomes a
//! finding about that input, and the run goes on (as ruff does). Release builds keep
//! `panic = "unwind"` and `overflow-checks = true` so that an arithmetic slip surfaces here
//! instead of as a wrong line number.
//!
//! While [`isolate`] runs, the panic hook records the message and its source location instead
//! of printing them (the finding carries both); set `RUST_BACKTRACE=1` to also get the default
//! report with a backtrace on stderr.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::diagnostics::finding::Finding;

/// The environment variable of the debug-only panic trigger (see [`debug_trigger`]).
pub const TRIGGER_VAR: &str = "KUBECTL_IRSA_DEBUG_PANIC";

/// Every internal-error message starts with this (how the exit code tells them apart).
pub const PREFIX: &str = "internal error";

/// A caught panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic {
    pub message: String,
    /// `file:line:column` in this program's source, when the hook saw it.
    pub location: Option<String>,
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(at) => write!(f, "{} (at {at})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

thread_local! {
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

fn install_hook() {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        let verbose = std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0");
        panic::set_hook(Box::new(move |info| {
            if DEPTH.with(Cell::get) == 0 || verbose {
                previous(info);
            }
            if DEPTH.with(Cell::get) > 0 {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
                LAST.with(|last| *last.borrow_mut() = at);
            }
        }));
    });
}

/// Leaves the isolated region even when `f` unwinds.
struct Depth;

impl Depth {
    fn enter() -> Depth {
        DEPTH.with(|d| d.set(d.get().saturating_add(1)));
        Depth
    }
}

impl Drop for Depth {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Run `f`; a panic inside it comes back as `Err` (quietly: no message on stderr).
///
/// `f` may leave what it mutated half-updated: callers pass only what they throw away on
/// `Err` (one file's unit, one check's own findings), hence `AssertUnwindSafe`.
pub fn isolate<T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    install_hook();
    let result = {
        let _depth = Depth::enter();
        panic::catch_unwind(AssertUnwindSafe(f))
    };
    result.map_err(|payload| Panic {
        message: payload_message(payload.as_ref()),
        location: LAST.with(|last| last.borrow_mut().take()),
    })
}

fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// Whether a finding reports a caught panic.
pub fn is_internal(finding: &Finding) -> bool {
    finding.message.starts_with(PREFIX)
}

/// The help line of every internal-error finding.
pub const HELP: &str = "this is a bug in kubectl-irsa, not in your file: please report it at https://github.com/kubectl-irsa/kubectl-irsa/issues with the file (or a reduced copy) and this message; RUST_BACKTRACE=1 prints a backtrace";

/// Debug builds only: panic when `KUBECTL_IRSA_DEBUG_PANIC` is `SITE:NAME` (e.g.
/// `file:bad.yaml`, `chart:charts/app`, `check:trust`), so tests can show that one failing
/// unit does not end the run. Release builds compile this to nothing.
#[inline]
pub fn debug_trigger(site: &str, name: &str) {
    #[cfg(debug_assertions)]
    if let Some(want) = std::env::var_os(TRIGGER_VAR) {
        let want = want.to_string_lossy();
        if want.split_once(':') == Some((site, name)) {
            panic!("injected panic ({TRIGGER_VAR}={want})");
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = (site, name);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_comes_back_with_its_message_and_location() {
        let caught = isolate(|| {
            let v: Vec<u8> = Vec::new();
            v[usize::from(v.is_empty())]
        })
        .unwrap_err();
        assert!(caught.message.contains("index out of bounds"), "{caught}");
        let at = caught.location.as_deref().unwrap_or_default();
        assert!(
            at.starts_with("src/diagnostics/internal_error.rs:"),
            "{caught}"
        );
    }

    #[test]
    fn no_panic_passes_the_value_and_nesting_unwinds_the_depth() {
        assert_eq!(isolate(|| 7), Ok(7));
        let outer = isolate(|| isolate(|| panic!("inner {}", 1)).unwrap_err().message);
        assert_eq!(outer.as_deref(), Ok("inner 1"));
        assert_eq!(DEPTH.with(Cell::get), 0);
    }

    #[test]
    fn overflow_is_caught_in_builds_with_overflow_checks() {
        let zero = std::hint::black_box(0usize);
        // Debug builds and (Cargo.toml) release builds both check overflow.
        let caught = isolate(|| zero - 1).unwrap_err();
        assert!(caught.message.contains("overflow"), "{caught}");
    }
}
