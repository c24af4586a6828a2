//! Run a parsed command line and map the outcome to an exit code.

use std::process::ExitCode;

use crate::cli::{Cli, Command, LintArgs, ListFormat, GUIDE};
use crate::config::Config;
use crate::diagnostics::RuleInfo;
use crate::lint::{lint, LintOptions};
use crate::report::output::{finish, EXIT_OK, EXIT_TOOL_ERROR};
use crate::report::{Format, Report};

pub fn run(cli: Cli) -> ExitCode {
    let code = match cli.command {
        None => {
            print!("{GUIDE}");
            EXIT_OK
        }
        Some(Command::Lint(args)) => run_lint(args),
        Some(Command::Doctor(args)) => crate::commands::doctor::run(args),
        Some(Command::Explain { code }) => explain(&code),
        Some(Command::TrustPolicy(args)) => crate::commands::trust_policy::run(args),
        Some(Command::Rules { format, rule_dirs }) => list_rules(format, &rule_dirs),
        Some(Command::Completion { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "kubectl-irsa", &mut std::io::stdout());
            EXIT_OK
        }
        Some(Command::Man) => {
            let cmd = <Cli as clap::CommandFactory>::command().name("kubectl-irsa");
            match clap_mangen::Man::new(cmd).render(&mut std::io::stdout()) {
                Ok(()) => EXIT_OK,
                Err(e) => {
                    eprintln!("error: cannot write the man page: {e}");
                    EXIT_TOOL_ERROR
                }
            }
        }
    };
    ExitCode::from(code)
}

fn run_lint(args: LintArgs) -> u8 {
    if matches!(
        args.output.format,
        Format::Openreports | Format::Policyreport
    ) {
        eprintln!("error: --format openreports and policyreport report on a live cluster: use them with `doctor`");
        return EXIT_TOOL_ERROR;
    }
    let config = match &args.config {
        Some(path) if !path.is_file() => {
            eprintln!(
                "error: config file {} not found; pass an existing file to --config",
                path.display()
            );
            return EXIT_TOOL_ERROR;
        }
        Some(path) => Config::load(path),
        None => Config::discover(&std::env::current_dir().unwrap_or_default()),
    };
    let opts = LintOptions {
        paths: if args.paths.is_empty() {
            vec![".".into()]
        } else {
            args.paths.clone()
        },
        max_file_size: args.max_file_size,
        no_ignores: args.no_ignores,
        verbose: args.verbose,
        helm: args.helm.to_options(),
        kustomize_bin: args.kustomize_bin.clone(),
        rule_dirs: args.rule_dirs.clone(),
        terraform: crate::frontends::terraform::TerraformOptions {
            vars: args.tf_vars.clone(),
            var_files: args.tf_var_files.clone(),
            // `vars_os`: a variable that is not UTF-8 is skipped (`vars` would panic on it).
            env_vars: crate::frontends::terraform::TerraformOptions::env_vars_from(
                std::env::vars_os()
                    .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
            ),
        },
    };
    let mut result = lint(&opts, &config);
    for warning in &result.warnings {
        eprintln!("warning: {warning}");
    }
    // Freeing every parsed node one by one costs seconds on large repositories; the process is
    // about to exit, so the workspace is left to the OS.
    std::mem::forget(std::mem::take(&mut result.workspace));
    std::mem::forget(std::mem::take(&mut result.retired));
    let needs_texts = |format| matches!(format, Format::Human | Format::Sarif);
    if args.fix || needs_texts(args.output.format) {
        result.read_back_texts(opts.max_file_size);
    }
    if args.fix {
        match crate::lint::fix::apply(&result.findings, &result.sources) {
            Ok(applied) => {
                for (path, n) in &applied.files {
                    eprintln!("fixed {path}: {n} edit(s)");
                }
                if applied.skipped > 0 {
                    eprintln!("{} fix(es) not applied (overlapping, not in a JSON file, or the file changed since it was read); run --fix again or edit by hand", applied.skipped);
                }
                if !applied.files.is_empty() {
                    result = lint(&opts, &config);
                    result.read_back_texts(opts.max_file_size);
                }
            }
            Err(e) => {
                eprintln!("error: cannot write fixes: {e}");
                return EXIT_TOOL_ERROR;
            }
        }
    }
    if let Some(path) = &args.write_baseline {
        return match crate::lint::baseline::write(path, &result.findings) {
            Ok(n) => {
                eprintln!("wrote {n} findings to the baseline {}", path.display());
                EXIT_OK
            }
            Err(e) => {
                eprintln!("error: cannot write the baseline {}: {e}", path.display());
                EXIT_TOOL_ERROR
            }
        };
    }
    let mut findings = match &args.baseline {
        None => result.findings,
        Some(path) => match crate::lint::baseline::read(path) {
            Ok(baseline) => baseline.new_findings(result.findings),
            Err(e) => {
                eprintln!(
                    "error: cannot read the baseline {}: {e}; create it with --write-baseline",
                    path.display()
                );
                return EXIT_TOOL_ERROR;
            }
        },
    };
    // What could not be checked is said once, in the summary, not as a finding per item.
    let mut coverage = result.coverage;
    coverage.absorb(&mut findings);
    let graph = std::mem::take(&mut coverage.graph);
    let report = Report {
        findings,
        rules: result.rules,
        sources: result.sources,
        tool_version: env!("CARGO_PKG_VERSION"),
        summary: None,
        clusters: Vec::new(),
        coverage: Some(coverage),
        verbose: args.verbose,
        graph,
        cluster_checks: Vec::new(),
    };
    finish(&report, &args.output)
}

