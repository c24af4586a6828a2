//! Operators and `for` expressions.

use hcl_edit::expr::{BinaryOperator, Expression};

use super::eval::{fmt_num, iter_pairs, same, Eval};
use super::value::{FileId, Kind, Value};

impl Eval<'_> {
    pub(super) fn binary(&self, op: &hcl_edit::expr::BinaryOp, e: &Expression, f: FileId) -> Value {
        let span = self.span(f, e);
        let l = self.eval(&op.lhs_expr, f);
        // `&&`/`||` short-circuit on a known side.
        match (op.operator.value(), l.as_bool()) {
            (BinaryOperator::And, Some(false)) => return Value::new(Kind::Bool(false), span, f),
            (BinaryOperator::Or, Some(true)) => return Value::new(Kind::Bool(true), span, f),
            _ => {}
        }
        let r = self.eval(&op.rhs_expr, f);
        if l.has_unknown() || r.has_unknown() {
            return self.unknown(f, e);
        }
        let num = |v: &Value| match &v.kind {
            Kind::Number(n) => n.parse::<f64>().ok(),
            Kind::Str { text, .. } => text.parse::<f64>().ok(),
            _ => None,
        };
        let kind = match op.operator.value() {
            BinaryOperator::Eq => Some(Kind::Bool(same(&l, &r))),
            BinaryOperator::NotEq => Some(Kind::Bool(!same(&l, &r))),
            BinaryOperator::And => l
                .as_bool()
                .zip(r.as_bool())
                .map(|(a, b)| Kind::Bool(a && b)),
            BinaryOperator::Or => l
                .as_bool()
                .zip(r.as_bool())
                .map(|(a, b)| Kind::Bool(a || b)),
            o => num(&l).zip(num(&r)).and_then(|(a, b)| match o {
                BinaryOperator::Plus => Some(Kind::Number(fmt_num(a + b))),
                BinaryOperator::Minus => Some(Kind::Number(fmt_num(a - b))),
                BinaryOperator::Mul => Some(Kind::Number(fmt_num(a * b))),
                BinaryOperator::Div if b != 0.0 => Some(Kind::Number(fmt_num(a / b))),
                BinaryOperator::Mod if b != 0.0 => Some(Kind::Number(fmt_num(a % b))),
                BinaryOperator::Less => Some(Kind::Bool(a < b)),
                BinaryOperator::LessEq => Some(Kind::Bool(a <= b)),
                BinaryOperator::Greater => Some(Kind::Bool(a > b)),
                BinaryOperator::GreaterEq => Some(Kind::Bool(a >= b)),
                _ => None,
            }),
        };
        kind.map_or_else(|| self.unknown(f, e), |k| Value::new(k, span, f))
    }

    pub(super) fn for_expr(
        &self,
        fe: &hcl_edit::expr::ForExpr,
        e: &Expression,
        f: FileId,
    ) -> Value {
        let coll = self.eval(&fe.intro.collection_expr, f);
        let Some(items) = iter_pairs(&coll) else {
            return self.unknown(f, e);
        };
        let span = self.span(f, e);
        let mut list = Vec::new();
        let mut map: Vec<(Value, Value)> = Vec::new();
        for (k, v) in items {
            let mut binds = vec![(fe.intro.value_var.as_str().to_string(), v)];
            if let Some(kv) = &fe.intro.key_var {
                binds.push((kv.as_str().to_string(), k));
            }
            let out = self.with_bound(binds, || {
                if let Some(c) = &fe.cond {
                    match self.eval(&c.expr, f).as_bool() {
                        Some(true) => {}
                        Some(false) => return Ok(None),
                        None => return Err(()),
                    }
                }
                let key = fe.key_expr.as_ref().map(|k| self.eval(k, f));
                Ok(Some((key, self.eval(&fe.value_expr, f))))
            });
            match out {
                Err(()) => return self.unknown(f, e),
                Ok(None) => {}
                Ok(Some((Some(key), val))) => {
                    if key.to_text().is_none() {
                        return self.unknown(f, e);
                    }
                    map.retain(|(old, _)| old.to_text() != key.to_text() || fe.grouping);
                    map.push((key, val));
                }
                Ok(Some((None, val))) => list.push(val),
            }
        }
        let kind = if fe.key_expr.is_some() {
            Kind::Map(map)
        } else {
            Kind::List(list)
        };
        Value::new(kind, span, f)
    }
}
