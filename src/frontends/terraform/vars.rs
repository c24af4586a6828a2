//! Input variables of a root module, in Terraform's order of precedence (later wins):
//! Terragrunt `inputs` (passed as `TF_VAR_*`), `TF_VAR_*` already in the environment (which
//! Terragrunt does not override), `terraform.tfvars`, `terraform.tfvars.json`,
//! `*.auto.tfvars` and `*.auto.tfvars.json` in name order, then `--var-file` files and `--var NAME=VALUE` flags as given on the command line.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::eval::Eval;
use super::index::Index;
use super::module::{files_named, is_tfvars_file, Ctx, World};
use super::value::{from_node, Value};
use crate::syntax::yaml::Span;

/// `lint --var`/`--var-file`: values for the variables of every root module that declares them.
#[derive(Debug, Clone, Default)]
pub struct TerraformOptions {
    /// `NAME=VALUE`, as `terraform plan -var`: a JSON list or object when it parses as one,
    /// else the text itself.
    pub vars: Vec<String>,
    /// `.tfvars` files, as `terraform plan -var-file`, applied before `vars`.
    pub var_files: Vec<PathBuf>,
    /// `TF_VAR_NAME=VALUE` from the environment, as `(NAME, VALUE)`: below every file.
    pub env_vars: Vec<(String, String)>,
}

impl TerraformOptions {
    /// `TF_VAR_*` variables of this process's environment, in name order.
    pub fn env_vars_from(vars: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> = vars
            .filter_map(|(key, value)| {
                let name = key.strip_prefix("TF_VAR_")?;
                is_variable_name(name).then(|| (name.to_string(), value))
            })
            .collect();
        found.sort();
        found
    }
}

/// Check a `--var` flag's shape: `NAME=VALUE` with a variable name.
pub fn parse_var_flag(flag: &str) -> Result<(String, String), String> {
    let (name, value) = flag
        .split_once('=')
        .ok_or_else(|| format!("`{flag}` is not NAME=VALUE"))?;
    let name = name.trim();
    if !is_variable_name(name) {
        return Err(format!("`{name}` is not a variable name"));
    }
    Ok((name.to_string(), value.to_string()))
}

/// A Terraform identifier: letters, digits, `_` and `-`, not starting with a digit.
fn is_variable_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

/// The variables of the root module in `dir`: `base` (Terragrunt inputs) overlaid by the
/// module's tfvars files, then by the command line's.
pub fn root_vars(
    world: &World,
    ctx: &Ctx,
    ix: &Index,
    dir: &Path,
    opts: &TerraformOptions,
    base: HashMap<String, Value>,
) -> HashMap<String, Value> {
    let mut vars = base;
    for (name, text) in &opts.env_vars {
        if let Some(value) = declared_value(world, ix, name, text) {
            vars.insert(name.clone(), value);
        }
    }
    let mut files = tfvars_files(dir);
    // A missing or unreadable file is an input error on it (as `terraform plan` refuses it).
    files.extend(
        opts.var_files
            .iter()
            .map(|p| p.canonicalize().unwrap_or_else(|_| p.clone())),
    );
    let empty = Index::default();
    for path in files {
        let Some((f, body)) = parse_once(world, &path) else {
            continue;
        };
        let ev = Eval::new(&world.files, &empty, HashMap::new(), ctx);
        for attr in body.attributes() {
            vars.insert(attr.key.as_str().to_string(), ev.eval(&attr.value, f));
        }
    }
    for flag in &opts.vars {
        let Ok((name, text)) = parse_var_flag(flag) else {
            continue;
        };
        if let Some(value) = declared_value(world, ix, &name, &text) {
            vars.insert(name, value);
        }
    }
    vars
}

impl Eval<'_> {
    /// A root-level `var.x` took its default, now at `span` of file `f` (the default itself, or
    /// the reference in another file). A called module's defaults were its caller's to keep.
    pub(super) fn record_default(&self, name: &str, f: super::value::FileId, span: Span) {
        if !self.ctx.stack.is_empty() {
            return;
        }
        let mut defaults = self.defaults.borrow_mut();
        if !defaults.iter().any(|d| d.0 == f && d.1 == span) {
            defaults.push((f, span, name.to_string()));
        }
    }
}

/// A command-line or environment value for a variable the module declares. It has no line of
/// its own, so it points at the variable's declaration.
fn declared_value(world: &World, ix: &Index, name: &str, text: &str) -> Option<Value> {
    let (f, block) = ix.variables.get(name).copied()?;
    let span = world.files.span(f, hcl_edit::Span::span(&block.labels[0]));
    Some(flag_value(text, span, f))
}

fn flag_value(text: &str, span: crate::syntax::yaml::Span, f: super::value::FileId) -> Value {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        let stream = crate::syntax::yaml::parse(text);
        if stream.error.is_none() {
            if let Some(doc) = stream.documents.first() {
                return from_node(&doc.root, f, 0).respan(span, f);
            }
        }
    }
    Value::str(text, span, f)
}

/// A tfvars file parsed once: again from its text when the walk already read it.
pub(super) fn parse_once(
    world: &World,
    path: &Path,
) -> Option<(super::value::FileId, hcl_edit::structure::Body)> {
    match world.files.by_path(path) {
        // Already parsed (and its error recorded) as a discovered input: parse the text again.
        Some(id) => crate::syntax::hcl::parse(&world.files.hcl_text(id))
            .ok()
            .map(|b| (id, b)),
        None => world.parse_file(path, world.display(path)),
    }
}

/// `terraform.tfvars`, then `*.auto.tfvars` in name order.
fn tfvars_files(dir: &Path) -> Vec<PathBuf> {
    let mut names = files_named(dir, is_tfvars_file);
    names.sort_by_key(|p| {
        let rank = match p.file_name().and_then(|n| n.to_str()) {
            Some("terraform.tfvars") => 0,
            Some("terraform.tfvars.json") => 1,
            _ => 2,
        };
        (rank, p.clone())
    });
    names
}
