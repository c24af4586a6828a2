//! The IAM side: read-only calls with the SDK's standard retry, bounded concurrency, and errors
//! classified so that each one can become a precise "could not verify".

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use futures::StreamExt;

use super::progress::Progress;

/// Attempts per call (the first try plus retries) for throttling, 5xx and transient errors.
const MAX_ATTEMPTS: u32 = 4;

pub struct Iam {
    client: aws_sdk_iam::Client,
    concurrency: usize,
}

/// A role as read from IAM. `trust` is the decoded JSON trust policy.
#[derive(Debug, Clone)]
pub struct RoleInfo {
    pub name: String,
    pub arn: String,
    pub trust: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ProviderInfo {
    pub arn: String,
    pub client_ids: Vec<String>,
}

/// Why an IAM call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum IamError {
    NotFound(String),
    Denied(String),
    Throttled(String),
    Timeout(String),
    Server(String),
    Other(String),
}

impl IamError {
    pub fn reason(&self) -> String {
        match self {
            IamError::NotFound(m) => format!("not found (NoSuchEntity): {m}"),
            IamError::Denied(m) => format!("access denied: {m}"),
            IamError::Throttled(m) => {
                format!("still throttled after {MAX_ATTEMPTS} attempts: {m}")
            }
            IamError::Timeout(m) => format!("timed out: {m}"),
            IamError::Server(m) => {
                format!("IAM failed (5xx) after {MAX_ATTEMPTS} attempts: {m}")
            }
            IamError::Other(m) => m.clone(),
        }
    }

    /// The same error with `extra` appended to its message.
    fn with_context(self, extra: &str) -> Self {
        match self {
            IamError::NotFound(m) => IamError::NotFound(format!("{m} {extra}")),
            IamError::Denied(m) => IamError::Denied(format!("{m} {extra}")),
            IamError::Throttled(m) => IamError::Throttled(format!("{m} {extra}")),
            IamError::Timeout(m) => IamError::Timeout(format!("{m} {extra}")),
            IamError::Server(m) => IamError::Server(format!("{m} {extra}")),
            IamError::Other(m) => IamError::Other(format!("{m} {extra}")),
        }
    }
}

fn classify<E>(e: &SdkError<E, aws_sdk_iam::config::http::HttpResponse>) -> IamError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let text = DisplayErrorContext(e).to_string();
    match e {
        SdkError::TimeoutError(_) => IamError::Timeout(text),
        SdkError::DispatchFailure(d) if d.is_timeout() => IamError::Timeout(text),
        SdkError::ServiceError(s) => {
            let status = s.raw().status().as_u16();
            let code = e.code().unwrap_or_default();
            let message = e.message().unwrap_or(code).to_string();
            let message = format!("{code}: {message}");
            if code == "NoSuchEntity" {
                IamError::NotFound(message)
            } else if code.starts_with("AccessDenied") || code == "UnauthorizedOperation" {
                IamError::Denied(message)
            } else if code.contains("Throttl") || status == 429 {
                IamError::Throttled(message)
            } else if status >= 500 {
                IamError::Server(message)
            } else {
                IamError::Other(message)
            }
        }
        _ if text.contains("credentials") => IamError::Other(format!(
            "no usable AWS credentials (env, profile, SSO, web identity, IMDS): {text}"
        )),
        _ => IamError::Other(text),
    }
}

/// IAM URL-encodes policy documents in GetRole (moto too); ListRoles may not. Decode either way.
pub fn decode_document(raw: &str) -> String {
    let trimmed = raw.trim_start();
    if trimmed.starts_with('{') {
        return raw.to_string();
    }
    percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned()
}

