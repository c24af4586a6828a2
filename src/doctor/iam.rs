//! The IAM side: read-only calls with the SDK's standard retry, bounded concurrency, and errors
//! classified so that each one can become a precise "could not verify".

use std::sync::Arc;

use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use super::aws::MAX_ATTEMPTS;
use super::permits::{Permits, Priority};

/// An IAM client (built by [`super::aws::Aws::iam`] from the run's one configuration). Every
/// call takes one of `permits`: provider lookups and ListRoles pages before GetRoles.
pub struct Iam {
    client: aws_sdk_iam::Client,
    permits: Arc<Permits>,
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
    pub fn new(client: aws_sdk_iam::Client, permits: Arc<Permits>) -> Self {
        Iam { client, permits }
    }

    /// One GetRole.
    pub async fn get_role(&self, name: &str) -> Result<RoleInfo, IamError> {
        let _permit = self.permits.acquire(Priority::Normal).await;
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

    /// One GetOpenIDConnectProvider.
    pub async fn get_provider(&self, arn: &str) -> Result<ProviderInfo, IamError> {
        let _permit = self.permits.acquire(Priority::First).await;
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

    /// The provider ARNs of the caller's account.
    pub async fn list_providers(&self) -> Result<Vec<String>, IamError> {
        let _permit = self.permits.acquire(Priority::First).await;
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
            // Each page goes next: the pages are a chain, and every cluster's scan waits for all.
            let permit = self.permits.acquire(Priority::First).await;
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
            drop(permit);
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
