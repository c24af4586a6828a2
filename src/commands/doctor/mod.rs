//! `kubectl irsa doctor`: connect, read the cluster and IAM, run the live checks in `crate::doctor`,
//! and render one report. Read-only throughout, but for `--apply-reports` (`apply.rs`), which
//! writes only OpenReports objects. Several contexts (`fleet.rs`) share one IAM and EKS cache.

pub mod apply;
pub mod args;
pub mod fleet;
pub mod graph;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::diagnostics::finding::Finding;
use crate::diagnostics::RuleInfo;
use crate::doctor::aws::Aws;
use crate::doctor::checks::{self, Ctx};
use crate::doctor::progress::Progress;
use crate::doctor::shared::{Prefetcher, Shared, SharedIam};
use crate::doctor::view::Views;
use crate::doctor::{cluster, fault, iam, live_rule_metas, pod_identity};
use crate::report::output::{finish, EXIT_TOOL_ERROR};
use crate::report::Report;
use crate::syntax::source::SourceFile;

pub fn run(args: args::DoctorArgs) -> u8 {
    let timeout = match cluster::parse_timeout(&args.request_timeout) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_TOOL_ERROR;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return EXIT_TOOL_ERROR;
        }
    };
    if args.fleet() {
        if args.apply_reports {
            eprintln!("error: --apply-reports writes to the cluster it checks: run doctor once per context (it cannot be used with several contexts)");
            return EXIT_TOOL_ERROR;
        }
        runtime.block_on(fleet::run(args, timeout))
    } else {
        runtime.block_on(run_async(args, timeout))
    }
}

/// Every live rule, as the report declares them.
fn live_rules() -> Vec<RuleInfo> {
    live_rule_metas()
        .into_iter()
        .map(|m| RuleInfo::from_meta(m, "built-in (live)"))
        .collect()
}

async fn run_async(args: args::DoctorArgs, timeout: Option<std::time::Duration>) -> u8 {
    let client = match cluster::connect(
        args.kubeconfig.as_deref(),
        args.context.first().map(String::as_str),
        timeout,
    )
    .await
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_TOOL_ERROR;
        }
    };
    let shared = Shared::new(aws(&args, timeout));
    let target = Target {
        context: args.context.first().map(String::as_str),
    };
    let outcome = check_cluster(&client, &args, &shared, Views::default(), true, target).await;
    Progress::clear();
    let report = Report {
        findings: outcome.findings,
        rules: live_rules(),
        sources: outcome.sources,
        tool_version: env!("CARGO_PKG_VERSION"),
        summary: Some(outcome.summary),
        clusters: Vec::new(),
        coverage: None,
        verbose: false,
        graph: outcome.graph,
        cluster_checks: outcome.cluster_checks,
    };
    let code = finish(&report, &args.output);
    if args.apply_reports {
        if !outcome.checked {
            eprintln!("error: reports not applied: nothing was verified (see IRSA100)");
            return EXIT_TOOL_ERROR;
        }
        match apply::apply_reports(&client, &report).await {
            Ok(n) => eprintln!("applied {n} OpenReports objects"),
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_TOOL_ERROR;
            }
        }
    }
    if outcome.checked {
        code
    } else {
        EXIT_TOOL_ERROR
    }
}

/// The run's one AWS configuration (`--profile`, `--region`, `--request-timeout`,
/// `--concurrency`), loaded on first use.
pub fn aws(args: &args::DoctorArgs, timeout: Option<std::time::Duration>) -> Aws {
    Aws::new(
        args.profile.as_deref(),
        args.region.as_deref(),
        timeout,
        args.concurrency,
    )
}

/// What one cluster's check produced.
pub struct Outcome {
    /// Sorted and deduplicated.
    pub findings: Vec<Finding>,
    /// The SA → role → verdict table (or why there is none).
    pub summary: String,
    pub sources: BTreeMap<String, Arc<SourceFile>>,
    /// The API server answered a list of SAs or pods.
    pub checked: bool,
    /// Annotated ServiceAccounts, and how many of them are OK.
    pub sas: usize,
    pub ok: usize,
    /// The pairs and cluster-wide facts checked (graphs and OpenReports).
    pub graph: Vec<crate::report::graph::GraphPair>,
    pub cluster_checks: Vec<crate::report::graph::ClusterCheck>,
}

/// Where one cluster is: its kubeconfig context.
pub struct Target<'a> {
    pub context: Option<&'a str>,
}

