//! The bodies of the fuzz targets, shared by `fuzz/fuzz_targets/*.rs` (libFuzzer, nightly
//! features) and `tests/fuzz_regressions.rs` (stable, replays `tests/fuzz_regressions/<target>/`).
//!
//! Each function must never panic, whatever the bytes; besides the library's own code not
//! panicking, they assert a few invariants the reports rely on (spans inside the text and on
//! character boundaries, ARNs that print back as they were parsed).

use std::sync::{Arc, OnceLock};

use kubectl_irsa::diagnostics::finding::Finding;
use kubectl_irsa::facts::{ChartInput, Classified, RenderContext, Workspace};
use kubectl_irsa::frontends::lower_file;
use kubectl_irsa::frontends::manifest::classify;
use kubectl_irsa::lint::unit::{lint_unit, Keep};
use kubectl_irsa::model::arn::{
    find_placeholder, is_valid_region, parse_oidc_provider_arn, parse_role_arn,
    parse_rolesanywhere_arn, region_partition, Arn, ArnKind, RolesAnywhereResource,
};
use kubectl_irsa::model::policy::{is_trust_policy, looks_like_policy, parse_policy};
use kubectl_irsa::model::trust::{
    evaluate_service, evaluate_web_identity, oidc_issuer_of, parse_subject,
    web_identity_statements, WebIdentityRequest, POD_IDENTITY_ACTIONS, POD_IDENTITY_SERVICE,
};
use kubectl_irsa::rules::packs::PackSet;
use kubectl_irsa::rules::registry::builtin_rules;
use kubectl_irsa::rules::{Rule, Scope};
use kubectl_irsa::syntax::source::{decode, SourceFile};
use kubectl_irsa::syntax::yaml::{self, Node, NodeKind, Span};

/// A target's body.
pub type Target = fn(&[u8]);

/// One fuzz target: its name (the directory under `tests/fuzz_regressions/` and the cargo-fuzz
/// binary), its body, and where its seeds live besides `tests/fuzz_regressions/<name>/`.
/// A new front-end adds one line here (and a three-line `fuzz_targets/<name>.rs`).
#[allow(dead_code)]
pub struct FuzzTarget {
    pub name: &'static str,
    pub run: Target,
    /// Directories (relative to the repository) walked for more seeds; files of at most 64 KiB
    /// whose name ends with one of `seed_suffixes`.
    pub seed_dirs: &'static [&'static str],
    pub seed_suffixes: &'static [&'static str],
}

const YAML: &[&str] = &[".yaml", ".yml", ".json"];

/// Every target.
#[allow(dead_code)]
pub const TARGETS: &[FuzzTarget] = &[
    FuzzTarget {
        name: "yaml_parse",
        run: yaml_parse,
        seed_dirs: &["testdata"],
        seed_suffixes: YAML,
    },
    FuzzTarget {
        name: "arn_parse",
        run: arn_parse,
        seed_dirs: &[],
        seed_suffixes: &[],
    },
    FuzzTarget {
        name: "policy_parse",
        run: policy_parse,
        seed_dirs: &["testdata/rules"],
        seed_suffixes: YAML,
    },
    FuzzTarget {
        name: "trust_eval",
        run: trust_eval,
        seed_dirs: &[],
        seed_suffixes: &[],
    },
    FuzzTarget {
        name: "classify",
        run: classify_lint,
        seed_dirs: &["testdata"],
        seed_suffixes: &[".yaml", ".yml", ".json", "credfile", "config", ".ini"],
    },
    FuzzTarget {
        name: "chart_values",
        run: chart_values,
        seed_dirs: &[],
        seed_suffixes: &[],
    },
    FuzzTarget {
        name: "tfplan_lower",
        run: tfplan_lower,
        seed_dirs: &["testdata/tfplan"],
        seed_suffixes: &[".json", ".tfstate"],
    },
    FuzzTarget {
        name: "pulumi_lower",
        run: pulumi_lower,
        seed_dirs: &["testdata/pulumi"],
        seed_suffixes: &[".json"],
    },
    FuzzTarget {
        name: "cfn_lower",
        run: cfn_lower,
        seed_dirs: &["testdata/cloudformation"],
        seed_suffixes: YAML,
    },
    FuzzTarget {
        name: "hcl_parse",
        run: hcl_parse,
        seed_dirs: &["testdata/terraform"],
        seed_suffixes: &[
            ".tf",
            ".tfvars",
            ".tofu",
            ".hcl",
            ".tf.json",
            ".tfvars.json",
        ],
    },
];

