//! Template placeholders left in values: `<AWS_ACCOUNT_ID>`, `${VAR}`, `{{ .Values.x }}`, `XXXXXXXXXXXX`...

use std::ops::Range;

/// A placeholder found in a string, with its byte range in that string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub text: String,
    pub byte_range: Range<usize>,
}

/// Bare words that are placeholders when they are a whole token (case-sensitive).
const UPPER_WORDS: &[&str] = &[
    "AWS_ACCOUNT_ID",
    "ACCOUNT_ID",
    "ACCOUNTID",
    "AWS_ACCOUNT",
    "ACCOUNT",
    "AWS_REGION",
    "REGION",
    "CLUSTER_NAME",
    "CLUSTER",
    "OIDC_PROVIDER",
    "OIDC_PROVIDER_ID",
    "OIDC_ID",
    "ROLE_NAME",
    "YOUR_ACCOUNT_ID",
    "REPLACE_ME",
    "CHANGE_ME",
    "CHANGEME",
];

/// Multi-word names that are placeholders in any case, with `_` between words.
const ANY_CASE_WORDS: &[&str] = &[
    "aws_account_id",
    "account_id",
    "your_account_id",
    "aws_region",
    "cluster_name",
    "oidc_provider",
    "replace_me",
];

/// The same with `-` (`aws-account-id`); `oidc-provider` is a real resource type, so it is not here.
const HYPHEN_WORDS: &[&str] = &["aws-account-id", "account-id", "your-account-id"];

/// IAM policy variables (`${aws:username}`, `${*}`) are not placeholders.
pub fn is_policy_variable(inner: &str) -> bool {
    if matches!(inner, "*" | "?" | "$") {
        return true;
    }
    match inner.split_once(':') {
        Some((prefix, rest)) => {
            !prefix.is_empty() && !rest.starts_with(['-', '=', '?', '+']) && !rest.is_empty()
        }
        None => false,
    }
}

/// The first placeholder in `s`, if any. `123456789012` is a valid-looking account and is not flagged.
pub fn find_placeholder(s: &str) -> Option<Placeholder> {
    let candidates = [delimited(s), dollar_var(s), word_token(s), hyphen_token(s)];
    let range = candidates
        .into_iter()
        .flatten()
        .min_by_key(|r| (r.start, usize::MAX - r.end))?;
    Some(Placeholder {
        text: s.get(range.clone())?.to_string(),
        byte_range: range,
    })
}

/// The placeholder that is the whole of `s` (surrounding blanks aside): `${user_values}`,
/// `{{ .Values.x }}`, `<VALUES>`, `$VAR`; a bare word or a `{…}` (a YAML flow mapping) is not.
pub fn whole_placeholder(s: &str) -> Option<Placeholder> {
    let trimmed = s.trim();
    let found = find_placeholder(trimmed)?;
    let whole = found.byte_range == (0..trimmed.len());
    let delimited = ["${", "{{", "<", "$"]
        .iter()
        .any(|open| found.text.starts_with(open));
    (whole && delimited).then_some(found)
}

/// `{{ ... }}`, `${...}`, `<...>`, `{...}`.
fn delimited(s: &str) -> Option<Range<usize>> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"{{") {
            let end = find_from(s, i + 2, "}}").map_or(s.len(), |e| e + 2);
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

/// Maximal runs of bytes satisfying `pred`, with their ranges.
fn tokens(s: &str, pred: fn(u8) -> bool) -> impl Iterator<Item = Range<usize>> + '_ {
    let b = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && !pred(b[i]) {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let start = i;
        while i < b.len() && pred(b[i]) {
            i += 1;
        }
        Some(start..i)
    })
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn is_any_case_word(t: &str) -> bool {
    ANY_CASE_WORDS.iter().any(|w| w.eq_ignore_ascii_case(t))
}

/// Whole words: `AWS_ACCOUNT_ID`, `REGION`, `xxxxxxxxxxxx`.
fn word_token(s: &str) -> Option<Range<usize>> {
    tokens(s, is_word_byte).find(|r| {
        let t = &s[r.clone()];
        UPPER_WORDS.contains(&t)
            || is_any_case_word(t)
            || (t.len() >= 4 && t.bytes().all(|c| c == b'x' || c == b'X'))
    })
}

/// Hyphenated forms: `aws-account-id`, `ACCOUNT-ID`.
fn hyphen_token(s: &str) -> Option<Range<usize>> {
    tokens(s, |c| is_word_byte(c) || c == b'-').find(|r| {
        HYPHEN_WORDS
            .iter()
            .any(|w| w.eq_ignore_ascii_case(&s[r.clone()]))
    })
}