fn find_rule<'a>(rules: &'a [RuleInfo], code: &str) -> Option<&'a RuleInfo> {
    rules
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(code) || r.name.eq_ignore_ascii_case(code))
}

fn explain(code: &str) -> u8 {
    let rules = crate::lint::catalog::all_rule_infos_with(&[]);
    match find_rule(&rules, code) {
        Some(rule) => {
            println!(
                "{} ({}) — default severity: {}, {}\n",
                rule.code, rule.name, rule.severity, rule.source
            );
            println!("{}", rule.doc);
            EXIT_OK
        }
        None => {
            eprintln!("error: no rule `{code}`; run `kubectl irsa rules` to list them");
            EXIT_TOOL_ERROR
        }
    }
}

fn list_rules(format: ListFormat, rule_dirs: &[std::path::PathBuf]) -> u8 {
    let rules = crate::lint::catalog::all_rule_infos_with(rule_dirs);
    match format {
        ListFormat::Json => match serde_json::to_string_pretty(&rules) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_TOOL_ERROR;
            }
        },
        ListFormat::Markdown => print!("{}", rules_markdown(&rules)),
        ListFormat::Table => {
            for r in &rules {
                println!(
                    "{:<8} {:<34} {:<8} {:<18} {}",
                    r.code,
                    r.name,
                    r.severity.as_str(),
                    r.source,
                    r.summary
                );
            }
        }
    }
    EXIT_OK
}

/// docs/rules.md: every rule's doc, anchored by code (the SARIF `helpUri`s point here).
pub fn rules_markdown(rules: &[RuleInfo]) -> String {
    let mut out = String::from("# kubectl-irsa rules\n\nGenerated by `kubectl-irsa rules --format markdown` (scripts/gen-rule-docs.sh); do not edit.\n\n| code | name | severity | source |\n|---|---|---|---|\n");
    for r in rules {
        out.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} |\n",
            r.code,
            r.code.to_lowercase(),
            r.name,
            r.severity,
            r.source
        ));
    }
    for r in rules {
        let doc = r.doc.replace("\n## ", "\n#### ");
        out.push_str(&format!(
            "\n## {}\n\n`{}` — default severity **{}**, {}\n\n{}\n",
            r.code,
            r.name,
            r.severity,
            r.source,
            doc.trim_end()
        ));
    }
    out.push_str(&crate::rules::access_analyzer::markdown());
    out
}
