//! The one AWS SDK configuration of a run, shared by the IAM and EKS clients: the default
//! credential and region chains (`--profile`, `--region`), the SDK's standard retry, the request
//! timeout, and the standard endpoint settings (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_IAM`,
//! `AWS_ENDPOINT_URL_EKS`, which the SDK reads per service from the loaded configuration).
//! Loaded on first use, once per run: a run with nothing to ask AWS never reads the AWS config.

use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use tokio::sync::{OnceCell, Semaphore};

use super::permits::Permits;

/// Attempts per call (the first try plus retries) for throttling, 5xx and transient errors.
pub const MAX_ATTEMPTS: u32 = 4;

/// IAM is global; without a configured region it signs for this one.
const IAM_SIGNING_REGION: &str = "us-east-1";

pub struct Aws {
    profile: Option<String>,
    region: Option<String>,
    timeout: Option<Duration>,
    concurrency: usize,
    conf: OnceCell<SdkConfig>,
}

impl Aws {
    pub fn new(
        profile: Option<&str>,
        region: Option<&str>,
        timeout: Option<Duration>,
        concurrency: usize,
    ) -> Self {
        Aws {
            profile: profile.map(str::to_string),
            region: region.map(str::to_string),
            timeout,
            concurrency: concurrency.max(1),
            conf: OnceCell::new(),
        }
    }

    /// `--concurrency`: the most calls in flight to each service in the whole run.
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// The configuration, loaded by the first caller; later callers wait for it.
    pub async fn config(&self) -> &SdkConfig {
        self.conf.get_or_init(|| self.load()).await
    }

    async fn load(&self) -> SdkConfig {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut timeouts = TimeoutConfig::builder();
        if let Some(t) = self.timeout {
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
        if let Some(p) = &self.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &self.region {
            loader = loader.region(Region::new(r.clone()));
        }
        loader.load().await
    }

    /// An IAM client over the shared configuration; its calls take `permits`.
    pub async fn iam(&self, permits: Arc<Permits>) -> super::iam::Iam {
        let conf = self.config().await;
        let mut builder = aws_sdk_iam::config::Builder::from(conf);
        if conf.region().is_none() {
            // IAM is global; the region only picks the signing region of the endpoint.
            builder = builder.region(Region::new(IAM_SIGNING_REGION));
        }
        super::iam::Iam::new(aws_sdk_iam::Client::from_conf(builder.build()), permits)
    }

    /// An EKS client for `region` (else the configuration's region); its calls take `permits`.
    pub async fn eks(&self, region: Option<&str>, permits: Arc<Semaphore>) -> super::eks::Eks {
        let conf = self.config().await;
        let mut builder = aws_sdk_eks::config::Builder::from(conf);
        if let Some(r) = region {
            builder = builder.region(Region::new(r.to_string()));
        }
        let region = region
            .map(str::to_string)
            .or_else(|| conf.region().map(|r| r.to_string()));
        super::eks::Eks::new(
            aws_sdk_eks::Client::from_conf(builder.build()),
            region,
            permits,
            self.concurrency,
        )
    }
}
