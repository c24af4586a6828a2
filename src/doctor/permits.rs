//! At most `n` IAM calls in flight in a whole run, handed out by priority: a waiting `First`
//! call (a provider lookup, the next ListRoles page) goes before every waiting `Normal` one
//! (GetRole), and calls of one priority go in the order they asked.
//!
//! Why not FIFO: a cluster's provider lookup used to queue behind the GetRoles of every cluster
//! read before it, and each ListRoles page behind all the GetRoles queued while the previous
//! page was read, so the last of them finished after the last role.

use std::collections::VecDeque;
use std::sync::Mutex;

use tokio::sync::oneshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    First,
    Normal,
}

pub struct Permits {
    state: Mutex<State>,
}

struct State {
    free: usize,
    /// Waiters of `First`, then of `Normal`.
    waiting: [VecDeque<oneshot::Sender<()>>; 2],
}

/// One call's permit; given back (to the next waiter) when dropped.
pub struct Permit<'a> {
    permits: &'a Permits,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.permits.release();
    }
}

/// A waiter's end; if it is dropped after it was handed a permit, the permit goes back.
struct Waiter<'a> {
    permits: &'a Permits,
    rx: Option<oneshot::Receiver<()>>,
}

impl Drop for Waiter<'_> {
    fn drop(&mut self) {
        if let Some(mut rx) = self.rx.take() {
            rx.close();
            if rx.try_recv().is_ok() {
                self.permits.release();
            }
        }
    }
}

impl Permits {
    pub fn new(n: usize) -> Self {
        Permits {
            state: Mutex::new(State {
                free: n.max(1),
                waiting: [VecDeque::new(), VecDeque::new()],
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub async fn acquire(&self, priority: Priority) -> Permit<'_> {
        let rx = {
            let mut st = self.state();
            if st.free > 0 {
                // Free permits and waiters never coexist: `release` hands a permit to a waiter.
                st.free -= 1;
                return Permit { permits: self };
            }
            let (tx, rx) = oneshot::channel();
            st.waiting[priority as usize].push_back(tx);
            rx
        };
        let mut waiter = Waiter {
            permits: self,
            rx: Some(rx),
        };
        if let Some(rx) = waiter.rx.as_mut() {
            // `release` sends to a live receiver only; an error would mean the permits were
            // dropped, which their borrow rules out.
            let _ = rx.await;
        }
        waiter.rx = None;
        Permit { permits: self }
    }

    fn release(&self) {
        let mut st = self.state();
        for queue in 0..2 {
            while let Some(tx) = st.waiting[queue].pop_front() {
                if tx.send(()).is_ok() {
                    return;
                }
                // That waiter gave up; try the next one.
            }
        }
        st.free += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn first_goes_before_normal_and_each_in_order() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let permits = Arc::new(Permits::new(1));
            let order = Arc::new(Mutex::new(Vec::new()));
            let held = permits.acquire(Priority::Normal).await;
            let mut tasks = Vec::new();
            for (name, p) in [
                ("n1", Priority::Normal),
                ("f1", Priority::First),
                ("n2", Priority::Normal),
                ("f2", Priority::First),
            ] {
                let (permits, order) = (permits.clone(), order.clone());
                tasks.push(tokio::spawn(async move {
                    let _p = permits.acquire(p).await;
                    order.lock().unwrap().push(name);
                }));
                // Let it queue before the next one asks.
                tokio::task::yield_now().await;
            }
            drop(held);
            for t in tasks {
                t.await.unwrap();
            }
            assert_eq!(*order.lock().unwrap(), ["f1", "f2", "n1", "n2"]);
        });
    }

    #[test]
    fn a_waiter_that_gives_up_loses_nothing() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let permits = Permits::new(1);
            let held = permits.acquire(Priority::Normal).await;
            let gave_up = tokio::time::timeout(
                std::time::Duration::from_millis(5),
                permits.acquire(Priority::First),
            )
            .await;
            assert!(gave_up.is_err());
            drop(held);
            // Both permits can still be had, one after the other.
            drop(permits.acquire(Priority::Normal).await);
            drop(permits.acquire(Priority::First).await);
            assert_eq!(permits.state().free, 1);
        });
    }
}
