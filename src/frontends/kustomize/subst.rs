//! Flux `postBuild.substitute` (envsubst) over a build's output: `${VAR}`, `${VAR:=default}`,
//! `${VAR:-default}`; `$${VAR}` is an escaped literal. Unknown variables are left as written.

use std::collections::BTreeMap;

/// Substitute known variables; returns the text and the variables left unresolved.
pub fn substitute(text: &str, vars: &BTreeMap<String, String>) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut unresolved = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        let escaped = rest[..i].ends_with('$');
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[i..]);
            return (out, unresolved);
        };
        let inner = &after[..end];
        let (name, default) = match inner.find(":=").or_else(|| inner.find(":-")) {
            Some(j) => (&inner[..j], Some(&inner[j + 2..])),
            None => (inner, None),
        };
        if escaped || !is_name(name) {
            if escaped {
                out.pop();
            }
            out.push_str(&rest[i..i + 3 + end]);
        } else if let Some(v) = vars.get(name).map(String::as_str).or(default) {
            out.push_str(v);
        } else {
            out.push_str(&rest[i..i + 3 + end]);
            if !unresolved.iter().any(|u| u == name) {
                unresolved.push(name.to_string());
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    (out, unresolved)
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_default_escaped_and_unknown() {
        let vars = BTreeMap::from([("ROLE".to_string(), "arn:aws:iam::1:role/r".to_string())]);
        let (text, left) = substitute(
            "a: ${ROLE}\nb: ${NS:=prod}\nc: $${ROLE}\nd: ${MISSING}\ne: ${ROLE",
            &vars,
        );
        assert_eq!(
            text,
            "a: arn:aws:iam::1:role/r\nb: prod\nc: ${ROLE}\nd: ${MISSING}\ne: ${ROLE"
        );
        assert_eq!(left, ["MISSING"]);
    }
}
