//! EKS Pod Identity associations as facts: eksctl `iam.podIdentityAssociations[]` and
//! `addons[].podIdentityAssociations[]`, and the ACK `PodIdentityAssociation` CR. Terraform and
//! CloudFormation front-ends lower theirs to the ACK CR shape, so `classify_ack` reads them all.

use std::sync::Arc;

use crate::facts::{AssociationOrigin, Classified, ExpectedArn, Object, PodIdentityAssociation};
use crate::frontends::manifest::{push_arn, seq_at};
use crate::syntax::source::SourceFile;
use crate::syntax::yaml::Node;

/// `spec: {clusterName, namespace, serviceAccount, roleARN, disableSessionTags}`.
pub fn classify_ack(file: &Arc<SourceFile>, root: &Node, object: &Object, out: &mut Classified) {
    let Some(spec) = root.get("spec") else {
        return;
    };
    if let Some(arn) = spec.get("roleARN") {
        push_arn(file, arn, "spec.roleARN", ExpectedArn::Role, object, out);
    }
    out.pod_identity_associations.push(PodIdentityAssociation {
        file: file.clone(),
        origin: AssociationOrigin::Ack,
        span: spec.span,
        object: object.object_ref(),
        cluster_name: spec.get("clusterName").cloned(),
        region: None,
        namespace: spec.get("namespace").cloned(),
        service_account: spec.get("serviceAccount").cloned(),
        role_arn: spec.get("roleARN").cloned(),
        disable_session_tags: spec
            .get("disableSessionTags")
            .and_then(Node::as_bool)
            .unwrap_or(false),
        creates_service_account: false,
        cluster_scope: None,
    });
}

/// The associations of an eksctl ClusterConfig (cluster name and region from `metadata`).
pub fn classify_eksctl(file: &Arc<SourceFile>, root: &Node, object: &Object, out: &mut Classified) {
    let cluster = root.path(&["metadata", "name"]).cloned();
    let region = root.str_at(&["metadata", "region"]).map(str::to_string);
    let iam = seq_at(root, &["iam", "podIdentityAssociations"])
        .iter()
        .map(|a| (a, AssociationOrigin::Eksctl, "iam.podIdentityAssociations"));
    let addons = seq_at(root, &["addons"]).iter().flat_map(|addon| {
        seq_at(addon, &["podIdentityAssociations"]).iter().map(|a| {
            (
                a,
                AssociationOrigin::EksctlAddon,
                "addons.podIdentityAssociations",
            )
        })
    });
    for (assoc, origin, purpose) in iam.chain(addons) {
        if assoc.as_map().is_none() {
            continue;
        }
        if let Some(arn) = assoc.get("roleARN") {
            push_arn(
                file,
                arn,
                &format!("{purpose}.roleARN"),
                ExpectedArn::Role,
                object,
                out,
            );
        }
        let creates = origin == AssociationOrigin::EksctlAddon
            || assoc
                .get("createServiceAccount")
                .and_then(Node::as_bool)
                .unwrap_or(false);
        out.pod_identity_associations.push(PodIdentityAssociation {
            file: file.clone(),
            origin,
            span: assoc.span,
            object: object.object_ref(),
            cluster_name: cluster.clone(),
            region: region.clone(),
            namespace: assoc.get("namespace").cloned(),
            service_account: assoc.get("serviceAccountName").cloned(),
            role_arn: assoc.get("roleARN").cloned(),
            disable_session_tags: false,
            creates_service_account: creates,
            cluster_scope: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontends::manifest::classify;
    use crate::syntax::yaml::parse;

    fn read(text: &str) -> Classified {
        let file = Arc::new(SourceFile::new("t.yaml", "t.yaml", text.to_string()));
        let mut out = Classified::default();
        classify(&file, &parse(&file.text), &mut out);
        out
    }

    #[test]
    fn ack_fields_carry_their_spans() {
        let text = "apiVersion: eks.services.k8s.aws/v1alpha1\nkind: PodIdentityAssociation\nmetadata: {name: a}\nspec:\n  clusterName: prod\n  namespace: web\n  serviceAccount: app\n  roleARN: arn:aws:iam::111122223333:role/app\n  disableSessionTags: true\n";
        let c = read(text);
        let a = &c.pod_identity_associations[0];
        assert_eq!(a.cluster(), Some("prod"));
        assert_eq!(a.namespace_name(), Some("web"));
        assert_eq!(a.service_account_name(), Some("app"));
        assert!(a.disable_session_tags);
        assert_eq!(a.location_of(&a.service_account).line, 7);
        assert_eq!(c.arn_values.len(), 1);
    }

    #[test]
    fn eksctl_iam_and_addon_associations() {
        let text = "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: prod, region: eu-west-1}\niam:\n  podIdentityAssociations:\n    - namespace: web\n      serviceAccountName: app\n      roleARN: arn:aws:iam::111122223333:role/app\n    - just-a-string\naddons:\n  - name: vpc-cni\n    podIdentityAssociations:\n      - serviceAccountName: aws-node\n        namespace: kube-system\n        roleARN: arn:aws:iam::111122223333:role/cni\n";
        let c = read(text);
        let got: Vec<_> = c
            .pod_identity_associations
            .iter()
            .map(|a| {
                (
                    a.origin,
                    a.service_account_name(),
                    a.creates_service_account,
                    a.region.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    AssociationOrigin::Eksctl,
                    Some("app"),
                    false,
                    Some("eu-west-1")
                ),
                (
                    AssociationOrigin::EksctlAddon,
                    Some("aws-node"),
                    true,
                    Some("eu-west-1")
                ),
            ]
        );
        assert_eq!(c.arn_values.len(), 2);
    }
}
