//! Charts: how one was rendered (what findings on rendered objects trace back to) and its values.

use std::path::PathBuf;
use std::sync::Arc;

use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Node;

/// How a chart was rendered: what a finding about a rendered object can point back to.
#[derive(Debug, Clone)]
pub struct RenderContext {
    pub chart_name: String,
    pub chart_dir: PathBuf,
    pub chart_display: String,
    pub release_name: String,
    pub namespace: String,
    /// Values sources in increasing precedence: values.yaml, then each `-f` file.
    pub values_files: Vec<Arc<SourceFile>>,
    /// `--set`/`--set-string` arguments, highest precedence.
    pub set_args: Vec<String>,
    /// The release object that set the name and namespace (`helm_release.x`, `HelmRelease y`);
    /// `None` when they came from the command line (`--release-name`, `-n`).
    pub declared_by: Option<String>,
    /// Where that release object is (`None` with `declared_by`): two creators of one service
    /// account are compared by the Terraform root, kustomization or file that declares them.
    pub declared_at: Option<crate::facts::release::Place>,
}

/// A chart found in the inputs.
#[derive(Debug)]
pub struct ChartInput {
    pub dir: PathBuf,
    pub display: String,
    pub name: String,
    pub context: Arc<RenderContext>,
    /// Merged view is not built: each values file is kept with its parsed root.
    pub values: Vec<(Arc<SourceFile>, Node)>,
    /// Whether `helm template` succeeded.
    pub rendered: bool,
}
