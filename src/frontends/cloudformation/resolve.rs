//! Intrinsics resolved to strings where the template itself says what they are: `Ref` of a
//! parameter (its `Default`), of a pseudo parameter, of a role or OIDC provider of the template;
//! `Fn::GetAtt R.Arn`; `Fn::Sub` (both forms), `Fn::Join` and `Fn::FindInMap`. `Fn::If` picks
//! its branch when the template's `Conditions` can be decided from parameter defaults
//! (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`). Anything else stays symbolic
//! (`${Name}`). Resolution through the template's own resources and conditions is cycle-checked.

use std::collections::HashMap;

use crate::frontends::Problem;
use crate::syntax::yaml::{Node, NodeKind, Pos};

/// CDK's provider custom resource: its `Ref` is the provider ARN too.
const CDK_OIDC_PROVIDER: &str = "Custom::AWSCDKOpenIdConnectProvider";

/// How deep `Ref`/`GetAtt` may chain through the template's resources.
const MAX_CHAIN: usize = 32;

pub struct Template<'a> {
    pub parameters: HashMap<&'a str, &'a Node>,
    pub resources: HashMap<&'a str, &'a Node>,
    pub conditions: HashMap<&'a str, &'a Node>,
    pub mappings: HashMap<&'a str, &'a Node>,
    /// The account the template's trust policies name (see `stack_account`).
    pub account: Option<String>,
}

pub struct Resolver<'t, 'a> {
    pub t: &'t Template<'a>,
    /// Logical IDs being resolved: a `Ref` back into one of them is a cycle.
    visiting: Vec<String>,
    pub problems: Vec<Problem>,
}

impl<'a> Template<'a> {
    pub fn read(root: &'a Node) -> Self {
        let section = |k: &str| -> HashMap<&'a str, &'a Node> {
            root.get(k)
                .and_then(Node::as_map)
                .unwrap_or_default()
                .iter()
                .filter_map(|e| Some((e.key.as_str()?, &e.value)))
                .collect()
        };
        Template {
            parameters: section("Parameters"),
            resources: section("Resources"),
            conditions: section("Conditions"),
            mappings: section("Mappings"),
            account: stack_account(root),
        }
    }

    pub fn resource_type(&self, id: &str) -> Option<&'a str> {
        self.resources.get(id)?.str_at(&["Type"])
    }
}

/// The one account named by `arn:…:iam::<account>:oidc-provider/` strings in the template: a
/// role may only trust a provider of its own account, so that is the stack's `AWS::AccountId`.
fn stack_account(root: &Node) -> Option<String> {
    let mut found: Option<String> = None;
    for n in root.descendants() {
        let Some(s) = n.scalar().map(|s| s.text.as_str()) else {
            continue;
        };
        let Some(i) = s.find(":oidc-provider/") else {
            continue;
        };
        let account = s[..i].rsplit(':').next().unwrap_or("");
        if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
            match &found {
                Some(a) if a != account => return None,
                _ => found = Some(account.to_string()),
            }
        }
    }
    found
}

/// The single `Fn::…`/`Ref` key of an intrinsic mapping, and its argument.
pub fn intrinsic(node: &Node) -> Option<(&str, &Node)> {
    let [e] = node.as_map()? else { return None };
    let k = e.key.as_str()?;
    (k == "Ref" || k.starts_with("Fn::") || k == "Condition").then_some((k, &e.value))
}

