//! ARNs with fields set at deploy time (`arn:aws:iam::${ACCOUNT_ID}:role/app`): the known
//! fields are checked as usual, the others stay symbolic (`Field::Deploy`).

use super::{Arn, ArnError, ArnKind};
use crate::model::placeholder::{is_placeholder_word, template_placeholders, Placeholder};

use super::UNKNOWN_ACCOUNT;

/// Stands for one placeholder while the ARN is split into fields.
const MARK: char = '\u{E000}';

/// One field of an ARN: as written, or set at deploy time (the text as written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Known(String),
    Deploy(String),
}

impl Field {
    pub fn known(&self) -> Option<&str> {
        match self {
            Field::Known(s) => Some(s),
            Field::Deploy(_) => None,
        }
    }
}

/// An ARN some of whose fields are set at deploy time; its known fields were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartlyArn {
    pub text: String,
    pub partition: Field,
    pub service: Field,
    pub region: Field,
    pub account: Field,
    pub resource: Field,
    /// The role's name, when the ARN names a role.
    pub role_name: Option<Field>,
    /// Every placeholder, in order.
    pub placeholders: Vec<Placeholder>,
}

/// An ARN as far as it is known before deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplatedArn {
    Known(Arn),
    Partly(PartlyArn),
    Wholly(Placeholder),
}

impl TemplatedArn {
    /// The first placeholder, if any.
    pub fn placeholder(&self) -> Option<&Placeholder> {
        match self {
            TemplatedArn::Known(_) => None,
            TemplatedArn::Partly(p) => p.placeholders.first(),
            TemplatedArn::Wholly(p) => Some(p),
        }
    }

    /// The role's name when it is known.
    pub fn role_name(&self) -> Option<&str> {
        match self {
            TemplatedArn::Known(Arn {
                kind: ArnKind::Role { name, .. },
                ..
            }) => Some(name),
            TemplatedArn::Partly(p) => p.role_name.as_ref().and_then(Field::known),
            _ => None,
        }
    }

    pub fn account(&self) -> Option<&str> {
        match self {
            TemplatedArn::Known(a) => Some(&a.account),
            TemplatedArn::Partly(p) => p.account.known(),
            TemplatedArn::Wholly(_) => None,
        }
    }

    pub fn partition(&self) -> Option<&str> {
        match self {
            TemplatedArn::Known(a) => Some(&a.partition),
            TemplatedArn::Partly(p) => p.partition.known(),
            TemplatedArn::Wholly(_) => None,
        }
    }

    /// The parts set at deploy time, for messages (`["account"]`, `["partition", "role name"]`).
    pub fn deploy_parts(&self) -> Vec<&'static str> {
        let TemplatedArn::Partly(p) = self else {
            return Vec::new();
        };
        let resource = match &p.role_name {
            Some(name) => (name, "role name"),
            None => (&p.resource, "resource"),
        };
        [
            (&p.partition, "partition"),
            (&p.service, "service"),
            (&p.region, "region"),
            (&p.account, "account"),
            resource,
        ]
        .into_iter()
        .filter(|(f, _)| matches!(f, Field::Deploy(_)))
        .map(|(_, what)| what)
        .collect()
    }
}