impl Iam {
    pub async fn connect(
        profile: Option<&str>,
        region: Option<&str>,
        timeout: Option<Duration>,
        concurrency: usize,
    ) -> Self {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut timeouts = TimeoutConfig::builder();
        if let Some(t) = timeout {
            timeouts = timeouts.operation_attempt_timeout(t).connect_timeout(t);
        }
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http)
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(MAX_ATTEMPTS)
                    .with_initial_backoff(Duration::from_millis(100)),
            )
            .timeout_config(timeouts.build());
        if let Some(p) = profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = region {
            loader = loader.region(Region::new(r.to_string()));
        }
        let conf = loader.load().await;
        let mut builder = aws_sdk_iam::config::Builder::from(&conf);
        if conf.region().is_none() {
            // IAM is global; the region only picks the signing region of the endpoint.
            builder = builder.region(Region::new("us-east-1"));
        }
        Iam {
            client: aws_sdk_iam::Client::from_conf(builder.build()),
            concurrency: concurrency.max(1),
        }
    }

    /// GetRole once per distinct name, at most `concurrency` at a time.
    pub async fn get_roles(
        &self,
        names: &BTreeSet<String>,
        progress: &Progress,
    ) -> BTreeMap<String, Result<RoleInfo, IamError>> {
        futures::stream::iter(names.iter().cloned())
            .map(|name| async move {
                let result = self.get_role(&name).await;
                progress.tick();
                (name, result)
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await
    }

    /// One GetRole.
    pub async fn get_role(&self, name: &str) -> Result<RoleInfo, IamError> {
        self.client
            .get_role()
            .role_name(name)
            .send()
            .await
            .map_err(|e| classify(&e))
            .and_then(|out| {
                out.role
                    .map(|r| RoleInfo {
                        name: r.role_name().to_string(),
                        arn: r.arn().to_string(),
                        trust: r.assume_role_policy_document().map(decode_document),
                    })
                    .ok_or_else(|| IamError::Other("GetRole returned no role".into()))
            })
    }

    /// GetOpenIDConnectProvider for each ARN, bounded like `get_roles`.
    pub async fn get_providers(
        &self,
        arns: &BTreeSet<String>,
    ) -> BTreeMap<String, Result<ProviderInfo, IamError>> {
        futures::stream::iter(arns.iter().cloned())
            .map(|arn| async move {
                let result = self.get_provider(&arn).await;
                (arn, result)
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await
    }

    /// One GetOpenIDConnectProvider.
    pub async fn get_provider(&self, arn: &str) -> Result<ProviderInfo, IamError> {
        self.client
            .get_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .send()
            .await
            .map_err(|e| classify(&e))
            .map(|out| ProviderInfo {
                arn: arn.to_string(),
                client_ids: out.client_id_list().to_vec(),
            })
    }

    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// The provider ARNs of the caller's account.
    pub async fn list_providers(&self) -> Result<Vec<String>, IamError> {
        let out = self
            .client
            .list_open_id_connect_providers()
            .send()
            .await
            .map_err(|e| classify(&e))?;
        Ok(out
            .open_id_connect_provider_list()
            .iter()
            .filter_map(|p| p.arn().map(str::to_string))
            .collect())
    }

    /// Every role of the caller's account (ListRoles, paged).
    pub async fn list_roles(&self) -> Result<Vec<RoleInfo>, IamError> {
        let mut roles = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let out = self
                .client
                .list_roles()
                .set_marker(marker.clone())
                .max_items(100)
                .send()
                .await
                .map_err(|e| {
                    let e = classify(&e);
                    match marker {
                        // A later page failed: the roles already read are not used.
                        Some(_) => e.with_context(&format!(
                            "(a later page, after {} roles; the partial list was discarded)",
                            roles.len()
                        )),
                        None => e,
                    }
                })?;
            roles.extend(out.roles().iter().map(|r| RoleInfo {
                name: r.role_name().to_string(),
                arn: r.arn().to_string(),
                trust: r.assume_role_policy_document().map(decode_document),
            }));
            match out.marker() {
                Some(m) if out.is_truncated() && Some(m) != marker.as_deref() => {
                    marker = Some(m.to_string())
                }
                _ => return Ok(roles),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_url_encoded_and_raw_documents() {
        let raw = r#"{"Version":"2012-10-17"}"#;
        assert_eq!(decode_document(raw), raw);
        assert_eq!(
            decode_document("%7B%22Version%22%3A%222012-10-17%22%7D"),
            raw
        );
    }
}
