//! The EKS side: DescribeCluster, and the Pod Identity associations (ListPodIdentityAssociations
//! to the last page, DescribePodIdentityAssociation for each). Read-only, with the SDK's standard
//! retry, the standard endpoint configuration (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_EKS`), and
//! errors classified so that each one can become a precise "could not verify".

use aws_sdk_eks::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use std::sync::Arc;

use futures::StreamExt;
use tokio::sync::Semaphore;

use super::aws::MAX_ATTEMPTS;
/// A guard against a server that never stops handing out `nextToken`s.
const MAX_PAGES: usize = 1_000;

/// An EKS client (built by [`super::aws::Aws::eks`] from the run's one configuration).
pub struct Eks {
    client: aws_sdk_eks::Client,
    /// Shared by every EKS client of the run: at most `concurrency` EKS calls in flight.
    permits: Arc<Semaphore>,
    concurrency: usize,
    pub region: Option<String>,
}

/// What DescribeCluster says.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterInfo {
    pub name: String,
    pub arn: Option<String>,
    pub issuer: Option<String>,
    pub status: Option<String>,
}

/// One association, as DescribePodIdentityAssociation returns it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Association {
    pub association_id: String,
    pub association_arn: Option<String>,
    pub cluster_name: String,
    pub namespace: String,
    pub service_account: String,
    pub role_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_role_arn: Option<String>,
    pub disable_session_tags: bool,
    /// Seconds since the epoch.
    #[serde(skip)]
    pub created_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_arn: Option<String>,
}

/// Why an EKS call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum EksError {
    NotFound(String),
    Denied(String),
    Throttled(String),
    Timeout(String),
    Server(String),
    /// No answer at all: no EKS API at that endpoint, DNS, connection refused.
    Unreachable(String),
    Other(String),
}

impl EksError {
    pub fn reason(&self) -> String {
        match self {
            EksError::NotFound(m) => format!("not found (ResourceNotFoundException): {m}"),
            EksError::Denied(m) => format!("access denied: {m}"),
            EksError::Throttled(m) => format!("still throttled after {MAX_ATTEMPTS} attempts: {m}"),
            EksError::Timeout(m) => format!("timed out: {m}"),
            EksError::Server(m) => format!("EKS failed (5xx) after {MAX_ATTEMPTS} attempts: {m}"),
            EksError::Unreachable(m) => format!("the EKS API could not be reached: {m}"),
            EksError::Other(m) => m.clone(),
        }
    }
}

fn classify<E>(e: &SdkError<E, aws_sdk_eks::config::http::HttpResponse>) -> EksError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let text = DisplayErrorContext(e).to_string();
    match e {
        SdkError::TimeoutError(_) => EksError::Timeout(text),
        SdkError::DispatchFailure(d) if d.is_timeout() => EksError::Timeout(text),
        SdkError::DispatchFailure(_) if text.contains("credentials") => EksError::Other(format!(
            "no usable AWS credentials (env, profile, SSO, web identity, IMDS): {text}"
        )),
        SdkError::DispatchFailure(_) => EksError::Unreachable(text),
        SdkError::ServiceError(s) => {
            let status = s.raw().status().as_u16();
            let code = e.code().unwrap_or_default();
            let message = format!("{code}: {}", e.message().unwrap_or(code));
            if code == "ResourceNotFoundException" || code == "NotFoundException" {
                EksError::NotFound(message)
            } else if code.starts_with("AccessDenied")
                || code == "UnauthorizedOperation"
                || status == 403
            {
                EksError::Denied(message)
            } else if code.contains("Throttl")
                || code == "TooManyRequestsException"
                || status == 429
            {
                EksError::Throttled(message)
            } else if status >= 500 {
                EksError::Server(message)
            } else {
                EksError::Other(message)
            }
        }
        _ if text.contains("credentials") => EksError::Other(format!(
            "no usable AWS credentials (env, profile, SSO, web identity, IMDS): {text}"
        )),
        _ => EksError::Other(text),
    }
}

impl Eks {
    /// `region`: the region the client was built for (`--region`, else the cluster ARN's, else
    /// the default chain's), for messages. `permits` bound the calls in flight (`concurrency`).
    pub fn new(
        client: aws_sdk_eks::Client,
        region: Option<String>,
        permits: Arc<Semaphore>,
        concurrency: usize,
    ) -> Self {
        Eks {
            client,
            permits,
            concurrency: concurrency.max(1),
            region,
        }
    }

