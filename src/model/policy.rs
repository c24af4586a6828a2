//! IAM policy documents parsed from a span-aware `Node` (JSON or YAML).

use std::fmt;

use crate::model::glob::glob_match_ignore_case;
use crate::syntax::yaml::{Node, NodeKind, Span};

mod condition;

pub use condition::{BaseOp, Condition, Operator, SetQualifier};

/// A value with the span it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl Spanned<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    pub version: Option<Spanned<String>>,
    pub statements: Vec<Statement>,
    /// The whole document.
    pub span: Span,
    /// The `Statement` key.
    pub statement_key_span: Option<Span>,
    /// Parts IAM would reject that were skipped so the rest could still be checked.
    pub problems: Vec<PolicyError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// 0-based position in the document.
    pub index: usize,
    pub sid: Option<Spanned<String>>,
    pub effect: Spanned<Effect>,
    pub principal: Option<Principal>,
    pub not_principal: Option<Principal>,
    pub actions: Vec<Spanned<String>>,
    pub not_actions: Vec<Spanned<String>>,
    /// The `Action` or `NotAction` value.
    pub action_span: Option<Span>,
    pub resources: Vec<Spanned<String>>,
    pub not_resources: Vec<Spanned<String>>,
    pub conditions: Vec<Condition>,
    /// The `Condition` value.
    pub condition_span: Option<Span>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalType {
    Aws,
    Federated,
    Service,
    CanonicalUser,
    Other(String),
}

impl PrincipalType {
    pub fn from_key(key: &str) -> PrincipalType {
        match key {
            "AWS" => PrincipalType::Aws,
            "Federated" => PrincipalType::Federated,
            "Service" => PrincipalType::Service,
            "CanonicalUser" => PrincipalType::CanonicalUser,
            other => PrincipalType::Other(other.to_string()),
        }
    }
}

/// `"Principal": "*"` or `{"Federated": ...}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub value: PrincipalValue,
    /// The `Principal`/`NotPrincipal` key.
    pub key_span: Span,
    /// The whole value.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PrincipalValue {
    Wildcard(Span),
    Typed(Vec<PrincipalEntry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalEntry {
    pub kind: PrincipalType,
    pub key_span: Span,
    pub values: Vec<Spanned<String>>,
}

impl Principal {
    pub fn entries(&self) -> &[PrincipalEntry] {
        match &self.value {
            PrincipalValue::Wildcard(_) => &[],
            PrincipalValue::Typed(entries) => entries,
        }
    }

    /// Values of one principal type.
    pub fn values_of(&self, kind: &PrincipalType) -> Vec<&Spanned<String>> {
        self.entries()
            .iter()
            .filter(|e| &e.kind == kind)
            .flat_map(|e| &e.values)
            .collect()
    }

    pub fn federated(&self) -> Vec<&Spanned<String>> {
        self.values_of(&PrincipalType::Federated)
    }

    pub fn services(&self) -> Vec<&Spanned<String>> {
        self.values_of(&PrincipalType::Service)
    }

    pub fn aws(&self) -> Vec<&Spanned<String>> {
        self.values_of(&PrincipalType::Aws)
    }

    /// `"*"`, or `{"AWS": "*"}` which IAM treats the same.
    pub fn is_wildcard(&self) -> bool {
        matches!(self.value, PrincipalValue::Wildcard(_))
            || self.aws().iter().any(|v| v.value == "*")
    }
}

/// A policy the parser cannot make sense of, with the span to blame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub message: String,
    pub span: Span,
}