fn check_span(text: &str, span: &Span) {
    for pos in [span.start, span.end] {
        assert!(pos.offset <= text.len(), "offset past the end: {span:?}");
        assert!(
            text.is_char_boundary(pos.offset),
            "offset inside a character: {span:?}"
        );
        assert!(
            pos.line >= 1 && pos.column >= 1,
            "0-based position: {span:?}"
        );
    }
    assert!(
        span.start.offset <= span.end.offset,
        "reversed span: {span:?}"
    );
}

fn check_tree(text: &str, root: &Node) {
    for node in root.descendants() {
        check_span(text, &node.span);
    }
}

fn decode_and_parse(data: &[u8]) -> Option<(String, yaml::Stream)> {
    match decode(data.to_vec()) {
        Ok(text) => {
            let stream = yaml::parse(&text);
            Some((text, stream))
        }
        Err(e) => {
            if let Some(pos) = e.pos {
                assert!(pos.offset <= data.len());
            }
            None
        }
    }
}

/// The input layer: bytes → text (`decode`) → span-aware YAML tree (`parse`) → classification.
pub fn yaml_parse(data: &[u8]) {
    let Some((text, stream)) = decode_and_parse(data) else {
        return;
    };
    for doc in &stream.documents {
        check_tree(&text, &doc.root);
        let _ = doc.root.to_json();
    }
    if let Some(err) = &stream.error {
        assert!(err.pos.offset <= text.len(), "error past the end: {err:?}");
    }
    for dup in &stream.duplicate_keys {
        check_span(&text, &dup.first);
        check_span(&text, &dup.second);
    }
    let file = Arc::new(SourceFile::new("fuzz.yaml", "fuzz.yaml", text));
    let mut out = Classified::default();
    classify(&file, &stream, &mut out);
}

/// The ARN parser and its helpers, on any string.
pub fn arn_parse(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(arn) = Arn::parse(s) {
        assert_eq!(arn.to_string(), s, "an ARN must print back as parsed");
        let _ = arn.resource_type();
        if let ArnKind::Role { name, .. } = &arn.kind {
            assert!(!name.is_empty());
        }
    }
    let _ = parse_role_arn(s);
    let _ = parse_oidc_provider_arn(s);
    let _ = parse_rolesanywhere_arn(s, RolesAnywhereResource::TrustAnchor);
    let _ = parse_rolesanywhere_arn(s, RolesAnywhereResource::Profile);
    if let Some(p) = find_placeholder(s) {
        let _ = format!("{p:?}");
    }
    let _ = is_valid_region(s);
    let _ = region_partition(s);
    let _ = oidc_issuer_of(s);
    let _ = parse_subject(s);
}

/// YAML/JSON text → `parse_policy` on every document (and every nested mapping that looks like a
/// policy).
pub fn policy_parse(data: &[u8]) {
    let Some((text, stream)) = decode_and_parse(data) else {
        return;
    };
    for doc in &stream.documents {
        let mut stack = vec![&doc.root];
        while let Some(node) = stack.pop() {
            if node.as_map().is_some() && (std::ptr::eq(node, &doc.root) || looks_like_policy(node))
            {
                match parse_policy(node) {
                    Ok(policy) => {
                        let _ = is_trust_policy(&policy);
                        for st in &policy.statements {
                            let _ = st.allows_action("sts:AssumeRoleWithWebIdentity");
                            let _ = st.matches_action("s3:GetObject");
                            let _ = st.has_principal();
                        }
                    }
                    Err(e) => check_span(&text, &e.span),
                }
            }
            match &node.kind {
                NodeKind::Scalar(_) => {}
                NodeKind::Seq(items) => stack.extend(items),
                NodeKind::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            }
        }
    }
}

