//! Values filled in at deploy time: the one placeholder model of every format and rule.
//!
//! Template syntax counts wherever it is in a value: Flux and envsubst `${VAR}` and
//! `${VAR:=default}`, shell `$VAR`, Helm/Go/helmfile and cookiecutter `{{ … }}`, Backstage
//! `${{ values.x }}`, Jinja `{% … %}`, ERB `<%= … %>`, `<AWS_ACCOUNT_ID>`, `{TENANT_ID}`.
//! A bare word (`ACCOUNT_ID`, `IAM_ROLE_ARN`, `xxxxxxxxxxxx`) counts only when it is the whole
//! value or a whole field (`is_placeholder_word`), so real names are never taken for one.

use std::ops::Range;

/// A placeholder found in a string, with its byte range in that string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub text: String,
    pub byte_range: Range<usize>,
}

/// How much of a value is known before deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filled {
    /// No placeholder: the value is what is deployed.
    Known,
    /// Some parts are placeholders (in order); the rest is known and is checked.
    Partly(Vec<Placeholder>),
    /// The whole value is set at deploy time.
    Wholly(Placeholder),
}

/// Words that make an UPPER_SNAKE token a placeholder (`ACCOUNT_ID`, `IAM_ROLE_ARN`, `YOUR_ACCOUNT`).
const TELLING_WORDS: &[&str] = &[
    "ACCOUNT",
    "ACCOUNTID",
    "ROLE",
    "ARN",
    "REGION",
    "CLUSTER",
    "YOUR",
    "OIDC",
    "PARTITION",
];

/// Word prefixes that say the same (`REPLACE_ME`, `CHANGEME`).
const TELLING_PREFIXES: &[&str] = &["REPLACE", "CHANGE"];

/// Lowercase or hyphenated forms that are placeholders in any case (`aws-account-id`).
const ANY_CASE_WORDS: &[&str] = &[
    "aws_account_id",
    "account_id",
    "your_account_id",
    "aws_region",
    "cluster_name",
    "replace_me",
    "aws-account-id",
    "account-id",
    "your-account-id",
];

/// How much of `s` is set at deploy time.
pub fn filled(s: &str) -> Filled {
    if is_placeholder_word(s) {
        return Filled::Wholly(whole(s));
    }
    let found = template_placeholders(s);
    match found.as_slice() {
        [] => Filled::Known,
        [one] if one.byte_range == (0..s.len()) => Filled::Wholly(one.clone()),
        _ => Filled::Partly(found),
    }
}

fn whole(s: &str) -> Placeholder {
    Placeholder {
        text: s.to_string(),
        byte_range: 0..s.len(),
    }
}

/// Is this whole value (or whole field) a bare placeholder word? `ACCOUNT_ID`, `IAM_ROLE_ARN`,
/// `YOUR_ACCOUNT`, `REPLACE_ME`, `xxxxxxxxxxxx`, `aws-account-id`; never `app` or `MY_APP`.
pub fn is_placeholder_word(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() >= 4 && b.iter().all(|c| matches!(c, b'x' | b'X')) {
        return true;
    }
    if ANY_CASE_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)) {
        return true;
    }
    let upper_snake = b.first().is_some_and(u8::is_ascii_uppercase)
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_');
    upper_snake
        && s.split('_').any(|w| {
            TELLING_WORDS.contains(&w) || TELLING_PREFIXES.iter().any(|p| w.starts_with(p))
        })
}

/// IAM policy variables (`${aws:username}`, `${*}`) are not placeholders; a CloudFormation
/// pseudo parameter left unresolved (`${AWS::AccountId}`, `::` after the prefix) is one.
pub fn is_policy_variable(inner: &str) -> bool {
    if matches!(inner, "*" | "?" | "$") {
        return true;
    }
    match inner.split_once(':') {
        Some((prefix, rest)) => {
            !prefix.is_empty() && !rest.starts_with(['-', '=', '?', '+', ':']) && !rest.is_empty()
        }
        None => false,
    }
}

/// The first placeholder in `s`: template syntax anywhere, or the whole value as a bare word.
/// `123456789012` is a valid-looking account and is not flagged.
pub fn find_placeholder(s: &str) -> Option<Placeholder> {
    match filled(s) {
        Filled::Known => None,
        Filled::Wholly(p) => Some(p),
        Filled::Partly(found) => found.into_iter().next(),
    }
}

/// Every template placeholder in `s`, in order and without overlap (bare words are not here).
pub fn template_placeholders(s: &str) -> Vec<Placeholder> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(range) = next_placeholder(s, from) {
        from = range.end.max(range.start + 1);
        if let Some(text) = s.get(range.clone()) {
            out.push(Placeholder {
                text: text.to_string(),
                byte_range: range,
            });
        }
    }
    out
}

fn next_placeholder(s: &str, from: usize) -> Option<Range<usize>> {
    let rest = s.get(from..)?;
    let shift = |r: Range<usize>| r.start + from..r.end + from;
    [delimited(rest), dollar_var(rest)]
        .into_iter()
        .flatten()
        .min_by_key(|r| (r.start, usize::MAX - r.end))
        .map(shift)
}

