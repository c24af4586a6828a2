//! IAM wildcard matching: `*` matches any sequence (colons included), `?` exactly one character.
//!
//! Iterative with single-star backtracking: O(pattern × text) at worst, never exponential.

/// Does `pattern` match all of `text`? Case-sensitive (IAM `StringLike`).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    matches(pattern, text, false)
}

/// Case-insensitive variant (IAM action names).
pub fn glob_match_ignore_case(pattern: &str, text: &str) -> bool {
    matches(pattern, text, true)
}

/// Does the string contain a wildcard character?
pub fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

fn matches(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let fold = |c: char| -> char {
        if ignore_case {
            c.to_lowercase().next().unwrap_or(c)
        } else {
            c
        }
    };
    let p: Vec<char> = pattern.chars().map(fold).collect();
    let t: Vec<char> = text.chars().map(fold).collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    // Position of the last `*` seen, and the text position it is currently matched up to.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_and_wildcards() {
        assert!(glob_match("abc", "abc"));
        assert!(!glob_match("abc", "abd"));
        assert!(glob_match("a*c", "abbbc"));
        assert!(glob_match("a*c", "ac"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("?", ""));
        assert!(glob_match("", ""));
        assert!(!glob_match("", "a"));
    }

    #[test]
    fn star_crosses_colons() {
        assert!(glob_match(
            "system:serviceaccount:*",
            "system:serviceaccount:edp:edp-kaniko"
        ));
        assert!(glob_match(
            "system:serviceaccount:*:kaniko",
            "system:serviceaccount:a:b:kaniko"
        ));
        assert!(!glob_match(
            "system:serviceaccount:edp:*",
            "system:serviceaccount:ci:x"
        ));
    }

    #[test]
    fn case_handling() {
        assert!(!glob_match("STS:*", "sts:AssumeRole"));
        assert!(glob_match_ignore_case("STS:assume*", "sts:AssumeRole"));
    }

    #[test]
    fn pathological_pattern_is_fast() {
        let text = "a".repeat(5000);
        let pattern = format!("{}b", "*a".repeat(200));
        assert!(!glob_match(&pattern, &text));
    }

    #[test]
    fn unicode_text() {
        assert!(glob_match("é*ü", "éxyzü"));
        assert!(glob_match("?", "ü"));
    }
}