/// Parse `s` with `parse` (`parse_role_arn`, `parse_oidc_provider_arn`, …), placeholders
/// allowed: each field holding one gets a stand-in valid for it, the known fields are checked
/// as usual, and an error names `s` as written.
pub fn parse_templated(
    s: &str,
    parse: impl Fn(&str) -> Result<Arn, ArnError>,
) -> Result<TemplatedArn, ArnError> {
    if is_placeholder_word(s) {
        return Ok(TemplatedArn::Wholly(Placeholder {
            text: s.into(),
            byte_range: 0..s.len(),
        }));
    }
    let found = template_placeholders(s);
    if s.contains(MARK) || (found.is_empty() && field_word(s).is_none()) {
        return parse(s).map(TemplatedArn::Known);
    }
    let masked = mask(s, &found);
    if masked.starts_with(MARK) {
        return Ok(TemplatedArn::Wholly(found[0].clone()));
    }
    let fields: Vec<&str> = masked.splitn(6, ':').collect();
    let [_, partition, service, region, account, resource] = fields[..] else {
        let stand_in = masked.replace(MARK, "x");
        return Err(parse(&stand_in).map_or_else(|e| e.with_arn(s), |_| missing_colon(s)));
    };
    let mut texts = found.iter().map(|p| p.text.as_str());
    let mut words = Vec::new();
    let mut at = "arn:".len();
    let mut field = |f: &str, word: bool| {
        let text = unmask(f, &mut texts);
        let start = at;
        at += text.len() + 1;
        if word && is_placeholder_word(f) {
            words.push(Placeholder {
                text: text.clone(),
                byte_range: start..start + text.len(),
            });
            Field::Deploy(text)
        } else if f.contains(MARK) {
            Field::Deploy(text)
        } else {
            Field::Known(text)
        }
    };
    let mut partly = PartlyArn {
        text: s.into(),
        partition: field(partition, true),
        service: field(service, false),
        region: field(region, true),
        account: field(account, true),
        resource: field(resource, false),
        role_name: None,
        placeholders: Vec::new(),
    };
    words.extend(found.iter().cloned());
    words.sort_by_key(|p| p.byte_range.start);
    partly.placeholders = words;
    let Some(service) = partly.service.known() else {
        return Ok(TemplatedArn::Partly(partly));
    };
    let region_stand_in = if matches!(service, "iam" | "sts") {
        ""
    } else {
        "us-east-1"
    };
    let stand_in = format!(
        "arn:{}:{service}:{}:{}:{}",
        stand_in_for(&partly.partition, "aws"),
        stand_in_for(&partly.region, region_stand_in),
        stand_in_for(&partly.account, UNKNOWN_ACCOUNT),
        resource.replace(MARK, "x"),
    );
    let arn = parse(&stand_in).map_err(|e| e.with_arn(s))?;
    if let ArnKind::Role { name, .. } = &arn.kind {
        partly.role_name = Some(role_name(&masked, resource, name, &found));
    }
    Ok(TemplatedArn::Partly(partly))
}

/// The role's name: known, or as written when a placeholder is in it.
fn role_name(masked: &str, resource: &str, parsed: &str, found: &[Placeholder]) -> Field {
    let written = resource.rsplit('/').next().unwrap_or(resource);
    if !written.contains(MARK) {
        return Field::Known(parsed.to_string());
    }
    let before = masked[..masked.len() - written.len()].matches(MARK).count();
    let mut texts = found.iter().skip(before).map(|p| p.text.as_str());
    Field::Deploy(unmask(written, &mut texts))
}

fn stand_in_for<'a>(field: &'a Field, stand_in: &'a str) -> &'a str {
    field.known().unwrap_or(stand_in)
}

fn missing_colon(s: &str) -> ArnError {
    ArnError::MissingColon {
        arn: s.into(),
        found: s.split(':').count(),
    }
}

/// `s` with each placeholder replaced by one `MARK`.
fn mask(s: &str, found: &[Placeholder]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    for p in found {
        out.push_str(&s[at..p.byte_range.start]);
        out.push(MARK);
        at = p.byte_range.end;
    }
    out.push_str(&s[at..]);
    out
}

/// A masked part with its placeholders written back, taken in order from `texts`.
fn unmask<'a>(masked: &str, texts: &mut impl Iterator<Item = &'a str>) -> String {
    let mut out = String::with_capacity(masked.len());
    for c in masked.chars() {
        match c {
            MARK => out.push_str(texts.next().unwrap_or_default()),
            c => out.push(c),
        }
    }
    out
}