/// Openers whose closer is fixed: Backstage, Helm/Go/cookiecutter, Jinja, ERB.
const PAIRS: &[(&str, &str)] = &[("${{", "}}"), ("{{", "}}"), ("{%", "%}"), ("<%", "%>")];

/// The placeholder that is the whole of `s` (surrounding blanks aside): `${user_values}`,
/// `{{ .Values.x }}`, `<VALUES>`, `$VAR`; a bare word or a `{…}` (a YAML flow mapping) is not.
pub fn whole_placeholder(s: &str) -> Option<Placeholder> {
    match filled(s.trim()) {
        Filled::Wholly(found)
            if ["${", "{{", "<", "$"]
                .iter()
                .any(|open| found.text.starts_with(open)) =>
        {
            Some(found)
        }
        _ => None,
    }
}

/// `${{ … }}`, `{{ … }}`, `{% … %}`, `<% … %>`, `${…}`, `<…>`, `{…}`.
fn delimited(s: &str) -> Option<Range<usize>> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if let Some((open, close)) = PAIRS.iter().find(|(o, _)| b[i..].starts_with(o.as_bytes())) {
            let end = find_from(s, i + open.len(), close).map_or(s.len(), |e| e + close.len());
            return Some(i..end);
        }
        if b[i..].starts_with(b"${") {
            match find_from(s, i + 2, "}") {
                Some(e) if is_policy_variable(&s[i + 2..e]) => {
                    i = e + 1;
                    continue;
                }
                Some(e) => return Some(i..e + 1),
                None => return Some(i..s.len()),
            }
        }
        if b[i] == b'<' || b[i] == b'{' {
            let close = if b[i] == b'<' { ">" } else { "}" };
            if let Some(e) = find_from(s, i + 1, close) {
                let inner = &s[i + 1..e];
                if !inner.is_empty() && !inner.contains(['<', '{']) {
                    return Some(i..e + 1);
                }
            }
        }
        i += 1;
    }
    None
}

fn find_from(s: &str, from: usize, needle: &str) -> Option<usize> {
    s.get(from..)?.find(needle).map(|e| e + from)
}

/// `$VAR` (shell or envsubst style).
fn dollar_var(s: &str) -> Option<Range<usize>> {
    let b = s.as_bytes();
    (0..b.len()).find_map(|i| {
        if b[i] != b'$'
            || !b
                .get(i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        {
            return None;
        }
        let len = b[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count();
        Some(i..i + 1 + len)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        template_placeholders(s)
            .into_iter()
            .map(|p| p.text)
            .collect()
    }

    #[test]
    fn every_template_syntax_is_a_placeholder() {
        for (s, text) in [
            ("${var}", "${var}"),
            ("${var:=default}", "${var:=default}"),
            ("${{ values.roleArn }}", "${{ values.roleArn }}"),
            ("{{cookiecutter.role}}", "{{cookiecutter.role}}"),
            ("{{ .Values.role | quote }}", "{{ .Values.role | quote }}"),
            ("{% if x %}", "{% if x %}"),
            ("<%= role_arn %>", "<%= role_arn %>"),
            ("<AWS_ACCOUNT_ID>", "<AWS_ACCOUNT_ID>"),
            ("{TENANT_ID}", "{TENANT_ID}"),
            ("$ROLE", "$ROLE"),
        ] {
            assert_eq!(filled(s), Filled::Wholly(whole(text)), "{s}");
        }
    }

    #[test]
    fn partly_keeps_every_placeholder_in_order() {
        assert_eq!(
            texts("arn:aws:iam::${ACCOUNT_ID}:role/{{ .Values.name }}"),
            ["${ACCOUNT_ID}", "{{ .Values.name }}"]
        );
        assert!(matches!(filled("a-${VAR:-x}"), Filled::Partly(_)));
        assert_eq!(
            filled("arn:aws:iam::123456789012:role/${aws:username}"),
            Filled::Known
        );
        // A CloudFormation pseudo parameter left unresolved is a deploy-time value.
        assert_eq!(
            texts("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/app"),
            ["${AWS::Partition}", "${AWS::AccountId}"]
        );
    }

    #[test]
    fn bare_words_only_whole_and_telling() {
        for word in [
            "IAM_ROLE_ARN",
            "ACCOUNT_ID",
            "YOUR_ACCOUNT",
            "REGION",
            "CHANGEME",
            "REPLACE_ME",
            "xxxxxxxxxxxx",
            "XXXXXXXXXXXX",
            "aws-account-id",
        ] {
            assert!(is_placeholder_word(word), "{word}");
            assert!(matches!(filled(word), Filled::Wholly(_)), "{word}");
        }
        for real in [
            "app",
            "role_arn",
            "my-account-reader",
            "MY_APP",
            "xxx",
            "CLUSTER_NAME-irsa",
        ] {
            assert!(!is_placeholder_word(real), "{real}");
            assert_eq!(filled(real), Filled::Known, "{real}");
        }
    }
}
