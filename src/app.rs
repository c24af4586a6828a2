//! Run a parsed command line and map the outcome to an exit code.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use crate::cli::{Cli, ColorChoice, Command, LintArgs, ListFormat, OutputArgs, GUIDE};
use crate::config::Config;
use crate::lint::{lint, LintOptions};
use crate::report::finding::Finding;
use crate::report::{render, Format, Report};
use crate::rules::RuleInfo;

/// Exit codes: findings are not failures of the tool.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_TOOL_ERROR: u8 = 2;

pub fn run(cli: Cli) -> ExitCode {
    let code = match cli.command {
        None => {
            print!("{GUIDE}");
            EXIT_OK
        }
        Some(Command::Lint(args)) => run_lint(args),
        Some(Command::Doctor(args)) => crate::doctor::run(args),
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

pub fn use_color(choice: ColorChoice, format: Format) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            format == Format::Human
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// Render a report to stdout and decide the exit code.
pub fn finish(report: &Report, output: &OutputArgs) -> u8 {
    let color = use_color(output.color, output.format);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if let Err(e) = render(report, output.format, color, &mut out).and_then(|_| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the report: {e}");
            return EXIT_TOOL_ERROR;
        }
    }
    gate(&report.findings, output)
}

pub fn gate(findings: &[Finding], output: &OutputArgs) -> u8 {
    if findings.iter().any(|f| f.severity >= output.fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn run_lint(args: LintArgs) -> u8 {
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
        helm: args.helm.to_options(),
        rule_dirs: args.rule_dirs.clone(),
    };
    let mut result = lint(&opts, &config);
    // Freeing every parsed node one by one costs seconds on large repositories; the process is
    // about to exit, so the workspace is left to the OS.
    std::mem::forget(std::mem::take(&mut result.workspace));
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
    let findings = match &args.baseline {
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
    let report = Report {
        findings,
        rules: result.rules,
        sources: result.sources,
        tool_version: env!("CARGO_PKG_VERSION"),
        summary: None,
    };
    finish(&report, &args.output)
}

fn find_rule<'a>(rules: &'a [RuleInfo], code: &str) -> Option<&'a RuleInfo> {
    rules
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(code) || r.name.eq_ignore_ascii_case(code))
}

fn explain(code: &str) -> u8 {
    let rules = crate::rules::registry::all_rule_infos_with(&[]);
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
    let rules = crate::rules::registry::all_rule_infos_with(rule_dirs);
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
    out
}