impl<'t, 'a> Resolver<'t, 'a> {
    pub fn new(t: &'t Template<'a>) -> Self {
        Resolver {
            t,
            visiting: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// The string `node` evaluates to; symbolic parts stay `${…}`. `None`: not a string.
    pub fn string(&mut self, node: &Node) -> Option<String> {
        if let Some(s) = node.scalar() {
            return Some(s.text.clone());
        }
        let (f, arg) = intrinsic(node)?;
        match f {
            "Fn::If" => {
                let chosen = self.branch(node)?;
                self.string(chosen)
            }
            "Ref" => Some(self.reference(arg.as_str()?, node.span.start)),
            "Fn::GetAtt" => {
                let (id, attr) = get_att(arg)?;
                Some(self.attribute(&id, &attr, node.span.start))
            }
            "Fn::Sub" => {
                let (template, vars) = sub_parts(arg)?;
                let template = template.as_str()?.to_string();
                Some(self.substitute(&template, vars, node.span.start))
            }
            "Fn::FindInMap" => self.find_in_map(arg),
            "Fn::Join" => {
                let [delim, items] = arg.as_seq()? else {
                    return None;
                };
                let delim = delim.as_str().unwrap_or("").to_string();
                let parts: Option<Vec<String>> =
                    items.as_seq()?.iter().map(|i| self.string(i)).collect();
                Some(parts?.join(&delim))
            }
            _ => None,
        }
    }

    /// `Fn::FindInMap [Map, TopKey, SecondKey]` when the keys are known and the value a string.
    fn find_in_map(&mut self, arg: &Node) -> Option<String> {
        let [map, top, second, ..] = arg.as_seq()? else {
            return None;
        };
        let keys = [self.string(map)?, self.string(top)?, self.string(second)?];
        if keys.iter().any(|k| k.contains("${")) {
            return None;
        }
        let [map, top, second] = keys;
        let found = self.t.mappings.get(map.as_str())?.get(&top)?.get(&second)?;
        found.as_str().map(str::to_string)
    }

    /// The branch an `Fn::If` takes, when its condition can be decided (nested `Fn::If`s are
    /// followed); `node` itself when it is no `Fn::If`, `None` when undecided.
    pub fn branch<'n>(&mut self, node: &'n Node) -> Option<&'n Node> {
        let mut node = node;
        for _ in 0..MAX_CHAIN {
            let Some(("Fn::If", arg)) = intrinsic(node) else {
                return Some(node);
            };
            let [name, then, otherwise] = arg.as_seq()? else {
                return None;
            };
            node = if self.condition(name.as_str()?)? {
                then
            } else {
                otherwise
            };
        }
        None
    }

    /// A named condition of the template, when parameter defaults decide it.
    fn condition(&mut self, name: &str) -> Option<bool> {
        if self.visiting.iter().any(|v| v == name) || self.visiting.len() >= MAX_CHAIN {
            return None;
        }
        let body = *self.t.conditions.get(name)?;
        self.visiting.push(name.to_string());
        let value = self.condition_value(body);
        self.visiting.pop();
        value
    }

    fn condition_value(&mut self, node: &Node) -> Option<bool> {
        let (f, arg) = intrinsic(node)?;
        let items = || arg.as_seq().unwrap_or_default();
        match f {
            "Condition" => self.condition(arg.as_str()?),
            "Fn::Equals" => {
                let [a, b] = items() else { return None };
                let (a, b) = (self.string(a)?, self.string(b)?);
                // A value known only at deploy time decides nothing.
                (!a.contains("${") && !b.contains("${")).then_some(a == b)
            }
            "Fn::Not" => {
                let [c] = items() else { return None };
                Some(!self.condition_value(c)?)
            }
            "Fn::And" | "Fn::Or" => {
                let values: Option<Vec<bool>> =
                    items().iter().map(|c| self.condition_value(c)).collect();
                let values = values?;
                Some(if f == "Fn::And" {
                    values.iter().all(|v| *v)
                } else {
                    values.iter().any(|v| *v)
                })
            }
            _ => None,
        }
    }

