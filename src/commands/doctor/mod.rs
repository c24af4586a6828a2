//! `kubectl irsa doctor`: connect, read the cluster and IAM, run the live checks in `crate::doctor`,
//! and render one report. Read-only throughout.

pub mod args;

use crate::diagnostics::RuleInfo;
use crate::doctor::checks::{self, Ctx};
use crate::doctor::progress::Progress;
use crate::doctor::{cluster, fault, iam, live_rule_metas};
use crate::report::output::{finish, EXIT_TOOL_ERROR};
use crate::report::Report;

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
    runtime.block_on(run_async(args, timeout))
}

async fn run_async(args: args::DoctorArgs, timeout: Option<std::time::Duration>) -> u8 {
    let client = match cluster::connect(
        args.kubeconfig.as_deref(),
        args.context.as_deref(),
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
    let namespace = if args.all_namespaces {
        None
    } else {
        args.namespace.as_deref()
    };
    Progress::stage("reading the cluster");
    let snap = cluster::snapshot(&client, namespace, args.issuer.as_deref()).await;
    let mut ctx = Ctx::new(&snap);
    // Something was checked when the API server answered a list of SAs or pods.
    let checked = snap.reachable && (snap.service_accounts.is_some() || snap.pods.is_some());
    if snap.reachable {
        checks::arn::check(&mut ctx);
        iam_checks(&args, timeout, &mut ctx).await;
        let stats = checks::pods::check(&mut ctx);
        checks::webhook::check(&mut ctx, &stats);
    }
    Progress::clear();
    let summary = if snap.service_accounts.is_none() {
        // Never an empty table that reads as "nothing to check".
        "(ServiceAccounts could not be listed: nothing was verified for them; see IRSA100)\n"
            .to_string()
    } else {
        checks::summary_table(&ctx.sas)
    };
    let mut findings = std::mem::take(&mut ctx.findings);
    findings.extend(ctx.faults.iter().map(fault::Fault::finding));
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
    let report = Report {
        findings,
        rules: live_rule_metas()
            .into_iter()
            .map(|m| RuleInfo::from_meta(m, "built-in (live)"))
            .collect(),
        sources: std::mem::take(&mut ctx.views).into_sources(),
        tool_version: env!("CARGO_PKG_VERSION"),
        summary: Some(summary),
    };
    let code = finish(&report, &args.output);
    if checked {
        code
    } else {
        EXIT_TOOL_ERROR
    }
}

/// Everything that needs IAM: roles, providers, trust, and the role scan.
async fn iam_checks(
    args: &args::DoctorArgs,
    timeout: Option<std::time::Duration>,
    ctx: &mut Ctx<'_>,
) {
    let role_names = checks::role::wanted(ctx);
    if role_names.is_empty() && args.no_role_scan {
        return;
    }
    let iam = iam::Iam::connect(
        args.profile.as_deref(),
        args.region.as_deref(),
        timeout,
        args.concurrency,
    )
    .await;
    let progress = Progress::new("roles", role_names.len());
    // The scan of dangling and wildcard trusts pages through ListRoles while GetRole runs.
    let scan_wanted = !args.no_role_scan && ctx.issuer.is_some();
    let scan = async {
        if scan_wanted {
            Some(iam.list_roles().await)
        } else {
            None
        }
    };
    let (roles, listed_roles) = futures::join!(iam.get_roles(&role_names, &progress), scan);
    ctx.roles = roles;
    checks::role::check(ctx);
    let provider_arns = checks::provider::wanted(ctx);
    let providers = iam.get_providers(&provider_arns).await;
    let any_missing = providers
        .values()
        .any(|r| matches!(r, Err(iam::IamError::NotFound(_))));
    let listed = if any_missing {
        Some(iam.list_providers().await)
    } else {
        None
    };
    checks::provider::check(ctx, &providers, listed.as_ref());
    checks::trust::check(ctx);
    match listed_roles {
        None => {}
        Some(Ok(roles)) => checks::scan::check(ctx, &roles),
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
