//! Evaluate pack rules against a chart's values.

use crate::diagnostics::finding::{Finding, Location, ObjectRef};
use crate::diagnostics::input::DeployTimePlaceholder;
use crate::facts::ChartInput;
use crate::facts::Workspace;
use crate::rules::packs::formats;
use crate::rules::packs::model::{
    chart_matches, Assertion, Condition, KeyRef, Op, Pack, PackRule, Test,
};
use crate::rules::packs::values::{lookup, Resolved};
use crate::syntax::yaml::Span;

/// One chart seen through one pack.
pub struct Eval<'a> {
    pub ws: &'a Workspace,
    pub chart: &'a ChartInput,
    pub pack: &'a Pack,
}

impl Eval<'_> {
    /// `$release.namespace`, `$release.name`, `$chart.name`, `$values.<key>`; other values as is.
    fn expand(&self, expected: &serde_json::Value) -> serde_json::Value {
        let Some(s) = expected.as_str() else {
            return expected.clone();
        };
        let ctx = &self.chart.context;
        let out = match s {
            "$release.namespace" => ctx.namespace.clone(),
            "$release.name" => ctx.release_name.clone(),
            "$chart.name" => ctx.chart_name.clone(),
            _ => match s
                .strip_prefix("$values.")
                .and_then(crate::rules::packs::values::parse_path)
            {
                Some(path) => lookup(self.chart, &path)
                    .first()
                    .and_then(Resolved::text)
                    .unwrap_or_default(),
                None => return expected.clone(),
            },
        };
        serde_json::Value::String(out)
    }

    fn holds(&self, test: &Test) -> bool {
        let found = lookup(self.chart, &test.key.path);
        let absent = found
            .iter()
            .all(|r| r.set_arg.is_none() && r.node.as_ref().is_none_or(|n| n.is_null()));
        match &test.op {
            Op::Equals(v) => {
                let v = self.expand(v);
                if found.is_empty() {
                    return v.is_null();
                }
                found.iter().any(|r| r.equals(&v))
            }
            Op::NotEquals(v) => {
                let v = self.expand(v);
                found.iter().any(|r| !r.is_empty() && !r.equals(&v))
            }
            Op::Empty => found.iter().all(Resolved::is_empty),
            Op::NotEmpty => found.iter().any(|r| !r.is_empty()),
            Op::Absent => absent,
            Op::Present => !absent,
        }
    }

    fn cond(&self, c: &Condition) -> bool {
        match c {
            Condition::Test(t) => self.holds(t),
            Condition::All(cs) => cs.iter().all(|c| self.cond(c)),
            Condition::Any(cs) => cs.iter().any(|c| self.cond(c)),
        }
    }

    /// Keys a condition reads, in order (for locating a note).
    fn cond_keys<'c>(c: &'c Condition, out: &mut Vec<&'c KeyRef>) {
        match c {
            Condition::Test(t) => out.push(&t.key),
            Condition::All(cs) | Condition::Any(cs) => {
                cs.iter().for_each(|c| Self::cond_keys(c, out))
            }
        }
    }

    /// The key itself, else the nearest parent that is set.
    fn locate(&self, key: &KeyRef) -> Option<Resolved> {
        (1..=key.path.len())
            .rev()
            .find_map(|n| lookup(self.chart, &key.path[..n]).into_iter().next())
    }

    /// The SA a key feeds: the chart's SA-name value, else the key's declared default.
    fn service_account(&self, key: &KeyRef) -> Option<ObjectRef> {
        let meaning = self.pack.keys.iter().find(|k| {
            k.key.text == key.text
                && chart_matches(&k.charts, &self.chart.name)
                && (k.service_account.is_some()
                    || matches!(k.means.as_str(), "role-arn" | "annotations"))
        })?;
        let name = self
            .meaning_value("service-account-name")
            .or_else(|| meaning.service_account.clone())?;
        let namespace = self
            .meaning_value("namespace")
            .unwrap_or_else(|| self.chart.context.namespace.clone());
        Some(ObjectRef::new("ServiceAccount", Some(&namespace), name))
    }

    /// The value of the first key of this chart with a given meaning.
    fn meaning_value(&self, means: &str) -> Option<String> {
        self.pack
            .keys
            .iter()
            .filter(|k| k.means == means && chart_matches(&k.charts, &self.chart.name))
            .find_map(|k| lookup(self.chart, &k.key.path).first()?.text())
            .filter(|v| !v.trim().is_empty())
    }

    /// SA names this chart produces, by the pack's declarations.
    fn produced_service_accounts(&self, except: &KeyRef) -> Vec<String> {
        let create_off = self
            .pack
            .keys
            .iter()
            .filter(|k| k.means == "service-account-create")
            .any(|k| {
                lookup(self.chart, &k.key.path)
                    .iter()
                    .any(|r| r.equals(&false.into()))
            });
        let mut out = Vec::new();
        for k in &self.pack.keys {
            if !chart_matches(&k.charts, &self.chart.name) || k.key.text == except.text {
                continue;
            }
            if k.means == "service-account-name" && !create_off {
                out.extend(
                    lookup(self.chart, &k.key.path)
                        .iter()
                        .filter_map(Resolved::text),
                );
            }
            out.extend(k.service_account.clone());
        }
        out
    }

    pub fn run(&self, rule: &PackRule, out: &mut Vec<Finding>) {
        if !chart_matches(&rule.charts, &self.chart.name) {
            return;
        }
        let values = || {
            rule.key
                .as_ref()
                .map(|k| lookup(self.chart, &k.path))
                .unwrap_or_default()
        };
        match &rule.assertion {
            Assertion::Format(format, pattern) => {
                for r in values() {
                    let Some(text) = r.text().filter(|t| !t.trim().is_empty()) else {
                        continue;
                    };
                    match formats::checked(*format, &text, pattern.as_ref()) {
                        formats::Checked::Valid => {}
                        formats::Checked::Invalid(reason) => {
                            out.push(self.finding(rule, Some(r), &reason))
                        }
                        // A role ARN is reported by the service account the chart renders.
                        formats::Checked::DeployTime(_) if *format == formats::Format::RoleArn => {}
                        formats::Checked::DeployTime(_) => out.push(self.deploy_time(rule, r)),
                    }
                }
            }
            Assertion::NonEmpty => self.non_empty(rule, out),
            Assertion::NonEmptyWhen(t) => {
                if self.holds(t) {
                    self.non_empty(rule, out);
                }
            }
            Assertion::IfThen(c, then) => {
                if self.cond(c) && !self.holds(then) {
                    let at = self.locate(&then.key);
                    out.push(self.finding(rule, at, ""));
                }
            }
            Assertion::MustExistServiceAccount => {
                let Some(key) = &rule.key else { return };
                let produced = self.produced_service_accounts(key);
                for r in values() {
                    let Some(name) = r.text().filter(|t| !t.trim().is_empty()) else {
                        continue;
                    };
                    let known = produced.contains(&name)
                        || self
                            .ws
                            .service_accounts
                            .iter()
                            .any(|s| s.object.name == name);
                    if !known {
                        out.push(self.finding(rule, Some(r), ""));
                    }
                }
            }
            Assertion::Note(c) => {
                if !self.cond(c) {
                    return;
                }
                let mut keys = Vec::new();
                keys.extend(rule.key.as_ref());
                Self::cond_keys(c, &mut keys);
                let at = keys.iter().find_map(|k| self.locate(k));
                out.push(self.finding(rule, at, ""));
            }
        }
    }

    fn non_empty(&self, rule: &PackRule, out: &mut Vec<Finding>) {
        let Some(key) = &rule.key else { return };
        let found = lookup(self.chart, &key.path);
        if found.is_empty() {
            out.push(self.finding(rule, self.locate(key), ""));
        }
        for r in found.into_iter().filter(Resolved::is_empty) {
            out.push(self.finding(rule, Some(r), ""));
        }
    }

    fn finding(&self, rule: &PackRule, at: Option<Resolved>, reason: &str) -> Finding {
        let key_text = at
            .as_ref()
            .map(|r| r.path.clone())
            .or_else(|| rule.key.as_ref().map(|k| k.text.clone()))
            .unwrap_or_default();
        let value = at.as_ref().and_then(Resolved::text).unwrap_or_default();
        let object = rule.key.as_ref().and_then(|k| self.service_account(k));
        let ctx = &self.chart.context;
        let mut message = rule
            .message
            .replace("{key}", &key_text)
            .replace("{value}", &value)
            .replace("{reason}", reason)
            .replace("{chart}", &self.chart.name)
            .replace("{release}", &ctx.release_name)
            .replace("{namespace}", &ctx.namespace)
            .replace(
                "{serviceAccount}",
                object.as_ref().map_or("?", |o| o.name.as_str()),
            );
        if let Some((k, v)) = at.as_ref().and_then(|r| r.set_arg.clone()) {
            message.push_str(&format!(" (set on the command line: `--set {k}={v}`)"));
        }
        let location = match at.as_ref().and_then(|r| Some((r.file.clone()?, r.span))) {
            Some((file, span)) => Location::new(&file, span),
            None => self.chart_location(),
        };
        let mut help = rule.help.clone();
        if let Some(url) = &rule.url {
            let base = help.map(|h| format!("{h}\n")).unwrap_or_default();
            help = Some(format!("{base}see {url}"));
        }
        Finding {
            code: rule.id.clone(),
            name: rule.name.clone(),
            severity: rule.severity,
            message,
            location: Some(location),
            related: vec![
                Location::new(&self.pack.file, rule.span).with_message(format!(
                    "rule {} fired here (pack `{}`)",
                    rule.id, self.pack.name
                )),
            ],
            object,
            help,
            fix: None,
            context: None,
        }
    }

    /// A value wholly set at deploy time: the note IRSA053 at it, not the pack's finding.
    fn deploy_time(&self, rule: &PackRule, at: Resolved) -> Finding {
        let pack = self.finding(rule, Some(at.clone()), "");
        let value = at.text().unwrap_or_default();
        let message = format!(
            "`{}` `{value}` in chart `{}` is set at deploy time: rule {} (pack `{}`) did not check it",
            at.path, self.chart.name, rule.id, self.pack.name
        );
        let mut f = Finding::new(&DeployTimePlaceholder::META, message);
        f.location = pack.location;
        f.object = pack.object;
        f
    }

    fn chart_location(&self) -> Location {
        match self.chart.values.first() {
            Some((file, _)) => Location::file(file),
            None => Location {
                path: format!("{}/values.yaml", self.chart.display),
                line: 1,
                column: 1,
                message: None,
                span: Span::default().with_start_line(),
            },
        }
    }
}