    /// `${Name}`, `${R.Attr}` and `${!Literal}` in a Sub template.
    pub fn substitute(&mut self, template: &str, vars: Option<&Node>, at: Pos) -> String {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[i..]);
                return out;
            };
            let name = &after[..end];
            if let Some(lit) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(lit);
                out.push('}');
            } else if let Some(v) = vars.and_then(|v| v.get(name)) {
                let value = self.string(v);
                out.push_str(&value.unwrap_or_else(|| format!("${{{name}}}")));
            } else if let Some((id, attr)) = name.split_once('.') {
                out.push_str(&self.attribute(id, attr, at));
            } else {
                out.push_str(&self.reference(name, at));
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn reference(&mut self, name: &str, at: Pos) -> String {
        let symbolic = format!("${{{name}}}");
        match name {
            "AWS::Partition" => return "aws".into(),
            "AWS::URLSuffix" => return "amazonaws.com".into(),
            "AWS::AccountId" => return self.t.account.clone().unwrap_or(symbolic),
            _ => {}
        }
        if let Some(p) = self.t.parameters.get(name) {
            return p.str_at(&["Default"]).map_or(symbolic, str::to_string);
        }
        match self.t.resource_type(name) {
            Some("AWS::IAM::Role") => self.role_name(name, at).unwrap_or(symbolic),
            // `Ref` of an OIDC provider is its ARN.
            Some("AWS::IAM::OIDCProvider" | CDK_OIDC_PROVIDER) => self.attribute(name, "Arn", at),
            _ => symbolic,
        }
    }

    fn attribute(&mut self, id: &str, attr: &str, at: Pos) -> String {
        let symbolic = format!("${{{id}.{attr}}}");
        let account = self
            .t
            .account
            .clone()
            .unwrap_or_else(|| "${AWS::AccountId}".into());
        match (self.t.resource_type(id), attr) {
            (Some("AWS::IAM::Role"), "Arn") => self
                .role_name(id, at)
                .map_or(symbolic, |n| format!("arn:aws:iam::{account}:role/{n}")),
            (Some("AWS::IAM::OIDCProvider" | CDK_OIDC_PROVIDER), "Arn") => {
                let url = self.property(id, "Url", at);
                let host = url.as_deref().map(crate::model::trust::normalize_issuer);
                host.map_or(symbolic, |h| {
                    format!("arn:aws:iam::{account}:oidc-provider/{h}")
                })
            }
            _ => symbolic,
        }
    }

    /// `RoleName` if set (resolved), else the logical ID (CloudFormation generates the name).
    pub fn role_name(&mut self, id: &str, at: Pos) -> Option<String> {
        let props = self.t.resources.get(id)?.get("Properties");
        if props.and_then(|p| p.get("RoleName")).is_none() {
            return Some(id.to_string());
        }
        self.property(id, "RoleName", at)
    }

    /// A resource property as a string, guarding against cycles.
    fn property(&mut self, id: &str, prop: &str, at: Pos) -> Option<String> {
        let node = self.t.resources.get(id)?.path(&["Properties", prop])?;
        if self.visiting.iter().any(|v| v == id) || self.visiting.len() >= MAX_CHAIN {
            let chain = self.visiting.join(" → ");
            self.problems.push(Problem::new(
                format!("cyclic reference in Fn::Sub/Ref: {chain} → {id}; left unresolved"),
                at,
            ));
            return None;
        }
        self.visiting.push(id.to_string());
        let value = self.string(node);
        self.visiting.pop();
        value
    }
}

/// `Fn::Sub`: `template` or `[template, {vars}]`.
pub fn sub_parts(arg: &Node) -> Option<(&Node, Option<&Node>)> {
    match &arg.kind {
        NodeKind::Scalar(_) => Some((arg, None)),
        NodeKind::Seq(items) => match items.as_slice() {
            [t] => Some((t, None)),
            [t, vars] => Some((t, Some(vars))),
            _ => None,
        },
        NodeKind::Map(_) => None,
    }
}

/// `R.Attr` or `[R, Attr]`.
fn get_att(arg: &Node) -> Option<(String, String)> {
    if let Some(s) = arg.as_str() {
        let (id, attr) = s.split_once('.')?;
        return Some((id.to_string(), attr.to_string()));
    }
    let [id, attr] = arg.as_seq()? else {
        return None;
    };
    Some((id.as_str()?.to_string(), attr.as_str()?.to_string()))
}
