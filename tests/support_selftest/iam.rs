//! Selftests of the moto + IAM proxy support code.

use crate::support;

use aws_sdk_iam::error::ProvideErrorMetadata;
use support::moto::{self as m, Moto};

const ARN: &str = "arn:aws:iam::123456789012:role/edp-app";
const ISSUER: &str = "https://oidc.eks.us-east-1.amazonaws.com/id/ABC";

#[tokio::test]
async fn iam_roundtrip_through_the_logging_proxy() {
    let moto = Moto::start();
    let proxy = moto.proxy();
    let iam = proxy.iam_client();

    let provider_arn = m::create_oidc_provider(
        &iam,
        ISSUER,
        &["sts.amazonaws.com"],
        "9e99a48a9960b14926bb7f3b02e22da2b0ab7280",
    )
    .await;
    assert_eq!(
        provider_arn,
        format!(
            "arn:aws:iam::{}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
            m::MOTO_ACCOUNT
        )
    );
    let trust = m::irsa_trust_policy(ISSUER, "edp", "app");
    let role = m::create_role(&iam, "edp-app", &trust).await;
    assert_eq!(role.arn(), ARN);

    let got = iam.get_role().role_name("edp-app").send().await.unwrap();
    let doc = got.role().unwrap().assume_role_policy_document().unwrap();
    assert_eq!(m::decode_policy_document(doc), trust);
    let listed = iam.list_roles().send().await.unwrap();
    assert_eq!(listed.roles().len(), 1);
    assert_eq!(
        m::decode_policy_document(listed.roles()[0].assume_role_policy_document().unwrap()),
        trust
    );
    let p = iam
        .get_open_id_connect_provider()
        .open_id_connect_provider_arn(&provider_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(p.client_id_list(), ["sts.amazonaws.com"]);

    assert_eq!(
        proxy.actions(),
        [
            "CreateOpenIDConnectProvider",
            "CreateRole",
            "GetRole",
            "ListRoles",
            "GetOpenIDConnectProvider"
        ]
    );
    assert_eq!(proxy.calls()[2].params["RoleName"], "edp-app");
    proxy.clear_calls();
    iam.get_role().role_name("edp-app").send().await.unwrap();
    proxy.assert_read_only();

    // reset clears moto's state.
    moto.reset();
    let err = iam
        .get_role()
        .role_name("edp-app")
        .send()
        .await
        .expect_err("gone after reset");
    assert_eq!(err.code(), Some("NoSuchEntity"));
}

#[tokio::test]
async fn injected_iam_faults() {
    let moto = Moto::start();
    let proxy = moto.proxy();
    let iam = proxy.iam_client();
    m::create_role(&iam, "open", &m::irsa_trust_policy(ISSUER, "edp", "open")).await;
    m::create_role(
        &iam,
        "secret",
        &m::irsa_trust_policy(ISSUER, "edp", "secret"),
    )
    .await;

    proxy.deny_param("GetRole", "RoleName", "secret");
    let err = iam
        .get_role()
        .role_name("secret")
        .send()
        .await
        .expect_err("denied");
    let svc = err.into_service_error();
    assert_eq!(svc.code(), Some("AccessDenied"));
    assert!(svc.message().unwrap().contains("iam:GetRole"));
    iam.get_role()
        .role_name("open")
        .send()
        .await
        .expect("other roles pass through");

    // Throttling twice, then pass through: the SDK's standard retries absorb it.
    proxy.clear_calls();
    proxy.throttle("ListRoles", 2);
    let fast = aws_sdk_iam::config::retry::RetryConfig::standard()
        .with_initial_backoff(std::time::Duration::from_millis(5))
        .with_max_attempts(3);
    let retrying =
        aws_sdk_iam::Client::from_conf(proxy.aws().iam_config_builder().retry_config(fast).build());
    assert_eq!(retrying.list_roles().send().await.unwrap().roles().len(), 2);
    let statuses: Vec<(String, u16)> = proxy
        .calls()
        .into_iter()
        .map(|c| (c.action, c.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("ListRoles".into(), 400),
            ("ListRoles".into(), 400),
            ("ListRoles".into(), 200)
        ]
    );

    // 500s, with retries off.
    proxy.fail_500("GetRole", Some(1));
    let once = aws_sdk_iam::Client::from_conf(
        proxy
            .aws()
            .iam_config_builder()
            .retry_config(aws_sdk_iam::config::retry::RetryConfig::disabled())
            .build(),
    );
    let err = once
        .get_role()
        .role_name("open")
        .send()
        .await
        .expect_err("500");
    assert_eq!(err.code(), Some("ServiceFailure"));

    // A delay past the client's timeout.
    proxy.delay("ListRoles", std::time::Duration::from_secs(3));
    let timeouts = aws_sdk_iam::config::timeout::TimeoutConfig::builder()
        .operation_attempt_timeout(std::time::Duration::from_millis(300))
        .build();
    let impatient = aws_sdk_iam::Client::from_conf(
        proxy
            .aws()
            .iam_config_builder()
            .retry_config(aws_sdk_iam::config::retry::RetryConfig::disabled())
            .timeout_config(timeouts)
            .build(),
    );
    let err = impatient.list_roles().send().await.expect_err("timeout");
    assert!(
        matches!(err, aws_sdk_iam::error::SdkError::TimeoutError(_)),
        "{err:?}"
    );
}

#[test]
fn aws_env_for_spawned_binaries() {
    let moto = Moto::start();
    let env: std::collections::HashMap<String, String> = moto.env().into_iter().collect();
    assert_eq!(env["AWS_ENDPOINT_URL"], moto.url());
    assert_eq!(env["AWS_REGION"], "us-east-1");
    assert_eq!(env["AWS_EC2_METADATA_DISABLED"], "true");
    assert_eq!(
        std::fs::read_to_string(&env["AWS_CONFIG_FILE"]).unwrap(),
        ""
    );
    assert_eq!(
        std::fs::read_to_string(&env["AWS_SHARED_CREDENTIALS_FILE"]).unwrap(),
        ""
    );
}

#[test]
fn missing_moto_tells_the_developer_what_to_run() {
    let result = std::panic::catch_unwind(|| {
        drop(Moto::start_with(std::path::Path::new(
            "/nonexistent/moto_server",
        )))
    });
    let err = result.expect_err("must fail, not skip");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("scripts/install-test-tools.sh"), "{msg}");
}
