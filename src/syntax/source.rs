//! Reading one input file: size, binary and UTF-8 checks, BOM stripping.

use std::path::{Path, PathBuf};

use crate::syntax::yaml::{pos_at, Pos};

/// Files larger than this are reported and skipped unless `--max-file-size` says otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// The text of one input, as read. A leading UTF-8 BOM is removed so columns match what editors show.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The path as shown to the user.
    pub display: String,
    pub text: String,
    /// Set when `text` was let go after the file was linted: what it was, to read it back.
    pub elided: Option<Fingerprint>,
}

/// Length and hash of a text, to tell whether a file re-read later is still what was linted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    len: usize,
    hash: u64,
}

impl Fingerprint {
    pub fn of(text: &str) -> Self {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut h);
        Fingerprint {
            len: text.len(),
            hash: h.finish(),
        }
    }
}

impl SourceFile {
    pub fn new(
        path: impl Into<PathBuf>,
        display: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        SourceFile {
            path: path.into(),
            display: display.into(),
            text: text.into(),
            elided: None,
        }
    }

    /// The same file without its text (kept: path, display name and a fingerprint).
    pub fn without_text(&self) -> Self {
        SourceFile {
            path: self.path.clone(),
            display: self.display.clone(),
            text: String::new(),
            elided: Some(self.elided.unwrap_or_else(|| Fingerprint::of(&self.text))),
        }
    }

    /// Read an elided file's text back; `None` when it changed since it was linted (or is gone).
    pub fn read_back(&self, max_size: u64) -> Option<Self> {
        let expected = self.elided?;
        let text = read_text(&self.path, max_size).ok()?;
        (Fingerprint::of(&text) == expected)
            .then(|| SourceFile::new(&self.path, &self.display, text))
    }

    pub fn file_name(&self) -> &str {
        self.path.file_name().and_then(|n| n.to_str()).unwrap_or("")
    }
}

/// Why a file could not be read as text.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadError {
    pub message: String,
    /// Where in the file, when it is about the content.
    pub pos: Option<Pos>,
}

impl ReadError {
    fn whole(message: impl Into<String>) -> Self {
        ReadError {
            message: message.into(),
            pos: None,
        }
    }
}

/// Read `path` as UTF-8 text, refusing files that are too large, binary or not UTF-8.
pub fn read_text(path: &Path, max_size: u64) -> Result<String, ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| ReadError::whole(io_message(&e)))?;
    if !meta.is_file() {
        return Err(ReadError::whole(
            "not a regular file (a FIFO, socket or device); skipped",
        ));
    }
    if meta.len() > max_size {
        return Err(ReadError::whole(format!(
            "file is {} bytes, over the {} byte limit; skipped (raise it with --max-file-size)",
            meta.len(),
            max_size
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| ReadError::whole(io_message(&e)))?;
    decode(bytes)
}

/// Check and decode bytes already in memory (also used for stdin).
pub fn decode(bytes: Vec<u8>) -> Result<String, ReadError> {
    if bytes.starts_with(b"\0GITCRYPT") {
        return Err(ReadError {
            message: "encrypted with git-crypt; not read".into(),
            pos: Some(pos_at("", 0)),
        });
    }
    if let Some(nul) = bytes.iter().take(8192).position(|&b| b == 0) {
        let pos = pos_at(&String::from_utf8_lossy(&bytes[..nul]), nul);
        return Err(ReadError {
            message: "binary file (contains a NUL byte); not YAML or JSON".into(),
            pos: Some(pos),
        });
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            Ok(text)
        }
        Err(e) => {
            let bad = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let valid = String::from_utf8_lossy(&bytes[..bad]);
            Err(ReadError {
                message: format!("invalid UTF-8 (byte 0x{:02x} at offset {bad})", bytes[bad]),
                pos: Some(pos_at(&valid, bad)),
            })
        }
    }
}

pub fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "cannot read file: permission denied".into(),
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        _ => format!("cannot read file: {e}"),
    }
}
