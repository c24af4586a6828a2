//! Shared test support for integration tests: `mod support;` in a test file.
//!
//! - [`fake_apiserver`]: a fake Kubernetes API server (HTTP level) seeded
//!   through the [`FakeCluster`] builder, with fault injection and a request log.
//! - [`objects`]: constructors for real-shaped IRSA objects (annotated SAs,
//!   mutated/unmutated pods, owner chains, the pod identity webhook).
//! - [`kubeconfig`]: kubeconfig files (valid or expired token) for the fake server, and fleet
//!   kubeconfigs with one context per fake server (or an unreachable one).
//! - [`moto`]: a moto IAM server process and an `aws_sdk_iam::Client` for it.
//! - [`iam_proxy`]: a logging, fault-injecting proxy in front of moto.
//! - [`fake_eks`]: the EKS Pod Identity API (List/DescribePodIdentityAssociation, paged) in
//!   front of moto's EKS (CreateCluster/DescribeCluster), logging and fault-injecting.
//!
//! - [`report_tools`]: node (commonmark.js, Mermaid) and Graphviz, to read markdown and dot back.
//!
//! Each integration test uses only part of this, hence the allows.
#![allow(dead_code, unused_imports)]

pub mod fake_apiserver;
pub mod fake_eks;
mod fake_faults;
mod fake_list;
mod fake_routes;
pub mod fake_writes;
pub mod iam_proxy;
pub mod kubeconfig;
pub mod moto;
pub mod objects;
pub mod report_tools;

pub use fake_apiserver::{
    FakeApiServer, FakeCluster, Fault, FaultAction, RecordedRequest, DEFAULT_ISSUER, EXPIRED_TOKEN,
    VALID_TOKEN,
};
pub use iam_proxy::{IamCall, IamFault, IamFaultKind, IamProxy};
pub use kubeconfig::{
    unreachable_server, write_fleet_kubeconfig, write_kubeconfig, write_kubeconfig_with,
    FleetEntry, KubeconfigFile, KubeconfigOptions, Token,
};
pub use moto::{AwsEnv, Moto, MOTO_ACCOUNT};

/// A `Command` for the real `kubectl-irsa` binary with a clean environment
/// for live tests: no ambient `KUBECONFIG`/`AWS_*`, `HOME` in `home`.
/// Wire it to the fakes with
/// `cmd.envs(kubeconfig.env()); proxy.aws().apply(&mut cmd);`.
pub fn kubectl_irsa(home: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"));
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k == "KUBECONFIG" || k.starts_with("AWS_") {
            cmd.env_remove(&k);
        }
    }
    cmd.env("HOME", home).env("NO_COLOR", "1");
    cmd
}
