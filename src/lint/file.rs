//! One file of a lint run: read (or standard input), decoded, lowered by its front-end; and
//! what a file that panicked leaves behind.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use super::suppress::Suppressions;
use super::unit::UnitOutcome;
use super::LintOptions;
use crate::config::Config;
use crate::diagnostics::finding::Finding;
use crate::diagnostics::input::input_finding;
use crate::diagnostics::internal_error::{self, Panic, HELP, PREFIX};
use crate::facts::Classified;
use crate::facts::Workspace;
use crate::frontends::discover::Input;
use crate::frontends::Lowered;
use crate::syntax::source::{decode, read_text, ReadError, SourceFile};

/// One file's contribution, made on a worker thread.
pub(super) struct FileResult {
    pub file: Arc<SourceFile>,
    pub classified: Classified,
    pub findings: Vec<Finding>,
}

pub(super) fn process_file(input: &Input, opts: &LintOptions, config: &Config) -> FileResult {
    let (path, display, text) = match input {
        Input::Stdin => {
            let mut bytes = Vec::new();
            let text = match std::io::stdin()
                .take(opts.max_file_size + 1)
                .read_to_end(&mut bytes)
            {
                Ok(_) if bytes.len() as u64 > opts.max_file_size => Err(ReadError {
                    message: "standard input is over the size limit (--max-file-size)".into(),
                    pos: None,
                }),
                Ok(_) => decode(bytes),
                Err(e) => Err(ReadError {
                    message: format!("cannot read standard input: {e}"),
                    pos: None,
                }),
            };
            (PathBuf::from("-"), "<stdin>".to_string(), text)
        }
        Input::File { path, display } => (
            path.clone(),
            display.clone(),
            read_text(path, opts.max_file_size),
        ),
        Input::Chart { dir, display } => (
            dir.clone(),
            display.clone(),
            Err(ReadError {
                message: "a chart directory is rendered, not read as a file".into(),
                pos: None,
            }),
        ),
    };
    let aws_config = matches!(input, Input::File { path, .. } if crate::frontends::discover::is_aws_config_name(path));
    let text = match text {
        Ok(t) => t,
        // Only AWS config files with a credential_process matter; unreadable ones are not ours.
        Err(_) if aws_config => {
            let file = Arc::new(SourceFile::new(path, display, ""));
            return FileResult {
                file,
                classified: Classified::default(),
                findings: Vec::new(),
            };
        }
        Err(e) => {
            let file = Arc::new(SourceFile::new(path, display, ""));
            let finding = match input {
                // Binary or not UTF-8: an error only if what can be read of it is meant for us.
                Input::File { path, .. } if e.pos.is_some() => {
                    let bytes = std::fs::read(path).unwrap_or_default();
                    let seen = String::from_utf8_lossy(&bytes);
                    crate::frontends::unread::parse_failure(&file, &seen, &e.message, e.pos)
                }
                _ => input_finding(&file, &e.message, e.pos),
            };
            return FileResult {
                file,
                classified: Classified::default(),
                findings: vec![finding],
            };
        }
    };
    let file = Arc::new(SourceFile::new(path, display, text));
    internal_error::debug_trigger("file", file.file_name());
    let Lowered {
        facts: mut classified,
        findings,
        file: kept,
    } = crate::frontends::lower_file(&file);
    let file = kept.unwrap_or(file);
    if let Some(role) = config.role_for_file(&file.path) {
        for policy in &mut classified.policies {
            policy.role_name = Some(role.to_string());
        }
    }
    FileResult {
        file,
        classified,
        findings,
    }
}

pub(super) fn input_display(input: &Input) -> &str {
    match input {
        Input::File { display, .. } | Input::Chart { display, .. } => display,
        Input::Stdin => "<stdin>",
    }
}

/// What a unit that panicked leaves: one IRSA000 finding on its file.
pub(super) fn internal_error_unit(display: &str, panic: &Panic) -> (Vec<Finding>, UnitOutcome) {
    let file = Arc::new(SourceFile::new(display, display, ""));
    let message = format!("{PREFIX} while reading {display}: {panic}; please report it");
    let finding = input_finding(&file, &message, None).help(HELP);
    let mut retained = Workspace::default();
    retained.files.push(file);
    let outcome = UnitOutcome {
        findings: Vec::new(),
        candidates: Vec::new(),
        suppressions: Suppressions::default(),
        retained,
    };
    (vec![finding], outcome)
}
