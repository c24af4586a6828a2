//! IAM answers shared by every cluster of a run, so that a fleet calls IAM no more than one
//! cluster would: GetRole once per role name, GetOpenIDConnectProvider once per provider ARN
//! (account + issuer), ListRoles and ListOpenIDConnectProviders once. At most `concurrency`
//! IAM calls are in flight in the whole run, whichever clusters asked for them, provider lookups
//! and ListRoles pages first (`permits`). The EKS side is [`SharedEks`]; [`Shared`] holds both.
//!
//! Lookups start as soon as a cluster's snapshot shows what they will be ([`Prefetcher`]): the
//! role scan once the issuer is known, the roles and providers of each ServiceAccount page as
//! it arrives, so IAM works while the rest of the cluster is still being read.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use k8s_openapi::api::core::v1::ServiceAccount;
use tokio::sync::OnceCell;

use super::aws::Aws;
use super::cluster::Prefetch;
use super::iam::{Iam, IamError, ProviderInfo, RoleInfo};
use super::memo::Memo;
use super::permits::Permits;
use super::progress::Progress;
use super::shared_eks::SharedEks;
use crate::diagnostics::internal_error::isolate;

/// What every cluster of a run shares: the IAM and EKS answers, over one AWS configuration.
pub struct Shared {
    pub iam: Arc<SharedIam>,
    pub eks: SharedEks,
}

impl Shared {
    pub fn new(aws: Aws) -> Self {
        let aws = Arc::new(aws);
        Shared {
            iam: Arc::new(SharedIam::new(aws.clone())),
            eks: SharedEks::new(aws),
        }
    }
}

pub struct SharedIam {
    /// The run's one AWS configuration (shared with EKS).
    aws: Arc<Aws>,
    /// Connected on first use: a run with nothing to ask IAM never loads credentials.
    iam: OnceCell<Iam>,
    permits: Arc<Permits>,
    roles: Memo<String, Result<RoleInfo, IamError>>,
    providers: Memo<String, Result<ProviderInfo, IamError>>,
    role_list: OnceCell<Result<Arc<Vec<RoleInfo>>, IamError>>,
    role_list_started: AtomicBool,
    provider_list: OnceCell<Result<Vec<String>, IamError>>,
}

impl SharedIam {
    pub fn new(aws: Arc<Aws>) -> Self {
        let permits = Arc::new(Permits::new(aws.concurrency()));
        SharedIam {
            aws,
            iam: OnceCell::new(),
            permits,
            roles: Memo::new(),
            providers: Memo::new(),
            role_list: OnceCell::new(),
            role_list_started: AtomicBool::new(false),
            provider_list: OnceCell::new(),
        }
    }

    async fn iam(&self) -> &Iam {
        self.iam
            .get_or_init(|| self.aws.iam(self.permits.clone()))
            .await
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

    /// Every key asks at once, so a cluster's lookups queue together, in order, for the permits
    /// (which bound the calls in flight).
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
        let lookups = keys.iter().cloned().map(|key| async move {
            let result = memo
                .get(&key, || async { call(self.iam().await, key.clone()).await })
                .await;
            progress.tick();
            (key, result)
        });
        futures::future::join_all(lookups)
            .await
            .into_iter()
            .collect()
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

    /// Start the role scan's ListRoles in the background (once per run).
    fn start_role_list(self: &Arc<Self>) {
        if !self.role_list_started.swap(true, Ordering::SeqCst) {
            let me = self.clone();
            tokio::spawn(async move {
                let _ = me.list_roles().await;
            });
        }
    }

    /// Start these lookups in the background; whoever asks for them later gets the same answer.
    fn start(self: &Arc<Self>, roles: BTreeSet<String>, providers: BTreeSet<String>) {
        if roles.is_empty() && providers.is_empty() {
            return;
        }
        let me = self.clone();
        tokio::spawn(async move {
            let quiet = Progress::new("roles", 0);
            futures::join!(me.get_providers(&providers), me.get_roles(&roles, &quiet));
        });
    }
}

/// Starts a cluster's IAM lookups from its snapshot as it is read. Each one started here is one
/// the checks ask for once the snapshot is in, so nothing is asked that would not have been
/// (except when a later ServiceAccount page fails: then the first pages' roles were asked for
/// a list that is discarded).
pub struct Prefetcher {
    iam: Arc<SharedIam>,
    /// The role scan will run (no `--no-role-scan`).
    scan: bool,
}

impl Prefetcher {
    pub fn new(iam: Arc<SharedIam>, scan: bool) -> Self {
        Prefetcher { iam, scan }
    }
}

impl Prefetch for Prefetcher {
    fn issuer(&self, _: &str) {
        if self.scan {
            self.iam.start_role_list();
        }
    }

    fn service_accounts(&self, issuer: Option<&str>, page: &[ServiceAccount]) {
        // A bug here only loses the head start: the checks ask again.
        if let Ok((roles, providers)) = isolate(|| super::checks::lookups(issuer, page)) {
            self.iam.start(roles, providers);
        }
    }
}
