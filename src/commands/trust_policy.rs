//! `kubectl irsa trust-policy`: print the correct trust policy (or one statement) for service
//! accounts, or merge them into an existing policy without touching its other statements.

use std::path::PathBuf;

use clap::Args;
use serde_json::{json, Map, Value};

use crate::model::arn::{parse_oidc_provider_arn, ArnKind};
use crate::model::trust::{normalize_issuer, subject, DEFAULT_AUDIENCE, WEB_IDENTITY_ACTION};

#[derive(Debug, Args)]
pub struct TrustPolicyArgs {
    /// Namespace of the service account(s).
    #[arg(long, short = 'n')]
    pub namespace: String,
    /// Service account name (repeatable).
    #[arg(long = "service-account", short = 's', required = true)]
    pub service_accounts: Vec<String>,
    /// The IAM OIDC provider ARN (arn:aws:iam::ACCOUNT:oidc-provider/ISSUER).
    #[arg(long, conflicts_with = "issuer")]
    pub oidc_provider: Option<String>,
    /// The cluster's OIDC issuer URL (with --account).
    #[arg(long)]
    pub issuer: Option<String>,
    /// The AWS account that holds the OIDC provider (with --issuer, or with the live cluster's issuer).
    #[arg(long)]
    pub account: Option<String>,
    /// Without --issuer/--oidc-provider: read the issuer from this kubeconfig's cluster.
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to read the issuer from.
    #[arg(long)]
    pub context: Option<String>,
    /// Token audience.
    #[arg(long, default_value = DEFAULT_AUDIENCE)]
    pub audience: String,
    /// AWS partition (with --issuer).
    #[arg(long, default_value = "aws")]
    pub partition: String,
    /// Print only the Statement.
    #[arg(long)]
    pub statement: bool,
    /// Add the service accounts to this existing trust policy (JSON), keeping its other statements.
    #[arg(long, value_name = "FILE")]
    pub merge: Option<PathBuf>,
}

/// `(federated principal ARN, issuer host/path)`.
fn provider(args: &TrustPolicyArgs) -> Result<(String, String), String> {
    if let Some(arn) = &args.oidc_provider {
        let parsed = parse_oidc_provider_arn(arn).map_err(|e| format!("--oidc-provider: {e}"))?;
        if let ArnKind::OidcProvider { issuer } = parsed.kind {
            return Ok((arn.clone(), issuer));
        }
    }
    let live;
    let issuer = match &args.issuer {
        Some(i) => Some(i),
        None if args.account.is_some() => {
            live = live_issuer(args)?;
            Some(&live)
        }
        None => None,
    };
    match (issuer, &args.account) {
        (Some(issuer), Some(account)) => {
            let issuer = normalize_issuer(issuer).to_string();
            let arn = format!("arn:{}:iam::{account}:oidc-provider/{issuer}", args.partition);
            parse_oidc_provider_arn(&arn).map_err(|e| format!("--issuer/--account: {e}"))?;
            Ok((arn, issuer))
        }
        (Some(_), None) => Err("--issuer needs --account (the AWS account that holds the IAM OIDC provider)".into()),
        _ => Err("pass --oidc-provider ARN, --issuer URL with --account ID, or --account alone to read the issuer from the current cluster (`aws eks describe-cluster --query cluster.identity.oidc.issuer` shows it)".into()),
    }
}

/// The issuer the cluster of the kubeconfig serves at `/.well-known/openid-configuration`.
fn live_issuer(args: &TrustPolicyArgs) -> Result<String, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let client = crate::doctor::cluster::connect(
            args.kubeconfig.as_deref(),
            args.context.as_deref(),
            Some(std::time::Duration::from_secs(30)),
        )
        .await?;
        crate::doctor::cluster::fetch_issuer(&client)
            .await
            .map_err(|e| {
                format!(
                    "cannot read the cluster's OIDC issuer: {}; pass --issuer instead",
                    e.message
                )
            })
    })
}

