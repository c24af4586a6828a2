//! Command-line interface (clap derive). The same binary serves `kubectl irsa` and `helm irsa`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::output::OutputArgs;

#[derive(Debug, Parser)]
#[command(
    name = "kubectl-irsa",
    bin_name = "kubectl irsa",
    version,
    about = "Lint and diagnose IAM Roles for Service Accounts (IRSA) on EKS",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check manifests, Helm charts and IAM policies offline (no credentials needed).
    Lint(LintArgs),
    /// Check a live cluster against live IAM (read-only).
    Doctor(crate::commands::doctor::args::DoctorArgs),
    /// Print the correct trust policy for service accounts (or merge them into one).
    TrustPolicy(crate::commands::trust_policy::TrustPolicyArgs),
    /// Print the documentation of a rule.
    Explain {
        /// A rule code (IRSA004) or name (broad-sub-wildcard).
        code: String,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completion { shell: clap_complete::Shell },
    /// Print the man page (roff) to stdout.
    #[command(hide = true)]
    Man,
    /// List every rule, built-in and from rule packs.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        /// Also load rule packs from this directory.
        #[arg(long = "rules", value_name = "DIR")]
        rule_dirs: Vec<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    /// The rule reference (docs/rules.md).
    Markdown,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files, directories or charts to lint (`-` for stdin). Defaults to the current directory.
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Report everything: ignore inline comments, annotations and `.irsa.yaml` suppressions.
    #[arg(long)]
    pub no_ignores: bool,
    /// List every item the run could not check (the summary names the first few of each kind).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Use this config file instead of searching for `.irsa.yaml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Add the rule packs (YAML rule files) in this directory.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// Skip files larger than this many bytes.
    #[arg(long, default_value_t = crate::syntax::source::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
    #[command(flatten)]
    pub helm: HelmArgs,
    /// The kustomize binary for kustomizations (or kubectl; default: `kustomize` on PATH, else `kubectl kustomize`).
    #[arg(long = "kustomize", value_name = "PATH")]
    pub kustomize_bin: Option<PathBuf>,
    /// Set a Terraform root-module variable, as `terraform plan -var` (a JSON list or object is
    /// read as one).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub tf_vars: Vec<String>,
    /// Read Terraform variables from a `.tfvars` file, as `terraform plan -var-file` (applied
    /// before `--var`).
    #[arg(long = "var-file", value_name = "FILE")]
    pub tf_var_files: Vec<PathBuf>,
    /// Apply mechanical fixes to JSON trust-policy files (only the affected values are rewritten).
    #[arg(long)]
    pub fix: bool,
    /// Only fail on findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings as the baseline, then exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

fn parse_var(flag: &str) -> Result<String, String> {
    crate::frontends::terraform::vars::parse_var_flag(flag).map(|_| flag.to_string())
}

/// Helm-like flags for rendering charts.
#[derive(Debug, Args, Clone)]
pub struct HelmArgs {
    /// The helm binary (default: $HELM_BIN when run as a Helm plugin, else `helm` on PATH).
    #[arg(long = "helm", value_name = "PATH")]
    pub helm_bin: Option<PathBuf>,
    /// Release name for rendering (default: the chart name).
    #[arg(long)]
    pub release_name: Option<String>,
    /// Release namespace for rendering.
    #[arg(
        long,
        short = 'n',
        default_value = "default",
        overrides_with = "namespace"
    )]
    pub namespace: String,
    /// Values files, as `helm template -f`.
    #[arg(long = "values", short = 'f', value_name = "FILE")]
    pub values: Vec<PathBuf>,
    /// Set values, as `helm template --set`.
    #[arg(long)]
    pub set: Vec<String>,
    /// Set string values, as `helm template --set-string`.
    #[arg(long)]
    pub set_string: Vec<String>,
    /// Kubernetes version for Capabilities.KubeVersion.
    #[arg(long)]
    pub kube_version: Option<String>,
    /// API versions for Capabilities.APIVersions.
    #[arg(long = "api-versions")]
    pub api_versions: Vec<String>,
    /// Give up on a render after this many seconds.
    #[arg(long, default_value_t = 30)]
    pub render_timeout: u64,
    /// Do not render charts; check values statically.
    #[arg(long)]
    pub no_render: bool,
}

impl HelmArgs {
    pub fn to_options(&self) -> crate::frontends::helm::HelmOptions {
        crate::frontends::helm::HelmOptions {
            helm_bin: self.helm_bin.clone(),
            release_name: self.release_name.clone(),
            namespace: Some(self.namespace.clone()),
            values: self.values.clone(),
            set: self.set.clone(),
            set_string: self.set_string.clone(),
            kube_version: self.kube_version.clone(),
            api_versions: self.api_versions.clone(),
            timeout: std::time::Duration::from_secs(self.render_timeout),
            no_render: self.no_render,
            declared_by: None,
            declared_at: None,
        }
    }
}

pub const GUIDE: &str = "\
kubectl irsa — find out why IRSA (IAM Roles for Service Accounts) is broken or too open.

  lint     offline: manifests, Helm charts and IAM trust/permission policies; no credentials.
           Cross-checks every role's trust `sub` against the service account the YAML produces.
  doctor   live, read-only: your kubeconfig's cluster against IAM (AWS default credentials).

The three commands most people need:
  kubectl irsa lint ./manifests ./iam            # lint files and trust policies together
  kubectl irsa lint ./chart -f values.yaml -n ci # render a chart with helm and lint what it produces
  kubectl irsa doctor -n my-namespace            # check live SAs, roles and pods

Every finding has a code; `kubectl irsa explain IRSA004` says what it checks, why it matters and
how to fix it, and `kubectl irsa rules` lists them all. Run `kubectl irsa --help` for every flag.
";
