//! Helm charts' name helpers, as `helm create` writes them and charts vary them:
//!
//! ```text
//! fullname = fullnameOverride | trunc 63 | trimSuffix "-"                      if set
//!          = release | trunc 63 | trimSuffix "-"                               if release ~ name
//!          = printf "%s-%s" release name | trunc 63 | trimSuffix "-"           otherwise
//! name     = default <base> nameOverride     (base: usually .Chart.Name)
//! ```
//! where `release ~ name` is `contains name release` in most charts and `eq` in some
//! (cluster-autoscaler).

/// How a chart compares the release name with its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseCheck {
    /// `contains $name .Release.Name`: the release name alone when it contains the name.
    Contains,
    /// `eq $name .Release.Name`.
    Equals,
    /// Always `<release>-<name>`.
    Never,
}

impl ReleaseCheck {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "contains" => Some(ReleaseCheck::Contains),
            "equals" => Some(ReleaseCheck::Equals),
            "never" => Some(ReleaseCheck::Never),
            _ => None,
        }
    }
}

/// helm's `trunc 63 | trimSuffix "-"` (trunc counts bytes; trimSuffix removes one `-`).
pub fn trunc63(s: &str) -> String {
    trunc(s, 63)
}

/// `trunc n | trimSuffix "-"`.
pub fn trunc(s: &str, n: usize) -> String {
    let mut end = s.len().min(n);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let t = &s[..end];
    t.strip_suffix('-').unwrap_or(t).to_string()
}

/// The chart's fullname for `release`; `name` is already `default <base> nameOverride`.
pub fn fullname(
    release: &str,
    name: &str,
    fullname_override: Option<&str>,
    check: ReleaseCheck,
) -> String {
    if let Some(o) = fullname_override.filter(|o| !o.is_empty()) {
        return trunc63(o);
    }
    let alone = match check {
        ReleaseCheck::Contains => release.contains(name),
        ReleaseCheck::Equals => release == name,
        ReleaseCheck::Never => false,
    };
    if alone {
        trunc63(release)
    } else {
        trunc63(&format!("{release}-{name}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_create_fullname() {
        let c = ReleaseCheck::Contains;
        assert_eq!(
            fullname("external-dns", "external-dns", None, c),
            "external-dns"
        );
        assert_eq!(
            fullname("my-external-dns-1", "external-dns", None, c),
            "my-external-dns-1"
        );
        assert_eq!(fullname("dns", "external-dns", None, c), "dns-external-dns");
        assert_eq!(fullname("dns", "external-dns", Some("x-"), c), "x");
        assert_eq!(
            fullname("dns", "external-dns", Some(""), c),
            "dns-external-dns"
        );
        assert_eq!(
            fullname("ca", "aws-cluster-autoscaler", None, ReleaseCheck::Equals),
            "ca-aws-cluster-autoscaler"
        );
        assert_eq!(
            fullname(
                "my-aws-cluster-autoscaler",
                "aws-cluster-autoscaler",
                None,
                ReleaseCheck::Equals
            ),
            "my-aws-cluster-autoscaler-aws-cluster-autoscaler"
        );
    }

    #[test]
    fn truncation_then_trailing_dash() {
        let long = format!("{}-abc", "a".repeat(62));
        assert_eq!(trunc63(&long), "a".repeat(62));
        assert_eq!(trunc63("é".repeat(40).as_str()).len(), 62);
    }
}
