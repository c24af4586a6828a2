//! A counter line on stderr, only when stderr is a terminal (nothing when piped).

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Progress {
    enabled: bool,
    label: String,
    total: usize,
    done: AtomicUsize,
}

impl Progress {
    pub fn new(label: &str, total: usize) -> Self {
        Progress {
            enabled: total > 0 && std::io::stderr().is_terminal(),
            label: label.to_string(),
            total,
            done: AtomicUsize::new(0),
        }
    }

    /// A stage message (e.g. "listing pods"), shown in place.
    pub fn stage(message: &str) {
        if std::io::stderr().is_terminal() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2Kdoctor: {message}");
            let _ = err.flush();
        }
    }

    pub fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.enabled {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2Kdoctor: {} {done}/{}", self.label, self.total);
            let _ = err.flush();
        }
    }

    /// Clear the line before the report is printed.
    pub fn clear() {
        if std::io::stderr().is_terminal() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
