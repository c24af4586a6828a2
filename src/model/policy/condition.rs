//! IAM condition blocks: `"Condition": {"<Operator>": {"<key>": <value or values>}}`.

use std::fmt;

use super::{scalar_text, PolicyError, Spanned};
use crate::syntax::yaml::{Node, NodeKind, Span};

/// One condition key under one operator.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub operator: Operator,
    pub operator_span: Span,
    pub key: String,
    pub key_span: Span,
    /// Values as written (numbers and booleans keep their text).
    pub values: Vec<Spanned<String>>,
    pub values_span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetQualifier {
    ForAnyValue,
    ForAllValues,
}

/// A parsed operator such as `ForAnyValue:StringLikeIfExists`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub raw: String,
    pub base: BaseOp,
    pub set: Option<SetQualifier>,
    pub if_exists: bool,
}

macro_rules! base_ops {
    ($($v:ident),* $(,)?) => {
        /// The base condition operator, without set qualifier or `IfExists`.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum BaseOp { $($v,)* Unknown(String) }

        impl BaseOp {
            /// IAM's name for the operator.
            pub fn name(&self) -> &str {
                match self { $(BaseOp::$v => stringify!($v),)* BaseOp::Unknown(s) => s }
            }

            /// Case-insensitive lookup of a base operator name.
            pub fn from_name(s: &str) -> BaseOp {
                $(if s.eq_ignore_ascii_case(stringify!($v)) { return BaseOp::$v; })*
                BaseOp::Unknown(s.to_string())
            }
        }
    };
}

base_ops!(
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
);

impl BaseOp {
    /// Negated operators evaluate to true when the key is missing.
    pub fn is_negated(&self) -> bool {
        matches!(
            self,
            BaseOp::StringNotEquals
                | BaseOp::StringNotEqualsIgnoreCase
                | BaseOp::StringNotLike
                | BaseOp::NumericNotEquals
                | BaseOp::DateNotEquals
                | BaseOp::NotIpAddress
                | BaseOp::ArnNotEquals
                | BaseOp::ArnNotLike
        )
    }

    /// The positive form of a negated operator (`StringNotLike` → `StringLike`); others unchanged.
    pub fn positive(&self) -> BaseOp {
        match self {
            BaseOp::StringNotEquals => BaseOp::StringEquals,
            BaseOp::StringNotEqualsIgnoreCase => BaseOp::StringEqualsIgnoreCase,
            BaseOp::StringNotLike => BaseOp::StringLike,
            BaseOp::NumericNotEquals => BaseOp::NumericEquals,
            BaseOp::DateNotEquals => BaseOp::DateEquals,
            BaseOp::NotIpAddress => BaseOp::IpAddress,
            BaseOp::ArnNotEquals => BaseOp::ArnEquals,
            BaseOp::ArnNotLike => BaseOp::ArnLike,
            other => other.clone(),
        }
    }

    /// Does the operator expand `*` and `?`?
    pub fn is_wildcard_capable(&self) -> bool {
        matches!(
            self,
            BaseOp::StringLike
                | BaseOp::StringNotLike
                | BaseOp::ArnLike
                | BaseOp::ArnNotLike
                | BaseOp::ArnEquals
                | BaseOp::ArnNotEquals
        )
    }
}

impl fmt::Display for BaseOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Operator {
    pub fn parse(raw: &str) -> Operator {
        let strip = |s: &'_ str, prefix: &str| -> Option<usize> {
            let head = s.get(..prefix.len())?;
            head.eq_ignore_ascii_case(prefix).then_some(prefix.len())
        };
        let (set, rest) = if let Some(n) = strip(raw, "ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), &raw[n..])
        } else if let Some(n) = strip(raw, "ForAllValues:") {
            (Some(SetQualifier::ForAllValues), &raw[n..])
        } else {
            (None, raw)
        };
        let suffix = "IfExists";
        let cut = rest.len().saturating_sub(suffix.len());
        let (base, if_exists) = match rest.get(cut..) {
            Some(tail) if cut > 0 && tail.eq_ignore_ascii_case(suffix) => (&rest[..cut], true),
            _ => (rest, false),
        };
        Operator {
            raw: raw.to_string(),
            base: BaseOp::from_name(base),
            set,
            if_exists,
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Parse a `Condition` value into one `Condition` per (operator, key).
/// Operators whose value is not a mapping are skipped and recorded in `problems`.
pub(super) fn parse_conditions(
    node: &Node,
    problems: &mut Vec<PolicyError>,
) -> Result<Vec<Condition>, PolicyError> {
    let Some(ops) = node.as_map() else {
        return Err(PolicyError::new(
            "Condition must be an object of operators, e.g. {\"StringEquals\": {...}}",
            node.span,
        ));
    };
    let mut out = Vec::new();
    for op_entry in ops {
        let raw = scalar_text(&op_entry.key).unwrap_or_default();
        let operator = Operator::parse(&raw);
        let Some(keys) = op_entry.value.as_map() else {
            problems.push(PolicyError::new(
                format!("condition operator `{raw}` must map condition keys to values; IAM rejects this policy (MalformedPolicyDocument)"),
                op_entry.key.span.to(op_entry.value.span),
            ));
            continue;
        };
        for key_entry in keys {
            let key = scalar_text(&key_entry.key).unwrap_or_default();
            out.push(Condition {
                operator: operator.clone(),
                operator_span: op_entry.key.span,
                key,
                key_span: key_entry.key.span,
                values: condition_values(&key_entry.value, &raw)?,
                values_span: key_entry.value.span,
            });
        }
    }
    Ok(out)
}

fn condition_values(node: &Node, op: &str) -> Result<Vec<Spanned<String>>, PolicyError> {
    let one = |n: &Node| -> Result<Spanned<String>, PolicyError> {
        match (&n.kind, n.is_null()) {
            (NodeKind::Scalar(s), false) => Ok(Spanned::new(s.text.clone(), n.span)),
            _ => Err(PolicyError::new(
                format!("values under `{op}` must be strings, numbers or booleans"),
                n.span,
            )),
        }
    };
    node.one_or_many().into_iter().map(one).collect()
}