/// A policy plus an arbitrary token: the first line is `namespace:serviceaccount:audience`
/// (split at the first two colons), an optional second line starting with `issuer=` overrides the
/// issuer, and the rest is the policy. Evaluated for the policy's own issuers and the given one.
pub fn trust_eval(data: &[u8]) {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (head, rest) = input.split_once('\n').unwrap_or((input, ""));
    let mut parts = head.splitn(3, ':');
    let namespace = parts.next().unwrap_or("");
    let service_account = parts.next().unwrap_or("");
    let audience = parts.next().unwrap_or("sts.amazonaws.com");
    let (issuer, policy_text) = match rest.strip_prefix("issuer=") {
        Some(r) => r.split_once('\n').unwrap_or((r, "")),
        None => ("", rest),
    };
    let stream = yaml::parse(policy_text);
    for doc in &stream.documents {
        let Ok(policy) = parse_policy(&doc.root) else {
            continue;
        };
        let mut issuers: Vec<(String, Option<String>, Option<String>)> =
            vec![(issuer.to_string(), None, None)];
        for st in web_identity_statements(&policy) {
            if let Some(p) = &st.principal {
                for f in p.federated() {
                    if let Some((partition, account, iss)) = oidc_issuer_of(&f.value) {
                        issuers.push((iss, Some(account), Some(partition)));
                    }
                }
            }
        }
        for (iss, account, partition) in &issuers {
            let req = WebIdentityRequest {
                issuer: iss,
                account: account.as_deref(),
                partition: partition.as_deref(),
                namespace,
                service_account,
                audience,
            };
            let verdict = evaluate_web_identity(&policy, &req);
            if let Some(denial) = verdict.denial() {
                let _ = denial.to_string();
                if let Some(miss) = denial.closest() {
                    let _ = miss.to_string();
                }
            }
            let _ = req.provider_arn();
        }
        let _ = evaluate_service(&policy, POD_IDENTITY_SERVICE, POD_IDENTITY_ACTIONS);
    }
}

/// Lower one file with `frontends::lower_file` and check every span it produced against the
/// text the facts point into (a Terraform file's redacted copy has the same offsets).
fn lower_and_check(name: &str, text: String) {
    let file = Arc::new(SourceFile::new(name, name, text));
    let lowered = lower_file(&file);
    let kept = lowered.file.clone().unwrap_or(file);
    let facts = &lowered.facts;
    for p in &facts.policies {
        check_tree(&p.file.text, &p.node);
        if let Err(e) = &p.parsed {
            check_span(&p.file.text, &e.span);
        }
    }
    for sa in &facts.service_accounts {
        check_tree(&sa.object.file.text, &sa.object.node);
    }
    for o in &facts.objects {
        check_tree(&o.file.text, &o.node);
    }
    for f in &lowered.findings {
        if let Some(l) = &f.location {
            check_span(&kept.text, &l.span);
        }
    }
}

/// Every finding's primary, related and fix locations lie inside the file they name (when
/// that file's text is at hand) and agree with their spans.
fn check_findings(files: &[Arc<SourceFile>], findings: &[Finding]) {
    for f in findings {
        let fixes = f
            .fix
            .iter()
            .flat_map(|x| x.replacements.iter().map(|r| &r.location));
        for loc in f.location.iter().chain(&f.related).chain(fixes) {
            assert!(
                loc.line >= 1 && loc.column >= 1,
                "0-based location in {f:?}"
            );
            let Some(file) = files.iter().find(|x| x.display == loc.path) else {
                continue;
            };
            if file.text.is_empty() {
                continue;
            }
            check_span(&file.text, &loc.span);
        }
    }
}

/// Terraform plans: the bytes as a whole file, and as the `assume_role_policy` string of a
/// plan's role (JSON-escaped, so positions are mapped through the escapes).
pub fn tfplan_lower(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    lower_and_check("plan.json", text.to_string());
    let policy = serde_json::to_string(text).unwrap_or_default();
    let plan = format!(
        "{{\"format_version\":\"1.2\",\"resource_changes\":[{{\"address\":\"aws_iam_role.r\",\"type\":\"aws_iam_role\",\"change\":{{\"after\":{{\"name\":\"r\",\"assume_role_policy\":{policy}}}}}}}]}}"
    );
    lower_and_check("plan.json", plan);
}

/// Pulumi: the bytes as a whole export or preview, and as the `assumeRolePolicy` string of an
/// export's role and the `values` of a Helm release in a preview (positions mapped through the
/// JSON escapes; secrets blanked in place, so offsets must not move).
pub fn pulumi_lower(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    lower_and_check("stack.json", text.to_string());
    let policy = serde_json::to_string(text).unwrap_or_default();
    let export = format!(
        "{{\"version\":3,\"deployment\":{{\"manifest\":{{}},\"resources\":[{{\"urn\":\"urn:pulumi:s::p::aws:iam/role:Role::r\",\"type\":\"aws:iam/role:Role\",\"inputs\":{{\"name\":\"r\",\"assumeRolePolicy\":{policy}}}}}]}}}}"
    );
    lower_and_check("stack.json", export);
    if serde_json::from_str::<serde_json::Value>(text).is_ok() {
        let preview = format!(
            "{{\"steps\":[{{\"op\":\"create\",\"urn\":\"urn:pulumi:s::p::kubernetes:helm.sh/v3:Release::x\",\"newState\":{{\"urn\":\"urn:pulumi:s::p::kubernetes:helm.sh/v3:Release::x\",\"type\":\"kubernetes:helm.sh/v3:Release\",\"inputs\":{{\"chart\":\"aws-load-balancer-controller\",\"values\":{text}}}}}}}]}}"
        );
        lower_and_check("preview.json", preview);
    }
}

