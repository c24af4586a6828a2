//! Service accounts that operators create themselves, from the objects that configure them.
//! The list of such creators, with where each is documented, is data: `accounts.yaml`.

pub mod crossplane;

use crate::syntax::yaml;

/// One creator of service accounts (an entry of `accounts.yaml`).
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorAccount {
    pub creator: String,
    pub name: String,
    pub namespace: String,
    /// The chart that installs the operator, when one does.
    pub chart: Option<String>,
    pub source: String,
}

/// The list in `accounts.yaml`.
pub fn accounts() -> Vec<OperatorAccount> {
    let stream = yaml::parse(include_str!("accounts.yaml"));
    let Some(doc) = stream.documents.into_iter().next() else {
        return Vec::new();
    };
    doc.root
        .as_seq()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            let text = |k: &str| e.str_at(&[k]).map(str::to_string);
            Some(OperatorAccount {
                creator: text("creator")?,
                name: text("name")?,
                namespace: text("namespace")?,
                chart: text("chart"),
                source: text("source")?,
            })
        })
        .collect()
}

/// The entry of the creator whose name starts with `creator`.
pub fn account_of(creator: &str) -> Option<OperatorAccount> {
    accounts()
        .into_iter()
        .find(|a| a.creator.starts_with(creator))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_entry_is_read_and_has_a_source() {
        let text = include_str!("accounts.yaml");
        let entries = text.lines().filter(|l| l.starts_with("- creator:")).count();
        let read = super::accounts();
        assert_eq!(read.len(), entries);
        assert!(read.iter().all(|a| a.source.starts_with("https://")));
        let crossplane = super::account_of("Crossplane").expect("crossplane entry");
        assert_eq!(crossplane.namespace, "crossplane-system");
        assert_eq!(crossplane.chart.as_deref(), Some("crossplane"));
    }
}
