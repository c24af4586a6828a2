//! Tests of the shared test support code itself (tests/support/).

mod support;

#[path = "support_selftest/iam.rs"]
mod iam;

use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::{Api, ListParams};
use support::objects;
use support::{FakeCluster, KubeconfigOptions};

const ARN: &str = "arn:aws:iam::123456789012:role/edp-app";

fn five_sas() -> FakeCluster {
    FakeCluster::new()
        .issuer("https://oidc.eks.us-east-1.amazonaws.com/id/ABC")
        .namespace("empty")
        .service_account(objects::annotated_service_account("edp", "app", ARN))
        .service_account(objects::service_account("edp", "default"))
        .service_account(objects::service_account("kube-system", "default"))
        .service_account(objects::annotated_service_account(
            "kube-system",
            "aws-node",
            ARN,
        ))
        .service_account(objects::service_account("monitoring", "prometheus"))
}

#[tokio::test]
async fn lists_service_accounts_across_namespaces_with_paging() {
    let server = five_sas().start();
    let client = server.client().await;
    let api: Api<ServiceAccount> = Api::all(client);
    let mut names = Vec::new();
    let mut lp = ListParams::default().limit(2);
    let mut pages = 0;
    loop {
        let page = api.list(&lp).await.expect("list service accounts");
        pages += 1;
        assert!(page.items.len() <= 2);
        names.extend(page.items.iter().map(|sa| {
            format!(
                "{}/{}",
                sa.metadata.namespace.as_deref().unwrap(),
                sa.metadata.name.as_deref().unwrap()
            )
        }));
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => lp = lp.continue_token(&token),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        names,
        [
            "edp/app",
            "edp/default",
            "kube-system/aws-node",
            "kube-system/default",
            "monitoring/prometheus"
        ]
    );
    let lines = server.request_lines();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(
        lines[0].starts_with("GET /api/v1/serviceaccounts?"),
        "{lines:#?}"
    );
    assert!(lines[1].contains("continue="), "{lines:#?}");
    server.assert_only_gets();
}

#[tokio::test]
async fn injected_403_is_a_status_error() {
    let server = five_sas().start();
    server.fail("/api/v1/serviceaccounts", 403);
    let api: Api<ServiceAccount> = Api::all(server.client().await);
    let err = api
        .list(&ListParams::default())
        .await
        .expect_err("403 expected");
    match err {
        kube::Error::Api(s) => {
            assert_eq!(s.code, 403);
            assert_eq!(s.reason, "Forbidden");
        }
        other => panic!("expected an API status error, got {other:?}"),
    }
}

#[tokio::test]
async fn expired_token_gets_401() {
    let server = five_sas().start();
    let client = server
        .kubeconfig_with(&KubeconfigOptions::expired())
        .client()
        .await;
    let api: Api<ServiceAccount> = Api::namespaced(client, "edp");
    match api.get("app").await.expect_err("401 expected") {
        kube::Error::Api(s) => assert_eq!(s.code, 401),
        other => panic!("expected an API status error, got {other:?}"),
    }
}

#[tokio::test]
async fn openid_configuration_through_the_client() {
    let server = five_sas().start();
    let client = server.client().await;
    let req = http::Request::get("/.well-known/openid-configuration")
        .body(Vec::new())
        .unwrap();
    let text = client
        .request_text(req)
        .await
        .expect("GET openid-configuration");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        doc["issuer"],
        "https://oidc.eks.us-east-1.amazonaws.com/id/ABC"
    );
    let v = client.apiserver_version().await.expect("version");
    assert_eq!(v.git_version, "v1.31.4-eks-2d5f260");
}