impl PolicyError {
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        PolicyError {
            message: message.into(),
            span,
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyError {}

/// Text of a non-null scalar.
pub(crate) fn scalar_text(node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::Scalar(s) if !node.is_null() => Some(s.text.clone()),
        _ => None,
    }
}

fn strings(node: &Node, what: &str) -> Result<Vec<Spanned<String>>, PolicyError> {
    node.one_or_many()
        .into_iter()
        .map(|n| {
            scalar_text(n)
                .map(|t| Spanned::new(t, n.span))
                .ok_or_else(|| {
                    PolicyError::new(
                        format!("{what} must be a string or a list of strings"),
                        n.span,
                    )
                })
        })
        .collect()
}

/// Parse a policy document.
pub fn parse_policy(node: &Node) -> Result<PolicyDocument, PolicyError> {
    if node.as_map().is_none() {
        return Err(PolicyError::new(
            "a policy document must be an object",
            node.span,
        ));
    }
    let version = match node.get("Version") {
        Some(v) => Some(
            scalar_text(v)
                .map(|t| Spanned::new(t, v.span))
                .ok_or_else(|| PolicyError::new("Version must be a string", v.span))?,
        ),
        None => None,
    };
    let Some(entry) = node.entry("Statement") else {
        return Err(PolicyError::new("the policy has no `Statement`", node.span));
    };
    let items: Vec<&Node> = match &entry.value.kind {
        NodeKind::Map(_) => vec![&entry.value],
        NodeKind::Seq(items) => items.iter().collect(),
        _ => {
            return Err(PolicyError::new(
                "Statement must be an object or a list",
                entry.value.span,
            ))
        }
    };
    let mut problems = Vec::new();
    let mut statements: Vec<Statement> = items
        .into_iter()
        .enumerate()
        .map(|(i, n)| parse_statement(i, n, &mut problems))
        .collect::<Result<_, _>>()?;
    // Collecting `Result`s over-allocates; trust documents live for the whole run.
    statements.shrink_to_fit();
    for s in &mut statements {
        s.conditions.shrink_to_fit();
        for c in &mut s.conditions {
            c.values.shrink_to_fit();
        }
        for p in s.principal.iter_mut().chain(s.not_principal.iter_mut()) {
            if let PrincipalValue::Typed(entries) = &mut p.value {
                entries.shrink_to_fit();
            }
        }
    }
    Ok(PolicyDocument {
        version,
        statements,
        span: node.span,
        statement_key_span: Some(entry.key.span),
        problems,
    })
}

fn parse_statement(
    index: usize,
    node: &Node,
    problems: &mut Vec<PolicyError>,
) -> Result<Statement, PolicyError> {
    if node.as_map().is_none() {
        return Err(PolicyError::new(
            format!("statement {index} must be an object"),
            node.span,
        ));
    }
    let sid = node
        .get("Sid")
        .and_then(|v| scalar_text(v).map(|t| Spanned::new(t, v.span)));
    let effect = match node.get("Effect") {
        None => {
            return Err(PolicyError::new(
                format!("statement {index} has no `Effect` (must be `Allow` or `Deny`)"),
                node.span,
            ))
        }
        Some(v) => match scalar_text(v).as_deref() {
            Some("Allow") => Spanned::new(Effect::Allow, v.span),
            Some("Deny") => Spanned::new(Effect::Deny, v.span),
            other => {
                return Err(PolicyError::new(
                    format!(
                        "Effect must be `Allow` or `Deny`, found `{}`",
                        other.unwrap_or("(not a string)")
                    ),
                    v.span,
                ))
            }
        },
    };
    let list = |key: &str| -> Result<Vec<Spanned<String>>, PolicyError> {
        node.get(key).map_or(Ok(Vec::new()), |v| strings(v, key))
    };
    let (conditions, condition_span) = match node.get("Condition") {
        Some(c) => (condition::parse_conditions(c, problems)?, Some(c.span)),
        None => (Vec::new(), None),
    };
    Ok(Statement {
        index,
        sid,
        effect,
        principal: principal(node, "Principal")?,
        not_principal: principal(node, "NotPrincipal")?,
        actions: list("Action")?,
        not_actions: list("NotAction")?,
        action_span: node.get("Action").or(node.get("NotAction")).map(|n| n.span),
        resources: list("Resource")?,
        not_resources: list("NotResource")?,
        conditions,
        condition_span,
        span: node.span,
    })
}

fn principal(stmt: &Node, key: &str) -> Result<Option<Principal>, PolicyError> {
    let Some(entry) = stmt.entry(key) else {
        return Ok(None);
    };
    let v = &entry.value;
    let value = match &v.kind {
        NodeKind::Scalar(s) if s.text == "*" => PrincipalValue::Wildcard(v.span),
        NodeKind::Map(entries) => PrincipalValue::Typed(
            entries
                .iter()
                .map(|e| {
                    let k = scalar_text(&e.key).unwrap_or_default();
                    Ok(PrincipalEntry {
                        kind: PrincipalType::from_key(&k),
                        key_span: e.key.span,
                        values: strings(&e.value, &format!("{key}.{k}"))?,
                    })
                })
                .collect::<Result<_, PolicyError>>()?,
        ),
        _ => {
            return Err(PolicyError::new(
                format!("{key} must be `*` or an object such as {{\"Federated\": \"arn:...\"}}"),
                v.span,
            ))
        }
    };
    Ok(Some(Principal {
        value,
        key_span: entry.key.span,
        span: v.span,
    }))
}

impl Statement {
    /// Does `Action`/`NotAction` cover `action`? Ignores `Effect`. Case-insensitive, `*`/`?` wildcards.
    pub fn matches_action(&self, action: &str) -> bool {
        let hit = |list: &[Spanned<String>]| {
            list.iter()
                .any(|a| glob_match_ignore_case(&a.value, action))
        };
        if !self.actions.is_empty() {
            hit(&self.actions)
        } else if !self.not_actions.is_empty() {
            !hit(&self.not_actions)
        } else {
            false
        }
    }

    /// An `Allow` statement whose actions cover `action`.
    pub fn allows_action(&self, action: &str) -> bool {
        self.effect.value == Effect::Allow && self.matches_action(action)
    }

    /// The principal actually in play: `Principal`, or else `NotPrincipal`.
    pub fn has_principal(&self) -> bool {
        self.principal.is_some() || self.not_principal.is_some()
    }
}

/// A mapping that looks like an IAM policy: a `Statement`, and a `Version` or statements with `Effect`.
pub fn looks_like_policy(node: &Node) -> bool {
    let Some(stmt) = node.get("Statement") else {
        return false;
    };
    node.get("Version").is_some() || stmt.one_or_many().iter().any(|s| s.get("Effect").is_some())
}

/// A trust (assume-role) policy: some statement names a principal, or allows `sts:AssumeRole*`
/// without a `Resource` (permission policies that allow assuming other roles carry one).
pub fn is_trust_policy(doc: &PolicyDocument) -> bool {
    doc.statements.iter().any(|s| {
        s.has_principal()
            || (s.resources.is_empty()
                && s.not_resources.is_empty()
                && s.actions
                    .iter()
                    .any(|a| a.value.to_ascii_lowercase().starts_with("sts:assumerole")))
    })
}

#[cfg(test)]
mod tests;
