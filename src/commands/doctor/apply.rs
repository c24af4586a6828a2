//! `doctor --apply-reports`: write the run's OpenReports objects to the cluster by server-side
//! apply. The one write doctor makes, and only to `reports` and `clusterreports` of
//! `openreports.io`: each object has a fixed name (`kubectl-irsa`), so the next run replaces it in
//! place. Needs the chart's extra RBAC (create/patch on those resources, `reports.enabled`).

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams};

use crate::report::openreports::{reports, Api as ReportApi, SOURCE};
use crate::report::Report;

/// Apply every report object of `report`; the first failure, said for a human.
pub async fn apply_reports(client: &kube::Client, report: &Report) -> Result<usize, String> {
    let params = PatchParams::apply(SOURCE).force();
    let docs = reports(report, ReportApi::OpenReports);
    for doc in &docs {
        let kind = doc["kind"].as_str().unwrap_or_default();
        let name = doc["metadata"]["name"].as_str().unwrap_or_default();
        let namespace = doc["metadata"]["namespace"].as_str();
        let resource =
            ApiResource::from_gvk(&GroupVersionKind::gvk("openreports.io", "v1alpha1", kind));
        let api: Api<DynamicObject> = match namespace {
            Some(ns) => Api::namespaced_with(client.clone(), ns, &resource),
            None => Api::all_with(client.clone(), &resource),
        };
        api.patch(name, &params, &Patch::Apply(doc))
            .await
            .map_err(|e| {
                let place = namespace.map(|ns| format!(" in namespace {ns}")).unwrap_or_default();
                format!("cannot apply {kind} {name}{place}: {e}; is the OpenReports CRD installed, and may doctor patch reports.openreports.io (the chart's reports.enabled)?")
            })?;
    }
    Ok(docs.len())
}
