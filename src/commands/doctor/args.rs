use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub output: crate::report::output::OutputArgs,
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use. Repeat it to check several clusters in one run (fleet mode).
    #[arg(long, value_name = "CONTEXT")]
    pub context: Vec<String>,
    /// Check every context of the kubeconfig (fleet mode).
    #[arg(long, conflicts_with = "context")]
    pub all_contexts: bool,
    /// Only this namespace (default: all namespaces).
    #[arg(long, short = 'n')]
    pub namespace: Option<String>,
    /// All namespaces (the default).
    #[arg(long, short = 'A')]
    pub all_namespaces: bool,
    /// Timeout for each Kubernetes request, e.g. 10s.
    #[arg(long, default_value = "30s", overrides_with = "request_timeout")]
    pub request_timeout: String,
    /// AWS profile.
    #[arg(long)]
    pub profile: Option<String>,
    /// AWS region.
    #[arg(long)]
    pub region: Option<String>,
    /// The EKS cluster name, for DescribeCluster and Pod Identity (default: from the kubeconfig).
    #[arg(long)]
    pub cluster: Option<String>,
    /// The cluster's OIDC issuer URL (default: from the API server).
    #[arg(long)]
    pub issuer: Option<String>,
    /// Skip listing IAM roles (for users without iam:ListRoles).
    #[arg(long)]
    pub no_role_scan: bool,
    /// At most this many GetRole / GetOpenIDConnectProvider calls in flight in the whole run (the
    /// ListRoles scan pages alongside them), and at most this many clusters read at once.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Also write the results to the cluster as OpenReports `Report`s (one per namespace) and a
    /// `ClusterReport`, by server-side apply; the next run updates them in place. The only write
    /// doctor makes (needs create/patch on reports and clusterreports of openreports.io).
    #[arg(long)]
    pub apply_reports: bool,
}

impl DoctorArgs {
    /// Fleet mode: several clusters in one report, each finding tagged with its context.
    pub fn fleet(&self) -> bool {
        self.all_contexts || self.context.len() > 1
    }
}
