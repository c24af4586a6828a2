//! One answer per key for a whole run: the first asker fetches it, later askers wait for the
//! same answer. The cache under [`super::shared`] and [`super::shared_eks`].

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

pub struct Memo<K, V> {
    cells: Mutex<HashMap<K, Arc<OnceCell<V>>>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Memo<K, V> {
    pub fn new() -> Self {
        Memo {
            cells: Mutex::new(HashMap::new()),
        }
    }

    fn cell(&self, key: &K) -> Arc<OnceCell<V>> {
        let mut cells = self.cells.lock().unwrap_or_else(|e| e.into_inner());
        cells.entry(key.clone()).or_default().clone()
    }

    /// The answer for `key`: `fetch` runs at most once per key (again only if a fetch was
    /// cancelled before it answered).
    pub async fn get<F, Fut>(&self, key: &K, fetch: F) -> V
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = V>,
    {
        let cell = self.cell(key);
        cell.get_or_init(fetch).await.clone()
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Default for Memo<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn fetches_once_per_key() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let memo: Memo<String, usize> = Memo::new();
        let calls = AtomicUsize::new(0);
        let fetch = |n: usize| {
            let calls = &calls;
            move || async move {
                calls.fetch_add(1, Ordering::SeqCst);
                tokio::task::yield_now().await;
                n
            }
        };
        let (ka, kb) = ("a".to_string(), "b".to_string());
        let (a, b, c) = rt.block_on(async {
            futures::join!(
                memo.get(&ka, fetch(1)),
                memo.get(&ka, fetch(2)),
                memo.get(&kb, fetch(3)),
            )
        });
        assert_eq!((a, b, c), (1, 1, 3));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
