//! Fleet mode: `doctor --context A --context B …` or `--all-contexts`. Clusters are checked
//! concurrently (at most `--concurrency` at once) with one [`Shared`], so each role, provider
//! and list is asked of IAM once per run, and each EKS cluster of EKS once. One report: every finding carries its context.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use kube::config::Kubeconfig;

use super::args::DoctorArgs;
use super::{check_cluster, live_rules, Outcome, Target};
use crate::doctor::cluster::{connect_to, read_kubeconfig};
use crate::doctor::fault::Fault;
use crate::doctor::progress::Progress;
use crate::doctor::shared::Shared;
use crate::doctor::view::Views;
use crate::report::output::{finish, EXIT_TOOL_ERROR};
use crate::report::{Cluster, Report};

pub async fn run(args: DoctorArgs, timeout: Option<Duration>) -> u8 {
    if args.issuer.is_some() {
        eprintln!("error: --issuer names one cluster's issuer; it cannot be used with several contexts (each cluster's own issuer is read from its API server)");
        return EXIT_TOOL_ERROR;
    }
    let kubeconfig = match read_kubeconfig(args.kubeconfig.as_deref()) {
        Ok(Some(kc)) => kc,
        Ok(None) => {
            eprintln!("error: no kubeconfig found (set --kubeconfig or KUBECONFIG); several contexts need one");
            return EXIT_TOOL_ERROR;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_TOOL_ERROR;
        }
    };
    let contexts = contexts(&args, &kubeconfig);
    if contexts.is_empty() {
        eprintln!("error: the kubeconfig has no contexts (`kubectl config get-contexts`)");
        return EXIT_TOOL_ERROR;
    }
    let shared = Arc::new(Shared::new(super::aws(&args, timeout)));
    let progress = Arc::new(Progress::new("clusters", contexts.len()));
    let args = Arc::new(args);
    let kubeconfig = Arc::new(kubeconfig);
    let mut outcomes: Vec<(usize, Outcome)> = futures::stream::iter(contexts.iter().enumerate())
        .map(|(i, name)| {
            let (args, shared, kc, progress) = (
                args.clone(),
                shared.clone(),
                kubeconfig.clone(),
                progress.clone(),
            );
            let name = name.clone();
            let task_name = name.clone();
            let task = tokio::spawn(async move {
                let outcome = check_context(&task_name, &kc, &args, &shared, timeout).await;
                progress.tick();
                outcome
            });
            async move {
                let outcome = task
                    .await
                    .unwrap_or_else(|e| unusable(&name, format!("the check stopped: {e}")));
                (i, outcome)
            }
        })
        .buffer_unordered(args.concurrency.max(1))
        .collect()
        .await;
    Progress::clear();
    outcomes.sort_by_key(|(i, _)| *i);
    let checked = outcomes.iter().any(|(_, o)| o.checked);
    let report = assemble(&contexts, outcomes.into_iter().map(|(_, o)| o).collect());
    let code = finish(&report, &args.output);
    if checked {
        code
    } else {
        EXIT_TOOL_ERROR
    }
}

/// `--context` in the order given (each once), or every context of the kubeconfig.
fn contexts(args: &DoctorArgs, kubeconfig: &Kubeconfig) -> Vec<String> {
    let names: Vec<String> = if args.all_contexts {
        kubeconfig.contexts.iter().map(|c| c.name.clone()).collect()
    } else {
        args.context.clone()
    };
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .filter(|n| seen.insert(n.clone()))
        .collect()
}

async fn check_context(
    name: &str,
    kubeconfig: &Kubeconfig,
    args: &DoctorArgs,
    shared: &Shared,
    timeout: Option<Duration>,
) -> Outcome {
    let client = match connect_to(Some(kubeconfig.clone()), Some(name.to_string()), timeout).await {
        Ok(c) => c,
        Err(e) => return unusable(name, e),
    };
    let target = Target {
        context: Some(name),
    };
    let views = Views::for_context(name);
    let mut outcome = check_cluster(&client, args, shared, views, false, target).await;
    for f in &mut outcome.findings {
        f.context = Some(name.to_string());
    }
    outcome
}

/// A context doctor could not even build a client for: could not verify, for it alone.
fn unusable(name: &str, reason: String) -> Outcome {
    let mut finding =
        Fault::new("Cluster", None, name, "use the kubeconfig context", reason).finding();
    finding.context = Some(name.to_string());
    Outcome {
        findings: vec![finding],
        summary: "(the context could not be used: nothing was verified; see IRSA100)\n".into(),
        sources: Default::default(),
        checked: false,
        sas: 0,
        ok: 0,
        graph: Vec::new(),
        cluster_checks: Vec::new(),
    }
}

/// One report: the overview table, then each cluster's table and findings.
fn assemble(contexts: &[String], outcomes: Vec<Outcome>) -> Report {
    let mut report = Report::new(env!("CARGO_PKG_VERSION"));
    report.rules = live_rules();
    report.summary = Some(overview(contexts, &outcomes));
    for (name, o) in contexts.iter().zip(outcomes) {
        report.findings.extend(o.findings);
        report.graph.extend(o.graph);
        report.cluster_checks.extend(o.cluster_checks);
        report.sources.extend(o.sources);
        report.clusters.push(Cluster {
            context: name.clone(),
            summary: o.summary,
        });
    }
    report
}

/// CONTEXT → annotated SAs, OK, findings, status: one line per cluster.
fn overview(contexts: &[String], outcomes: &[Outcome]) -> String {
    let header = [
        "CONTEXT",
        "SERVICE ACCOUNTS",
        "OK",
        "ERRORS",
        "WARNINGS",
        "STATUS",
    ]
    .map(String::from);
    let rows: Vec<[String; 6]> = contexts
        .iter()
        .zip(outcomes)
        .map(|(name, o)| {
            let counts = Report::count(&o.findings);
            let status = if !o.checked {
                "COULD NOT VERIFY (see IRSA100)"
            } else if o.findings.iter().any(|f| f.code == "IRSA100") {
                "checked, partly unverified"
            } else {
                "checked"
            };
            [
                name.clone(),
                o.sas.to_string(),
                o.ok.to_string(),
                counts.errors.to_string(),
                counts.warnings.to_string(),
                status.to_string(),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..6)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!("doctor checked {} clusters\n", contexts.len());
    for r in std::iter::once(&header).chain(rows.iter()) {
        let line: Vec<String> = (0..6)
            .map(|i| format!("{:<w$}", r[i], w = widths[i]))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}