fn subjects(args: &TrustPolicyArgs) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for sa in &args.service_accounts {
        let s = subject(&args.namespace, sa);
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

fn one_or_many(values: Vec<String>) -> Value {
    match values.as_slice() {
        [one] => Value::String(one.clone()),
        _ => Value::Array(values.into_iter().map(Value::String).collect()),
    }
}

pub fn statement(federated: &str, issuer: &str, subs: Vec<String>, audience: &str) -> Value {
    let mut equals = Map::new();
    equals.insert(format!("{issuer}:sub"), one_or_many(subs));
    equals.insert(format!("{issuer}:aud"), Value::String(audience.to_string()));
    json!({
        "Effect": "Allow",
        "Principal": {"Federated": federated},
        "Action": WEB_IDENTITY_ACTION,
        "Condition": {"StringEquals": equals}
    })
}

/// Add `subs` to the statement that already trusts this provider, or append a new statement.
pub fn merge(
    mut policy: Value,
    federated: &str,
    issuer: &str,
    subs: Vec<String>,
    audience: &str,
) -> Result<Value, String> {
    let root = policy
        .as_object_mut()
        .ok_or("the policy to merge is not a JSON object")?;
    let statements = root
        .entry("Statement")
        .or_insert_with(|| Value::Array(Vec::new()));
    if statements.is_object() {
        *statements = Value::Array(vec![statements.take()]);
    }
    let list = statements
        .as_array_mut()
        .ok_or("`Statement` is neither an object nor a list")?;
    let sub_key = format!("{issuer}:sub");
    let aud_key = format!("{issuer}:aud");
    // Only a plain statement takes more subjects: other conditions (another audience, a
    // `StringLike` on `sub`) would still refuse them.
    let existing = list.iter_mut().find(|s| {
        let plain_condition = s["Condition"].as_object().is_some_and(|c| c.len() == 1)
            && s["Condition"]["StringEquals"]
                .as_object()
                .is_some_and(|eq| {
                    eq.contains_key(&sub_key)
                        && eq
                            .iter()
                            .all(|(k, v)| *k == sub_key || (*k == aud_key && names(v, audience)))
                });
        s["Effect"] == "Allow"
            && s["Principal"]["Federated"] == federated
            && names(&s["Action"], WEB_IDENTITY_ACTION)
            && plain_condition
    });
    match existing {
        Some(stmt) => {
            let current = &mut stmt["Condition"]["StringEquals"][&sub_key];
            let mut values: Vec<String> = match current {
                Value::String(s) => vec![s.clone()],
                Value::Array(a) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            for s in subs {
                if !values.contains(&s) {
                    values.push(s);
                }
            }
            *current = one_or_many(values);
        }
        None => list.push(statement(federated, issuer, subs, audience)),
    }
    Ok(policy)
}

/// A string, or a list of strings, that includes `want`.
fn names(v: &Value, want: &str) -> bool {
    match v {
        Value::String(s) => s == want,
        Value::Array(a) => a.iter().any(|x| x == want),
        _ => false,
    }
}

pub fn run(args: TrustPolicyArgs) -> u8 {
    let result = provider(&args).and_then(|(federated, issuer)| {
        let subs = subjects(&args);
        if args.statement {
            return Ok(statement(&federated, &issuer, subs, &args.audience));
        }
        match &args.merge {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                let policy: Value = serde_json::from_str(&text)
                    .map_err(|e| format!("{}: not valid JSON: {e}", path.display()))?;
                merge(policy, &federated, &issuer, subs, &args.audience)
            }
            None => Ok(json!({
                "Version": "2012-10-17",
                "Statement": [statement(&federated, &issuer, subs, &args.audience)]
            })),
        }
    });
    match result.and_then(|v| serde_json::to_string_pretty(&v).map_err(|e| e.to_string())) {
        Ok(text) => {
            println!("{text}");
            crate::report::output::EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            crate::report::output::EXIT_TOOL_ERROR
        }
    }
}
