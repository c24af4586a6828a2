//! IAM answers shared by every cluster of a run, so that a fleet calls IAM no more than one
//! cluster would: GetRole once per role name, GetOpenIDConnectProvider once per provider ARN
//! (account + issuer), ListRoles and ListOpenIDConnectProviders once. At most `concurrency`
//! Get calls are in flight in the whole run, whichever clusters asked for them. The EKS side is
//! [`SharedEks`]; [`Shared`] holds both.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use futures::StreamExt;
use tokio::sync::{OnceCell, Semaphore};

use super::aws::Aws;
use super::iam::{Iam, IamError, ProviderInfo, RoleInfo};
use super::memo::Memo;
use super::progress::Progress;
use super::shared_eks::SharedEks;

/// What every cluster of a run shares: the IAM and EKS answers, over one AWS configuration.
pub struct Shared {
    pub iam: SharedIam,
    pub eks: SharedEks,
}

impl Shared {
    pub fn new(aws: Aws) -> Self {
        let aws = Arc::new(aws);
        Shared {
            iam: SharedIam::new(aws.clone()),
            eks: SharedEks::new(aws),
        }
    }
}

pub struct SharedIam {
    /// The run's one AWS configuration (shared with EKS).
    aws: Arc<Aws>,
    concurrency: usize,
    /// Connected on first use: a run with nothing to ask IAM never loads credentials.
    iam: OnceCell<Iam>,
    permits: Semaphore,
    roles: Memo<String, Result<RoleInfo, IamError>>,
    providers: Memo<String, Result<ProviderInfo, IamError>>,
    role_list: OnceCell<Result<Arc<Vec<RoleInfo>>, IamError>>,
    provider_list: OnceCell<Result<Vec<String>, IamError>>,
}

impl SharedIam {
    pub fn new(aws: Arc<Aws>) -> Self {
        let concurrency = aws.concurrency();
        SharedIam {
            aws,
            concurrency,
            iam: OnceCell::new(),
            permits: Semaphore::new(concurrency),
            roles: Memo::new(),
            providers: Memo::new(),
            role_list: OnceCell::new(),
            provider_list: OnceCell::new(),
        }
    }

    async fn iam(&self) -> &Iam {
        self.iam.get_or_init(|| self.aws.iam()).await
    }

    /// GetRole for each name not yet asked in this run.
    pub async fn get_roles(
        &self,
        names: &BTreeSet<String>,
        progress: &Progress,
    ) -> BTreeMap<String, Result<RoleInfo, IamError>> {
        self.fetch_all(names, &self.roles, progress, |iam, name| async move {
            iam.get_role(&name).await
        })
        .await
    }

    /// GetOpenIDConnectProvider for each ARN not yet asked in this run.
    pub async fn get_providers(
        &self,
        arns: &BTreeSet<String>,
    ) -> BTreeMap<String, Result<ProviderInfo, IamError>> {
        let quiet = Progress::new("providers", 0);
        self.fetch_all(arns, &self.providers, &quiet, |iam, arn| async move {
            iam.get_provider(&arn).await
        })
        .await
    }

    async fn fetch_all<'s, T, F, Fut>(
        &'s self,
        keys: &BTreeSet<String>,
        memo: &'s Memo<String, Result<T, IamError>>,
        progress: &Progress,
        call: F,
    ) -> BTreeMap<String, Result<T, IamError>>
    where
        T: Clone,
        F: Fn(&'s Iam, String) -> Fut + Copy,
        Fut: std::future::Future<Output = Result<T, IamError>>,
    {
        futures::stream::iter(keys.iter().cloned())
            .map(|key| async move {
                let result = memo
                    .get(&key, || async {
                        let iam = self.iam().await;
                        // Never closed, so acquire cannot fail; no permit means no limit.
                        let _permit = self.permits.acquire().await.ok();
                        call(iam, key.clone()).await
                    })
                    .await;
                progress.tick();
                (key, result)
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await
    }

    /// Every role of the caller's account (ListRoles, paged), listed once per run.
    pub async fn list_roles(&self) -> Result<Arc<Vec<RoleInfo>>, IamError> {
        self.role_list
            .get_or_init(|| async { self.iam().await.list_roles().await.map(Arc::new) })
            .await
            .clone()
    }

    /// The caller's OIDC provider ARNs, listed once per run.
    pub async fn list_providers(&self) -> Result<Vec<String>, IamError> {
        self.provider_list
            .get_or_init(|| async { self.iam().await.list_providers().await })
            .await
            .clone()
    }
}
