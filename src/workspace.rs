//! Everything one lint run read, in the shape the rules need.

use std::sync::Arc;

use crate::input::source::SourceFile;

#[derive(Default)]
pub struct Workspace {
    pub files: Vec<Arc<SourceFile>>,
}
