//! The one way Signet spreads independent per-file work over every core: workers take the next
//! index from a shared counter, so one slow item does not hold up the others; results come back
//! in input order.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::{Scope, ScopedJoinHandle};
use std::time::Duration;

/// How many threads per-file work uses: the cores this process may run on. Asked once: the
/// answer reads cgroup files on every call.
pub fn workers() -> usize {
    static WORKERS: OnceLock<usize> = OnceLock::new();
    *WORKERS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Starts `work` on up to `n` new threads of `scope`; returns how many started. A thread the
/// system refuses (a limit on processes, `ulimit -u`) is no error: every caller can do the work
/// on its own thread, and does when none started.
pub fn start<'scope, F>(scope: &'scope Scope<'scope, '_>, n: usize, work: F) -> usize
where
    F: FnOnce() + Send + Clone + 'scope,
{
    for started in 0..n {
        if spawn(scope, work.clone()).is_err() {
            return started;
        }
    }
    n
}

/// One thread of `scope` running `f`. While the system says "try again", it is asked again for up
/// to 0.1 s: threads that a scope has just joined still count against a limit on processes until
/// the kernel has released them, so the same run could otherwise fail or not. Once refused for
/// good, later threads are asked for once.
pub fn spawn<'scope, T, F>(scope: &'scope Scope<'scope, '_>, f: F) -> io::Result<ScopedJoinHandle<'scope, T>>
where
    F: FnOnce() -> T + Send + 'scope,
    T: Send + 'scope,
{
    static REFUSED: AtomicBool = AtomicBool::new(false);
    // The work stays here while a thread is refused (a refused spawn drops its closure).
    let slot = Arc::new(Mutex::new(Some(f)));
    let mut wait = Duration::from_micros(100);
    loop {
        let work = Arc::clone(&slot);
        let spawned = std::thread::Builder::new().spawn_scoped(scope, move || {
            let f = work.lock().expect("taken once, by this thread").take().expect("a thread runs the work once");
            f()
        });
        match spawned {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && !REFUSED.load(Ordering::Relaxed) => {
                if wait > Duration::from_millis(50) {
                    REFUSED.store(true, Ordering::Relaxed);
                    return Err(e);
                }
                std::thread::sleep(wait);
                wait *= 2;
            }
            spawned => return spawned,
        }
    }
}

/// `f` of every item, in input order; this thread works too, beside one thread per other core.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = workers().min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    // Batches keep the shared counter and the lock off the hot path for many tiny items, but
    // stay small enough that a few large items (ten JUnit files) still spread over every core.
    let batch = (items.len() / (workers * 8)).clamp(1, 64);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    let work = || {
        loop {
            let start = next.fetch_add(batch, Ordering::Relaxed);
            if start >= items.len() {
                break;
            }
            let end = (start + batch).min(items.len());
            let batch: Vec<R> = items[start..end].iter().map(&f).collect();
            let mut out = results.lock().expect("no worker panics holding the lock");
            for (slot, r) in out[start..end].iter_mut().zip(batch) {
                *slot = Some(r);
            }
        }
    };
    std::thread::scope(|scope| {
        start(scope, workers - 1, &work);
        work();
    });
    results
        .into_inner()
        .expect("workers have finished")
        .into_iter()
        .map(|r| r.expect("every index was taken by a worker"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_input_order() {
        let items: Vec<u32> = (0..10_000).collect();
        assert_eq!(super::map(&items, |x| x * 2), items.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert!(super::map(&[] as &[u32], |x| *x).is_empty());
    }
}