/// A bare placeholder word that is a whole partition, region or account field.
pub(super) fn field_word(s: &str) -> Option<Placeholder> {
    let mut start = 0;
    for (i, f) in s.splitn(6, ':').enumerate() {
        if i == 0 && f != "arn" {
            return None;
        }
        if matches!(i, 1 | 3 | 4) && is_placeholder_word(f) {
            return Some(Placeholder {
                text: f.into(),
                byte_range: start..start + f.len(),
            });
        }
        start += f.len() + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::arn::{parse_oidc_provider_arn, parse_role_arn};

    fn role(s: &str) -> Result<TemplatedArn, ArnError> {
        parse_templated(s, parse_role_arn)
    }

    #[test]
    fn known_parts_stay_known() {
        let t = role("arn:aws:iam::${ACCOUNT_ID}:role/app").unwrap();
        assert_eq!(t.role_name(), Some("app"));
        assert_eq!(t.account(), None);
        assert_eq!(t.partition(), Some("aws"));
        assert_eq!(t.deploy_parts(), ["account"]);
        assert_eq!(
            t.placeholder().map(|p| p.text.as_str()),
            Some("${ACCOUNT_ID}")
        );
        let t = role("arn:aws:iam::xxxxxxxxxxxx:role/app").unwrap();
        assert_eq!(t.placeholder().map(|p| p.byte_range.clone()), Some(13..25));
        for s in [
            "arn:aws:iam::<AWS_ACCOUNT_ID>:role/path/app",
            "arn:aws:iam::xxxxxxxxxxxx:role/app",
            "arn:aws:iam::ACCOUNT_ID:role/app",
            "arn:aws:iam::{{ .Values.account | default \"a:b\" }}:role/app",
            "arn:${AWS_PARTITION}:iam::${var:=111122223333}:role/app",
        ] {
            assert_eq!(role(s).unwrap().role_name(), Some("app"), "{s}");
        }
    }

    #[test]
    fn a_templated_role_name_is_symbolic() {
        let t = role("arn:aws:iam::111122223333:role/${CLUSTER}-app").unwrap();
        assert_eq!(t.role_name(), None);
        assert_eq!(t.account(), Some("111122223333"));
        let TemplatedArn::Partly(p) = t else { panic!() };
        assert_eq!(p.role_name, Some(Field::Deploy("${CLUSTER}-app".into())));
        // Lowercase and unremarkable names are names, not placeholders.
        let t = role("arn:aws:iam::111122223333:role/ROLE_NAME").unwrap();
        assert!(matches!(t, TemplatedArn::Known(_)));
    }

    #[test]
    fn wholly_placeholders() {
        for s in [
            "${karpenter_irsa}",
            "IAM_ROLE_ARN",
            "{{ .Values.roleArn }}",
            "${A}${B}",
            "<%= arn %>",
        ] {
            assert!(matches!(role(s), Ok(TemplatedArn::Wholly(_))), "{s}");
        }
    }

    #[test]
    fn known_parts_are_still_checked() {
        let e = role("arn:aws:iam::123:role/${NAME}").unwrap_err();
        assert!(matches!(e, ArnError::BadAccount { .. }), "{e:?}");
        assert!(
            e.to_string().contains("arn:aws:iam::123:role/${NAME}"),
            "{e}"
        );
        let e = role("arn:aws:s3::${ACCOUNT_ID}:bucket").unwrap_err();
        assert!(matches!(e, ArnError::WrongService { .. }), "{e:?}");
        let e = role("arn:aws:iam:${ACCOUNT_ID}:role/x").unwrap_err();
        assert!(
            e.to_string().contains("arn:aws:iam:${ACCOUNT_ID}:role/x"),
            "{e}"
        );
        assert!(matches!(
            role("arn:aws:iam::123:role/app"),
            Err(ArnError::BadAccount { .. })
        ));
        let p = "arn:aws:iam::${ACCOUNT_ID}:oidc-provider/oidc.eks.${AWS_REGION}.amazonaws.com/id/${OIDC_ID}";
        assert!(matches!(
            parse_templated(p, parse_oidc_provider_arn),
            Ok(TemplatedArn::Partly(_))
        ));
    }
}