/// Read one cluster and run every check on it. `stages`: show progress lines for this cluster.
pub async fn check_cluster(
    client: &kube::Client,
    args: &args::DoctorArgs,
    shared: &Shared,
    views: Views,
    stages: bool,
    target: Target<'_>,
) -> Outcome {
    let Target { context } = target;
    let namespace = if args.all_namespaces {
        None
    } else {
        args.namespace.as_deref()
    };
    if stages {
        Progress::stage("reading the cluster");
    }
    // IAM starts on the roles of each ServiceAccount page while the rest is read.
    let prefetch = Prefetcher::new(shared.iam.clone(), !args.no_role_scan);
    let snap = cluster::snapshot(client, namespace, args.issuer.as_deref(), &prefetch).await;
    let mut ctx = Ctx::new(&snap);
    ctx.views = views;
    // Something was checked when the API server answered a list of SAs or pods.
    let checked = snap.reachable && (snap.service_accounts.is_some() || snap.pods.is_some());
    if snap.reachable {
        checks::guarded(&mut ctx, "arn", checks::arn::check);
        pod_identity::read(&eks_options(args, context), &shared.eks, client, &mut ctx).await;
        iam_checks(args, &shared.iam, stages, &mut ctx).await;
        let stats = checks::guarded(&mut ctx, "pods", checks::pods::check);
        checks::guarded(&mut ctx, "webhook", |c| checks::webhook::check(c, &stats));
        checks::guarded(&mut ctx, "eks_issuer", checks::eks_issuer::check);
        checks::guarded(&mut ctx, "pod_identity", checks::pod_identity::check);
        checks::guarded(
            &mut ctx,
            "pod_identity_pods",
            checks::pod_identity_pods::check,
        );
    }
    let summary = if snap.service_accounts.is_none() {
        // Never an empty table that reads as "nothing to check".
        "(ServiceAccounts could not be listed: nothing was verified for them; see IRSA100)\n"
            .to_string()
    } else {
        checks::summary_table(&ctx.sas)
    };
    let summary = summary + &checks::pod_identity::summary_table(&ctx);
    // Findings carry their context in fleet runs only; so do the pairs.
    let tag = context.filter(|_| args.fleet());
    let graph = graph::pairs(&ctx, tag);
    let cluster_checks = graph::cluster_checks(&ctx, tag);
    let mut findings = std::mem::take(&mut ctx.findings);
    findings.extend(ctx.faults.iter().map(fault::Fault::finding));
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
    let ok = ctx
        .sas
        .iter()
        .filter(|s| s.verdict == checks::Verdict::Ok)
        .count();
    Outcome {
        findings,
        summary,
        sources: std::mem::take(&mut ctx.views).into_sources(),
        checked,
        sas: ctx.sas.len(),
        ok,
        graph,
        cluster_checks,
    }
}

/// Where doctor finds the EKS cluster and how it reaches EKS.
/// In fleet mode each context names its own cluster: `--cluster` applies to one cluster only.
fn eks_options<'a>(
    args: &'a args::DoctorArgs,
    context: Option<&'a str>,
) -> pod_identity::EksOptions<'a> {
    pod_identity::EksOptions {
        cluster: args.cluster.as_deref().filter(|_| !args.fleet()),
        kubeconfig: args.kubeconfig.as_deref(),
        context,
        region: args.region.as_deref(),
    }
}

/// Everything that needs IAM: roles, providers, trust, and the role scan.
async fn iam_checks(args: &args::DoctorArgs, shared: &SharedIam, stages: bool, ctx: &mut Ctx<'_>) {
    let role_names = checks::role::wanted(ctx);
    if role_names.is_empty() && args.no_role_scan {
        return;
    }
    let total = if stages { role_names.len() } else { 0 };
    let progress = Progress::new("roles", total);
    // The scan of dangling and wildcard trusts pages through ListRoles while GetRole runs.
    let scan_wanted = !args.no_role_scan && ctx.issuer.is_some();
    let scan = async {
        if scan_wanted {
            Some(shared.list_roles().await)
        } else {
            None
        }
    };
    let (roles, listed_roles) = futures::join!(shared.get_roles(&role_names, &progress), scan);
    ctx.roles = roles;
    checks::guarded(ctx, "role", checks::role::check);
    let provider_arns = checks::provider::wanted(ctx);
    let providers = shared.get_providers(&provider_arns).await;
    let any_missing = providers
        .values()
        .any(|r| matches!(r, Err(iam::IamError::NotFound(_))));
    let listed = if any_missing {
        Some(shared.list_providers().await)
    } else {
        None
    };
    checks::guarded(ctx, "provider", |c| {
        checks::provider::check(c, &providers, listed.as_ref())
    });
    checks::guarded(ctx, "trust", checks::trust::check);
    match listed_roles {
        None => {}
        Some(Ok(roles)) => checks::guarded(ctx, "scan", |c| checks::scan::check(c, &roles)),
        Some(Err(e)) => ctx.faults.push(fault::Fault::new(
            "Role",
            None,
            "*",
            "iam:ListRoles",
            format!(
                "{} (pass --no-role-scan to skip the scan of dangling and wildcard trusts)",
                e.reason()
            ),
        )),
    }
}
