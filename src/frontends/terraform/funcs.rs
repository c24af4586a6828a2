//! Terraform's built-in functions that IRSA configurations use. Any other function, or any call
//! on an unknown argument, is `Unknown`.

use hcl_edit::expr::{Expression, FuncCall};

use super::eval::{fmt_num, Eval};
use super::value::{from_node, FileId, Kind, Value};

impl Eval<'_> {
    /// An attribute of a declared data source, module or resource (`data.x.y[0].name`): known
    /// at apply time, so unknown here without being an error (an undeclared one is an error).
    fn is_apply_time(&self, e: &Expression) -> bool {
        let Expression::Traversal(t) = e else {
            return false;
        };
        let Expression::Variable(root) = &t.expr else {
            return false;
        };
        let attr = |i: usize| match t.operators.get(i).map(|o| o.value()) {
            Some(hcl_edit::expr::TraversalOperator::GetAttr(a)) => Some(a.as_str()),
            _ => None,
        };
        let root = root.as_str();
        if self.bound(root).is_some() {
            return false;
        }
        match (root, attr(0), attr(1)) {
            ("module", Some(m), _) => self.ix.modules.contains_key(m),
            ("data", Some(ty), Some(name)) => self.ix.data.contains_key(&(ty, name)),
            (ty, Some(name), _) if ty.contains('_') => self.ix.resources.contains_key(&(ty, name)),
            _ => false,
        }
    }

    pub(super) fn call(&self, call: &FuncCall, e: &Expression, f: FileId) -> Value {
        let name = call.name.name.as_str();
        let span = self.span(f, e);
        let unknown = || Value::unknown(self.files.text(f, hcl_edit::Span::span(e)), span, f);
        // `try` and `can` look at their arguments' success, not their values.
        match name {
            "try" => {
                for a in call.args.iter() {
                    let v = self.eval(a, f);
                    // An attribute known at apply time is no error: `try` returns it, unknown.
                    if !v.has_unknown() || self.is_apply_time(a) {
                        return v;
                    }
                }
                return unknown();
            }
            "can" => {
                let ok = call.args.iter().all(|a| !self.eval(a, f).has_unknown());
                return if ok {
                    Value::new(Kind::Bool(true), span, f)
                } else {
                    unknown()
                };
            }
            _ => {}
        }
        let mut args: Vec<Value> = call.args.iter().map(|a| self.eval(a, f)).collect();
        if call.args.expand_final() {
            if let Some(last) = args.pop() {
                match last.kind {
                    Kind::List(items) => args.extend(items),
                    _ => return unknown(),
                }
            }
        }
        if let Some(v) = super::terragrunt::call(self, name, &args, span, f) {
            return v;
        }
        let out = match name {
            "coalesce" => {
                if args.iter().any(|a| a.is_unknown()) {
                    None
                } else {
                    args.iter()
                        .find(|a| !a.is_null() && a.to_text().is_none_or(|t| !t.is_empty()))
                        .cloned()
                }
            }
            "lookup" => match (args.first(), args.get(1)) {
                (Some(m), Some(k)) if m.as_map().is_some() => k
                    .as_str()
                    .and_then(|k| m.get(k).cloned())
                    .or_else(|| args.get(2).cloned()),
                _ => None,
            },
            "merge" if args.iter().all(|a| a.as_map().is_some() || a.is_null()) => {
                let mut entries: Vec<(Value, Value)> = Vec::new();
                for a in &args {
                    for (k, v) in a.as_map().unwrap_or_default() {
                        entries.retain(|(old, _)| old.to_text() != k.to_text());
                        entries.push((k.clone(), v.clone()));
                    }
                }
                Some(Value::new(Kind::Map(entries), span, f))
            }
            "concat" if args.iter().all(|a| a.as_list().is_some()) => Some(Value::new(
                Kind::List(
                    args.iter()
                        .flat_map(|a| a.as_list().unwrap_or_default().to_vec())
                        .collect(),
                ),
                span,
                f,
            )),
            "flatten" => args
                .first()
                .and_then(|a| flatten(a, 0))
                .map(|l| Value::new(Kind::List(l), span, f)),
            "element" => match (
                args.first().and_then(Value::as_list),
                args.get(1).and_then(Value::to_text),
            ) {
                (Some(l), Some(i)) if !l.is_empty() => {
                    i.parse::<usize>().ok().map(|i| l[i % l.len()].clone())
                }
                _ => None,
            },
            "one" => match args.first().and_then(Value::as_list) {
                Some([]) => Some(Value::null(span, f)),
                Some([x]) => Some(x.clone()),
                _ => None,
            },
            "tolist" | "toset" | "tomap" | "tostring" | "sensitive" | "nonsensitive" => {
                args.into_iter().next()
            }
            "length" => args
                .first()
                .and_then(|a| match &a.kind {
                    Kind::List(l) => Some(l.len()),
                    Kind::Map(m) => Some(m.len()),
                    Kind::Str {
                        text,
                        partial: false,
                    } => Some(text.chars().count()),
                    _ => None,
                })
                .map(|n| Value::new(Kind::Number(n.to_string()), span, f)),
            "keys" | "values" => args.first().and_then(Value::as_map).map(|m| {
                let items = m
                    .iter()
                    .map(|(k, v)| if name == "keys" { k.clone() } else { v.clone() });
                Value::new(Kind::List(items.collect()), span, f)
            }),
            "contains" => match (args.first().and_then(Value::as_list), args.get(1)) {
                (Some(l), Some(x)) if !x.has_unknown() && l.iter().all(|i| !i.has_unknown()) => {
                    Some(Value::new(
                        Kind::Bool(l.iter().any(|i| super::eval::same(i, x))),
                        span,
                        f,
                    ))
                }
                _ => None,
            },
            "jsonencode" | "yamlencode" => args.into_iter().next().map(|inner| {
                let text = serde_json::to_string(&inner.to_json()).unwrap_or_default();
                let mut v = Value::new(
                    Kind::Str {
                        text,
                        partial: inner.has_unknown(),
                    },
                    span,
                    f,
                );
                v.doc = Some(Box::new(inner));
                v
            }),
            "jsondecode" | "yamldecode" => args.first().and_then(|a| {
                if let Some(d) = &a.doc {
                    return Some((**d).clone());
                }
                let stream = crate::syntax::yaml::parse(a.as_str()?);
                if stream.error.is_some() {
                    return None;
                }
                let root = stream.documents.into_iter().next()?.root;
                Some(from_node(&root, f, 0).respan(span, f))
            }),
            "file" | "templatefile" => self.file_fn(name, &args, span, f),
            _ => strings(name, &args).map(|kind| Value::new(kind, span, f)),
        };
        out.unwrap_or_else(unknown)
    }
}

