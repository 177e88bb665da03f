//! Hashing many files on every core: workers take the next file from a shared counter, so one
//! large file does not hold up the small ones behind it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::Target;
use crate::digest::{Digest, sha256_reader};
use crate::fsx::open::open_regular;

/// One result per target, in order; an error is the reason the file could not be hashed.
pub fn hash_files(targets: &[Target]) -> Vec<Result<Digest, String>> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(targets.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Digest, String>>>> = Mutex::new(vec![None; targets.len()]);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(target) = targets.get(i) else { break };
                    let result = hash_one(target);
                    results.lock().expect("no worker panics while holding the lock")[i] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .expect("workers have finished")
        .into_iter()
        .map(|r| r.expect("every index was taken by a worker"))
        .collect()
}

fn hash_one(target: &Target) -> Result<Digest, String> {
    let (file, _) = open_regular(&target.path, target.id).map_err(|e| e.to_string())?;
    sha256_reader(file).map(|(d, _)| d).map_err(|e| e.to_string())
}
