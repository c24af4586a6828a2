//! The `Rule` side of the rules that the input layer reports (`diagnostics::input`): they are
//! registered, listed and explained like every rule, but have no pass over the workspace.

use crate::diagnostics::finding::Finding;
use crate::diagnostics::input::{
    ChartNotRendered, ConfigError, FileNotRead, GeneratorNotExpanded, InputError,
    KustomizationError, KustomizeNotBuilt, OperatorAccountNotKnown, ProgramNotRead,
    SourceNotInTree, TemplateNotLinted, TerraformNotChecked,
};
use crate::diagnostics::RuleMeta;
use crate::facts::Workspace;
use crate::rules::Rule;

impl Rule for InputError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Reported by the input layer, not by a pass over the workspace.
    fn check(&self, _ws: &Workspace, _out: &mut Vec<Finding>) {}
}

impl Rule for ConfigError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ws: &Workspace, _out: &mut Vec<Finding>) {}
}

impl Rule for ChartNotRendered {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _ws: &Workspace, _out: &mut Vec<Finding>) {}
}

impl Rule for TerraformNotChecked {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// The Terraform front-end reports these while it evaluates (it alone knows what it could not know).
    fn check(&self, _ws: &Workspace, _out: &mut Vec<Finding>) {}
}

/// Raised by the Kustomize, GitOps and template front-ends while reading.
macro_rules! read_time_rule {
    ($($t:ty),*) => {$(
        impl Rule for $t {
            fn meta(&self) -> &'static RuleMeta {
                &Self::META
            }

            fn check(&self, _ws: &Workspace, _out: &mut Vec<Finding>) {}
        }
    )*};
}

read_time_rule!(
    KustomizeNotBuilt,
    KustomizationError,
    TemplateNotLinted,
    SourceNotInTree,
    GeneratorNotExpanded,
    FileNotRead,
    ProgramNotRead,
    OperatorAccountNotKnown
);
