//! The files a Terraform run read, by id, with their line indexes (spans are computed on demand).

use std::cell::RefCell;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::value::FileId;
use crate::syntax::hcl::LineIndex;
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Span;

#[derive(Default)]
pub struct Files {
    inner: RefCell<Vec<(Arc<SourceFile>, LineIndex)>>,
}

impl Files {
    pub fn add(&self, file: Arc<SourceFile>) -> FileId {
        let mut inner = self.inner.borrow_mut();
        if let Some(i) = inner.iter().position(|(f, _)| f.path == file.path) {
            return i as FileId;
        }
        let lines = LineIndex::new(&file.text);
        inner.push((file, lines));
        (inner.len() - 1) as FileId
    }

    pub fn get(&self, id: FileId) -> Arc<SourceFile> {
        self.inner.borrow()[id as usize].0.clone()
    }

    pub fn by_path(&self, path: &Path) -> Option<FileId> {
        self.inner
            .borrow()
            .iter()
            .position(|(f, _)| f.path == path)
            .map(|i| i as FileId)
    }

    pub fn span(&self, id: FileId, range: Option<Range<usize>>) -> Span {
        let inner = self.inner.borrow();
        let (file, lines) = &inner[id as usize];
        lines.span(&file.text, &range.unwrap_or(0..0))
    }

    /// The source text of a range (for naming unknown references).
    pub fn text(&self, id: FileId, range: Option<Range<usize>>) -> String {
        let inner = self.inner.borrow();
        range
            .and_then(|r| inner[id as usize].0.text.get(r).map(str::to_string))
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn all(&self) -> Vec<Arc<SourceFile>> {
        self.inner.borrow().iter().map(|(f, _)| f.clone()).collect()
    }

    pub fn paths(&self) -> Vec<PathBuf> {
        self.inner
            .borrow()
            .iter()
            .map(|(f, _)| f.path.clone())
            .collect()
    }
}
