//! Opening and reading small files ahead of the tar stream, on every core. For a tree of many
//! small files the per-file system calls (open, fstat, read, close), not hashing, are the cost;
//! workers do them in parallel while the producer consumes results strictly in bundle order.
//! A bounded window keeps memory at most `WINDOW` × `SMALL` bytes.

use std::collections::VecDeque;
use std::fs::File;
use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

use super::BundleError;
use crate::fsx::open::open_regular;
use crate::fsx::tree::TreeFile;

/// Files up to this size are read whole by a worker; larger ones are streamed by the producer.
const SMALL: u64 = 64 << 10;
const WINDOW: usize = 256;

pub enum Fetched {
    Whole(Vec<u8>),
    Open(File, u64),
}

pub struct Prefetch<'a> {
    files: &'a [TreeFile],
    next: AtomicUsize,
    stop: AtomicBool,
    window: Mutex<Window>,
    ready: Condvar,
}

struct Window {
    base: usize,
    slots: VecDeque<Option<Result<Fetched, BundleError>>>,
}

impl<'a> Prefetch<'a> {
    pub fn new(files: &'a [TreeFile]) -> Prefetch<'a> {
        Prefetch {
            files,
            next: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            window: Mutex::new(Window { base: 0, slots: VecDeque::new() }),
            ready: Condvar::new(),
        }
    }

    /// Runs `consume` with workers fetching ahead; workers stop when it returns, even early.
    pub fn run<T>(&self, consume: impl FnOnce(&Self) -> T) -> T {
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| self.work());
            }
            let result = consume(self);
            self.stop.store(true, Ordering::SeqCst);
            self.ready.notify_all();
            result
        })
    }

    /// The next file's content or handle, in bundle order.
    pub fn take(&self, index: usize) -> Result<Fetched, BundleError> {
        let mut w = self.lock();
        debug_assert_eq!(w.base, index, "taken in order");
        loop {
            if let Some(Some(_)) = w.slots.front() {
                let fetched = w.slots.pop_front().flatten().expect("checked just above");
                w.base += 1;
                self.ready.notify_all();
                return fetched;
            }
            w = self.ready.wait(w).expect("no thread panics holding the window lock");
        }
    }

    fn work(&self) {
        loop {
            let i = self.next.fetch_add(1, Ordering::SeqCst);
            let Some(file) = self.files.get(i) else { return };
            {
                let mut w = self.lock();
                while i >= w.base + WINDOW && !self.stop.load(Ordering::SeqCst) {
                    w = self.ready.wait(w).expect("no thread panics holding the window lock");
                }
            }
            if self.stop.load(Ordering::SeqCst) {
                return;
            }
            let fetched = fetch(file);
            let mut w = self.lock();
            let at = i - w.base;
            if w.slots.len() <= at {
                w.slots.resize_with(at + 1, || None);
            }
            w.slots[at] = Some(fetched);
            self.ready.notify_all();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Window> {
        self.window.lock().expect("no thread panics holding the window lock")
    }
}

fn fetch(file: &TreeFile) -> Result<Fetched, BundleError> {
    let read_err = |reason: String| BundleError::Read { path: file.path.clone(), reason };
    let (handle, size) = open_regular(&file.path, Some(file.id)).map_err(|e| read_err(e.to_string()))?;
    if size > SMALL {
        return Ok(Fetched::Open(handle, size));
    }
    // One byte more than promised: a file that grew is caught without another system call.
    let mut content = Vec::with_capacity(size as usize + 1);
    handle.take(size + 1).read_to_end(&mut content).map_err(|e| read_err(e.to_string()))?;
    if content.len() as u64 != size {
        return Err(BundleError::Changed { path: file.path.clone(), expected: size, read: content.len() as u64 });
    }
    Ok(Fetched::Whole(content))
}
