//! EKS answers shared by every cluster of a run: DescribeCluster, and the Pod Identity
//! associations (their list and each description), once per cluster name + region, however many
//! contexts point at that cluster. One EKS client per region, all from the run's one AWS
//! configuration, and at most `concurrency` EKS calls in flight in the whole run.

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::aws::Aws;
use super::eks::{Association, ClusterInfo, Eks, EksError};
use super::memo::Memo;

/// A cluster: its name and the region its client uses.
type Key = (String, Option<String>);

pub type Associations = Result<Arc<Vec<Association>>, (EksError, &'static str)>;

pub struct SharedEks {
    aws: Arc<Aws>,
    permits: Arc<Semaphore>,
    /// By the region asked for (`None`: the configuration's).
    clients: Memo<Option<String>, Arc<Eks>>,
    clusters: Memo<Key, Result<ClusterInfo, EksError>>,
    associations: Memo<Key, Associations>,
}

impl SharedEks {
    pub fn new(aws: Arc<Aws>) -> Self {
        let permits = Arc::new(Semaphore::new(aws.concurrency()));
        SharedEks {
            aws,
            permits,
            clients: Memo::new(),
            clusters: Memo::new(),
            associations: Memo::new(),
        }
    }

    /// The client for `region` (else the configuration's region), built once.
    pub async fn client(&self, region: Option<&str>) -> Arc<Eks> {
        let key = region.map(str::to_string);
        self.clients
            .get(&key, || async {
                Arc::new(self.aws.eks(region, self.permits.clone()).await)
            })
            .await
    }

    fn key(eks: &Eks, name: &str) -> Key {
        (name.to_string(), eks.region.clone())
    }

    /// DescribeCluster, once per cluster in the run.
    pub async fn describe_cluster(&self, eks: &Eks, name: &str) -> Result<ClusterInfo, EksError> {
        self.clusters
            .get(&Self::key(eks, name), || eks.describe_cluster(name))
            .await
    }

    /// The cluster's associations, read once per cluster in the run.
    pub async fn associations(&self, eks: &Eks, name: &str) -> Associations {
        self.associations
            .get(&Self::key(eks, name), || async {
                eks.associations(name).await.map(Arc::new)
            })
            .await
    }
}