/// CloudFormation templates (YAML with tags, or JSON).
pub fn cfn_lower(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        lower_and_check("template.yaml", text.to_string());
    }
}

/// Terraform: bytes → text → HCL (`syntax::hcl`) → the static evaluator and lowering
/// (`frontends::terraform::lint_text_as`), the text read as HCL and as JSON syntax (`.tf.json`,
/// `.tfvars.json`); every span it produces must lie inside the text.
pub fn hcl_parse(data: &[u8]) {
    let Ok(text) = decode(data.to_vec()) else {
        return;
    };
    if let Err(e) = kubectl_irsa::syntax::hcl::parse(&text) {
        assert!(e.pos.offset <= text.len(), "error past the end: {e:?}");
    }
    // The same bytes as HCL and as JSON syntax (lowered to HCL, positions mapped back).
    for name in ["main.tf", "main.tf.json", "terraform.tfvars.json"] {
        let unit = kubectl_irsa::frontends::terraform::lint_text_as(name, &text);
        for (_, _, pos) in &unit.errors {
            assert!(pos.offset <= text.len() && pos.line >= 1);
            assert!(
                text.is_char_boundary(pos.offset),
                "error inside a character"
            );
        }
        for (_, span, _) in &unit.notes {
            check_span(&text, span);
        }
        for p in &unit.classified.policies {
            check_tree(&text, &p.node);
        }
        for sa in &unit.classified.service_accounts {
            check_tree(&text, &sa.object.node);
        }
    }
}
/// The front-ends as `lint` drives them on one file (`frontends::lower_file`), under each file
/// name that picks a different front-end: `fuzz.yaml` (manifests, eksctl, EKS Anywhere Secrets
/// and Package CRs, IAM JSON, ACK/Crossplane CRs) and `credfile` (a literal AWS config with a
/// Roles Anywhere `credential_process`); then every file rule, with the spans of each finding
/// checked against the text. A front-end chosen by another name adds it to `NAMES`.
pub fn classify_lint(data: &[u8]) {
    const NAMES: &[&str] = &["fuzz.yaml", "credfile"];
    let Ok(text) = decode(data.to_vec()) else {
        return;
    };
    for &name in NAMES {
        let file = Arc::new(SourceFile::new(name, name, text.clone()));
        let lowered = lower_file(&file);
        for f in &lowered.findings {
            if let Some(loc) = &f.location {
                check_span(&file.text, &loc.span);
            }
        }
        let mut ws = Workspace::default();
        ws.absorb(file.clone(), lowered.facts);
        let outcome = lint_unit(ws, &file_rules(), Keep::Everything);
        check_findings(&outcome.retained.files, &outcome.findings);
    }
}

fn file_rules() -> Vec<&'static dyn Rule> {
    static RULES: OnceLock<Vec<Box<dyn Rule>>> = OnceLock::new();
    RULES
        .get_or_init(builtin_rules)
        .iter()
        .filter(|r| r.scope() == Scope::File)
        .map(|r| r.as_ref())
        .collect()
}

/// Chart values and the rule packs: the first line is the chart's name (which picks the packs
/// that apply: `edp-install`, `epinio`, `ack-s3-controller`, ...), the rest is its
/// `values.yaml`, checked by every built-in pack as for a chart that did not render.
pub fn chart_values(data: &[u8]) {
    static PACKS: OnceLock<PackSet> = OnceLock::new();
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (name, values) = input.split_once('\n').unwrap_or((input, ""));
    let file = Arc::new(SourceFile::new("values.yaml", "values.yaml", values));
    let stream = yaml::parse(&file.text);
    let Some(root) = stream.documents.into_iter().next().map(|d| d.root) else {
        return;
    };
    let context = Arc::new(RenderContext {
        chart_name: name.to_string(),
        chart_dir: "chart".into(),
        chart_display: "chart".into(),
        release_name: "release".into(),
        namespace: "default".into(),
        values_files: vec![file.clone()],
        set_args: Vec::new(),
        declared_by: None,
        declared_at: None,
    });
    let mut ws = Workspace::default();
    ws.files.push(file.clone());
    ws.charts.push(Arc::new(ChartInput {
        dir: "chart".into(),
        display: "chart".into(),
        name: name.to_string(),
        context,
        values: vec![(file.clone(), root)],
        rendered: false,
    }));
    let packs = PACKS.get_or_init(|| PackSet::load(&[]));
    let findings = packs.check(&ws);
    check_findings(&[file], &findings);
}
