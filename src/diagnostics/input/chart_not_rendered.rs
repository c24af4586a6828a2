use crate::declare_rule;
use crate::diagnostics::finding::Severity;

declare_rule! {
    /// A chart could not be rendered, so only its values were checked.
    ///
    /// ## What it checks
    /// Every chart (a directory with `Chart.yaml`) is rendered with the user's `helm template`
    /// (`--helm`, `HELM_BIN`, or `helm` on PATH) using the helm-like flags given to lint. When that
    /// fails (`lookup` without a cluster, `required`/`fail`, missing dependencies, schema errors,
    /// no helm installed, a render that hangs past `--render-timeout`), this note quotes helm's
    /// error, and lint falls back to static analysis of `values.yaml` and the rule packs.
    ///
    /// ## Why it matters
    /// A chart that did not render was not cross-checked against its trust policies. Reporting
    /// "clean" for it would be a lie, so the gap is a finding of its own.
    ///
    /// ## Example
    /// `Error: execution error at (epinio/templates/chart-validations.yaml:2:4): global.domain is required`
    ///
    /// Fixed: pass the values the chart requires (`--set global.domain=example.com`), or run
    /// `helm dependency build` for charts whose subcharts are not vendored.
    pub struct ChartNotRendered => ("IRSA020", "chart-not-rendered", Severity::Note);
}
