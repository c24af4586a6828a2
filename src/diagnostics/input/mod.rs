//! Rules whose findings are raised while inputs are read, by the front-ends and the drivers:
//! a file that cannot be read or parsed, a configuration file that does not match its schema, a
//! chart that could not be rendered, Terraform that could not be evaluated offline. Their `Rule` impls (no pass of their own) are in `rules`.

mod chart_not_rendered;
mod config_error;
mod gitops;
mod input_error;
mod not_checked;
mod program_not_read;
mod terraform_not_checked;

use std::sync::Arc;

pub use chart_not_rendered::ChartNotRendered;
pub use config_error::ConfigError;
pub use gitops::{DeployTimePlaceholder, KustomizationError, KustomizeNotBuilt, TemplateNotLinted};
pub use input_error::InputError;
pub use not_checked::{
    FileNotRead, GeneratorNotExpanded, OperatorAccountNotKnown, SourceNotInTree,
};
pub use program_not_read::ProgramNotRead;
pub use terraform_not_checked::TerraformNotChecked;

use crate::diagnostics::finding::{Finding, Location};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::{Pos, Span};

/// An input-error finding at a position (or the whole file).
pub fn input_finding(file: &Arc<SourceFile>, message: &str, pos: Option<Pos>) -> Finding {
    let location = match pos {
        Some(p) => Location::new(file, Span { start: p, end: p }),
        None => Location::file(file),
    };
    Finding::new(&InputError::META, message.to_string()).at(location)
}