fn flatten(v: &Value, depth: usize) -> Option<Vec<Value>> {
    let items = v.as_list()?;
    let mut out = Vec::new();
    for i in items {
        match &i.kind {
            Kind::List(_) if depth < 32 => out.extend(flatten(i, depth + 1)?),
            Kind::Unknown(_) => return None,
            _ => out.push(i.clone()),
        }
    }
    Some(out)
}

/// Functions over known strings and lists of strings.
fn strings(name: &str, args: &[Value]) -> Option<Kind> {
    let s = |i: usize| args.get(i).and_then(Value::as_str);
    let text = |t: String| {
        Some(Kind::Str {
            text: t,
            partial: false,
        })
    };
    match name {
        "lower" => text(s(0)?.to_lowercase()),
        "upper" => text(s(0)?.to_uppercase()),
        "title" => text(title(s(0)?)),
        "trimspace" => text(s(0)?.trim().to_string()),
        "trimprefix" => text(s(0)?.strip_prefix(s(1)?).unwrap_or(s(0)?).to_string()),
        "trimsuffix" => text(s(0)?.strip_suffix(s(1)?).unwrap_or(s(0)?).to_string()),
        "trim" => text(
            s(0)?
                .trim_matches(|c| s(1).is_some_and(|set| set.contains(c)))
                .to_string(),
        ),
        "startswith" => Some(Kind::Bool(s(0)?.starts_with(s(1)?))),
        "endswith" => Some(Kind::Bool(s(0)?.ends_with(s(1)?))),
        "replace" => text(replace(s(0)?, s(1)?, s(2)?)?),
        "split" => Some(Kind::List(
            s(1)?
                .split(s(0)?)
                .map(|p| Value::str(p, args[1].span, args[1].file))
                .collect(),
        )),
        "join" => {
            let sep = s(0)?;
            let mut parts = Vec::new();
            for l in &args[1..] {
                for i in l.as_list()? {
                    parts.push(i.to_text().filter(|_| !i.has_unknown())?);
                }
            }
            text(parts.join(sep))
        }
        "format" => {
            let (text, partial) = format(s(0)?, &args[1..])?;
            Some(Kind::Str { text, partial })
        }
        "substr" => {
            let n = |i: usize| args.get(i)?.to_text()?.parse::<i64>().ok();
            let chars: Vec<char> = s(0)?.chars().collect();
            let start = usize::try_from(n(1)?).ok()?.min(chars.len());
            let len = n(2)?;
            let end = if len < 0 {
                chars.len()
            } else {
                start.saturating_add(len as usize).min(chars.len())
            };
            text(chars[start..end].iter().collect())
        }
        "compact" => Some(Kind::List(
            args.first()?
                .as_list()?
                .iter()
                .filter(|v| !v.is_null() && v.as_str() != Some(""))
                .cloned()
                .collect(),
        )),
        "distinct" => {
            let mut out: Vec<Value> = Vec::new();
            for v in args.first()?.as_list()? {
                if !out.iter().any(|o| super::eval::same(o, v)) {
                    out.push(v.clone());
                }
            }
            Some(Kind::List(out))
        }
        "range" => {
            let n = args.first()?.to_text()?.parse::<usize>().ok()?.min(10_000);
            let at = args.first()?;
            Some(Kind::List(
                (0..n)
                    .map(|i| Value::new(Kind::Number(fmt_num(i as f64)), at.span, at.file))
                    .collect(),
            ))
        }
        "zipmap" => {
            let (k, v) = (args.first()?.as_list()?, args.get(1)?.as_list()?);
            Some(Kind::Map(
                k.iter().cloned().zip(v.iter().cloned()).collect(),
            ))
        }
        _ => None,
    }
}