    /// A permit for one call. The semaphore is never closed, so `None` never happens in practice
    /// (and would only mean no limit).
    async fn permit(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.permits.acquire().await.ok()
    }

    pub async fn describe_cluster(&self, name: &str) -> Result<ClusterInfo, EksError> {
        let _permit = self.permit().await;
        let out = self
            .client
            .describe_cluster()
            .name(name)
            .send()
            .await
            .map_err(|e| classify(&e))?;
        let c = out
            .cluster()
            .ok_or_else(|| EksError::Other("DescribeCluster returned no cluster".into()))?;
        Ok(ClusterInfo {
            name: c.name().unwrap_or(name).to_string(),
            arn: c.arn().map(str::to_string),
            issuer: c
                .identity()
                .and_then(|i| i.oidc())
                .and_then(|o| o.issuer())
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            status: c.status().map(|s| s.as_str().to_string()),
        })
    }

    /// Every association of the cluster: all pages of the list, then each one described.
    /// A failure on any page or description fails the whole read (no partial data).
    pub async fn associations(
        &self,
        cluster: &str,
    ) -> Result<Vec<Association>, (EksError, &'static str)> {
        const LIST: &str = "eks:ListPodIdentityAssociations";
        const DESCRIBE: &str = "eks:DescribePodIdentityAssociation";
        let mut ids = Vec::new();
        let mut token: Option<String> = None;
        for page in 1..=MAX_PAGES {
            let permit = self.permit().await;
            let out = self
                .client
                .list_pod_identity_associations()
                .cluster_name(cluster)
                .max_results(100)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| {
                    let mut e = classify(&e);
                    if page > 1 {
                        let note = format!(
                            " (page {page}, after {} associations; the partial list was discarded)",
                            ids.len()
                        );
                        e = match e {
                            EksError::Other(m) => EksError::Other(m + &note),
                            EksError::Throttled(m) => EksError::Throttled(m + &note),
                            EksError::Server(m) => EksError::Server(m + &note),
                            EksError::Denied(m) => EksError::Denied(m + &note),
                            other => other,
                        };
                    }
                    (e, LIST)
                })?;
            drop(permit);
            ids.extend(
                out.associations()
                    .iter()
                    .filter_map(|a| a.association_id().map(str::to_string)),
            );
            match out.next_token() {
                Some(t) if !t.is_empty() && Some(t) != token.as_deref() => {
                    token = Some(t.to_string())
                }
                _ => break,
            }
            if page == MAX_PAGES {
                return Err((
                    EksError::Other(format!("more than {MAX_PAGES} pages; gave up")),
                    LIST,
                ));
            }
        }
        let described: Vec<Result<Association, EksError>> = futures::stream::iter(ids)
            .map(|id| async move { self.describe_association(cluster, &id).await })
            .buffered(self.concurrency)
            .collect()
            .await;
        described
            .into_iter()
            .map(|r| r.map_err(|e| (e, DESCRIBE)))
            .collect()
    }

    async fn describe_association(&self, cluster: &str, id: &str) -> Result<Association, EksError> {
        let _permit = self.permit().await;
        let out = self
            .client
            .describe_pod_identity_association()
            .cluster_name(cluster)
            .association_id(id)
            .send()
            .await
            .map_err(|e| classify(&e))?;
        let a = out.association().ok_or_else(|| {
            EksError::Other("DescribePodIdentityAssociation returned no association".into())
        })?;
        Ok(Association {
            association_id: a.association_id().unwrap_or(id).to_string(),
            association_arn: a.association_arn().map(str::to_string),
            cluster_name: a.cluster_name().unwrap_or(cluster).to_string(),
            namespace: a.namespace().unwrap_or_default().to_string(),
            service_account: a.service_account().unwrap_or_default().to_string(),
            role_arn: a.role_arn().map(str::to_string),
            target_role_arn: a.target_role_arn().map(str::to_string),
            disable_session_tags: a.disable_session_tags().unwrap_or(false),
            created_at: a.created_at().map(|t| t.secs()),
            owner_arn: a.owner_arn().map(str::to_string),
        })
    }
}
