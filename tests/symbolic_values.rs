//! Values only a deploy knows stay symbolic, per value: a Terraform role known by its address is
//! never checked as a literal name or account and is shown as its address; CloudFormation
//! intrinsics and unknown Terraform values are unknown, not literals.

#[path = "support/lint_json.rs"]
mod lint_json;

use lint_json::lint_document as lint;

fn findings<'a>(json: &'a serde_json::Value, code: &str) -> Vec<&'a serde_json::Value> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

/// A role whose name is computed gets a stand-in named by its address (73 characters here):
/// no IRSA001 on its length or account, messages name `aws_iam_role.…`, and it still pairs
/// (IRSA067/IRSA068 on the service account and associations that reference it).
#[test]
fn stand_in_role_is_symbolic_and_shown_as_its_address() {
    let (_, json) = lint(&["testdata/terraform/stand-in/one-root"]);
    assert!(findings(&json, "IRSA001").is_empty(), "{json:#}");
    let address = "aws_iam_role.metrics_exporter_for_the_reporting_warehouse_in_every_region";
    for code in ["IRSA067", "IRSA068"] {
        let hits = findings(&json, code);
        assert_eq!(hits.len(), 1, "{code}: {json:#}");
        let message = hits[0]["message"].as_str().unwrap();
        assert!(message.contains(&format!("role `{address}`")), "{message}");
        assert!(!message.contains("000000000000"), "{message}");
    }
}

/// Two Terraform roots whose association clusters are both `var.cluster_name` are not known to
/// be one cluster: no duplicate association.
#[test]
fn unknown_clusters_of_two_roots_are_not_one_cluster() {
    let (exit, json) = lint(&["testdata/terraform/stand-in/two-roots"]);
    assert!(findings(&json, "IRSA068").is_empty(), "{json:#}");
    assert_eq!(exit, 0, "{json:#}");
}

/// `try(data.aws_service_principal.ec2.name, "")` is the data source's name, known at apply time:
/// not the fallback `""` (which IRSA026 read as "`` is not a service principal").
#[test]
fn try_of_an_apply_time_attribute_is_unknown_not_its_fallback() {
    let (exit, json) = lint(&["testdata/terraform/unknown-service"]);
    assert!(findings(&json, "IRSA026").is_empty(), "{json:#}");
    assert_eq!(exit, 0, "{json:#}");
}