fn title(s: &str) -> String {
    let mut out = String::new();
    let mut start = true;
    for c in s.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = !c.is_alphanumeric();
    }
    out
}

/// `replace(s, "/re/", "$1")` is a regex replacement; otherwise a literal one.
fn replace(s: &str, from: &str, to: &str) -> Option<String> {
    match from.strip_prefix('/').and_then(|r| r.strip_suffix('/')) {
        Some(re) if from.len() >= 2 => {
            let re = regex::RegexBuilder::new(re)
                .size_limit(1 << 20)
                .build()
                .ok()?;
            Some(re.replace_all(s, to).into_owned())
        }
        _ if from.is_empty() => Some(s.to_string()),
        _ => Some(s.replace(from, to)),
    }
}

/// `format("%s-%d", a, b)`: `%s`, `%d`, `%v`, `%q` and `%%`. An unknown `%s` argument stays symbolic in place (partial), so the
/// known parts of `format("arn:aws:iam::%s:role/app", data.x.account_id)` are still read.
fn format(spec: &str, args: &[Value]) -> Option<(String, bool)> {
    let mut out = String::new();
    let mut partial = false;
    let mut it = args.iter();
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            'q' => out.push_str(&format!("{:?}", it.next()?.as_str()?)),
            's' | 'd' | 'v' => {
                let a = it.next()?;
                match &a.kind {
                    Kind::Unknown(r) => {
                        partial = true;
                        out.push_str(&super::value::marker(r));
                    }
                    Kind::Str {
                        text,
                        partial: true,
                    } => {
                        partial = true;
                        out.push_str(text);
                    }
                    _ if a.has_unknown() => return None,
                    _ => out.push_str(&a.to_text()?),
                }
            }
            _ => return None,
        }
    }
    Some((out, partial))
}