#[tokio::test]
async fn owners_pods_webhooks_and_404s() {
    use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
    use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
    use k8s_openapi::api::core::v1::{Namespace, Pod};

    let server = five_sas()
        .deployment_chain(objects::deployment_chain("edp", "web", "app", Some(ARN)))
        .pod(objects::unmutated_pod("edp", "bare", "default"))
        .webhook(objects::pod_identity_webhook())
        .start();
    let client = server.client().await;

    let pods: Api<Pod> = Api::namespaced(client.clone(), "edp");
    let pod = pods.get("web-5d8f7c6b9-x2x7q").await.unwrap();
    let owner = &pod.metadata.owner_references.as_ref().unwrap()[0];
    assert_eq!(
        (owner.kind.as_str(), owner.name.as_str()),
        ("ReplicaSet", "web-5d8f7c6b9")
    );
    let env = pod.spec.as_ref().unwrap().containers[0]
        .env
        .clone()
        .unwrap();
    assert!(env
        .iter()
        .any(|e| e.name == "AWS_ROLE_ARN" && e.value.as_deref() == Some(ARN)));
    assert_eq!(
        pods.list(&ListParams::default()).await.unwrap().items.len(),
        2
    );
    let by_sa = ListParams::default().fields("spec.serviceAccountName=app");
    assert_eq!(pods.list(&by_sa).await.unwrap().items.len(), 1);

    let rs: Api<ReplicaSet> = Api::namespaced(client.clone(), "edp");
    let rs = rs.get("web-5d8f7c6b9").await.unwrap();
    assert_eq!(rs.metadata.owner_references.unwrap()[0].kind, "Deployment");
    let deploys: Api<Deployment> = Api::all(client.clone());
    assert_eq!(
        deploys
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );

    let hooks: Api<MutatingWebhookConfiguration> = Api::all(client.clone());
    assert_eq!(
        hooks
            .get("pod-identity-webhook")
            .await
            .unwrap()
            .webhooks
            .unwrap()
            .len(),
        1
    );
    let ns: Api<Namespace> = Api::all(client.clone());
    let names: Vec<String> = ns
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|n| n.metadata.name.unwrap())
        .collect();
    assert_eq!(names, ["edp", "empty", "kube-system", "monitoring"]);

    match pods.get("missing").await.expect_err("404") {
        kube::Error::Api(s) => assert_eq!((s.code, s.reason.as_str()), (404, "NotFound")),
        other => panic!("{other:?}"),
    }
    let req = http::Request::get("/apis/nope/v1/things")
        .body(Vec::new())
        .unwrap();
    match client.request_text(req).await.expect_err("404") {
        kube::Error::Api(s) => assert_eq!(s.code, 404),
        other => panic!("{other:?}"),
    }

    // A page size cap forces paging even when the client asks for everything.
    server.set_page_size_cap(Some(1));
    let page = ns.list(&ListParams::default()).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(page.metadata.continue_.is_some());
    server.assert_only_gets();
}

#[test]
fn discovery_documents_are_real_shaped() {
    let server = five_sas().start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = server.client().await;
        for (path, kind) in [
            ("/api", "APIVersions"),
            ("/apis", "APIGroupList"),
            ("/api/v1", "APIResourceList"),
        ] {
            let req = http::Request::get(path).body(Vec::new()).unwrap();
            let v: serde_json::Value =
                serde_json::from_str(&client.request_text(req).await.unwrap()).unwrap();
            assert_eq!(v["kind"], kind, "{path}: {v}");
        }
        let req = http::Request::get("/apis/apps/v1")
            .body(Vec::new())
            .unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&client.request_text(req).await.unwrap()).unwrap();
        assert_eq!(v["groupVersion"], "apps/v1");
        assert_eq!(v["resources"].as_array().unwrap().len(), 4);
    });
}

#[test]
fn spawned_binary_gets_the_fake_endpoints() {
    let server = five_sas().start();
    let moto_env = support::AwsEnv::new("http://127.0.0.1:9");
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig();
    let mut cmd = support::kubectl_irsa(home.path());
    cmd.envs(kubeconfig.env());
    moto_env.apply(&mut cmd);
    let envs: std::collections::HashMap<String, Option<String>> = cmd
        .get_envs()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into(),
                v.map(|v| v.to_string_lossy().into()),
            )
        })
        .collect();
    assert_eq!(
        envs["KUBECONFIG"].as_deref(),
        Some(kubeconfig.path().to_str().unwrap())
    );
    assert_eq!(
        envs["AWS_ENDPOINT_URL"].as_deref(),
        Some("http://127.0.0.1:9")
    );
    assert!(kubeconfig
        .yaml()
        .contains(&format!("server: {}", server.url())));
    assert!(kubeconfig.yaml().contains("current-context: fake"));
}

/// `Accept: …;as=PartialObjectMetadataList` (kube's `list_metadata`): only metadata, paged.
#[tokio::test]
async fn metadata_only_lists_carry_only_metadata() {
    let server = five_sas().start();
    let client = server.client().await;
    let req = http::Request::get("/api/v1/serviceaccounts?limit=2")
        .header(
            "accept",
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
        )
        .body(Vec::new())
        .unwrap();
    let text = client.request_text(req).await.expect("metadata list");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["kind"], "PartialObjectMetadataList");
    assert_eq!(doc["apiVersion"], "meta.k8s.io/v1");
    let items = doc["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        assert_eq!(item["kind"], "PartialObjectMetadata");
        let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["kind", "apiVersion", "metadata"], "{item}");
        assert!(item["metadata"]["name"].is_string());
    }
    assert!(doc["metadata"]["continue"].is_string());
    // kube's own call reads them.
    let api: Api<ServiceAccount> = Api::all(client);
    let all = api.list_metadata(&ListParams::default()).await.unwrap();
    assert_eq!(all.items.len(), 5);
}
