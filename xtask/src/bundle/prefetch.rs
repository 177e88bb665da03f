//! Opening and reading small files ahead of the tar stream, on every core. For a tree of many
//! small files the per-file system calls (open, fstat, read, close), not hashing, are the cost;
//! workers do them in parallel while the producer consumes results strictly in bundle order.
//! A bounded window keeps memory at most `WINDOW` × `SMALL` bytes.
//!
//! Workers claim `BATCH` files at a time and hand them over under one lock, and nobody signals a
//! condition variable that no thread waits on: every signal is a `futex` system call, and one per
//! file in each direction was most of the system calls on 200,000 small files. Content buffers go
//! back to the workers for reuse: a buffer allocated on one thread and freed on another made the
//! allocator's lock the next bottleneck.

use std::collections::VecDeque;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

use super::BundleError;
use crate::fsx::open::{FileId, open_regular, open_regular_beneath};
use crate::fsx::os;

/// Files up to this size are read whole by a worker; larger ones are streamed by the producer.
const SMALL: u64 = 64 << 10;
const BATCH: usize = 16;
/// A multiple of `BATCH`, so a worker's wait for room ends exactly when the producer signals.
const WINDOW: usize = 16 * BATCH;

/// How each file is opened.
pub enum Opener<'a> {
    /// Beneath the evidence folder, through no link (`tree::walk_names` did not `lstat` it).
    Beneath(&'a os::Beneath),
    /// Where the system has no such open: by its path, and it must still be the inode the full
    /// walk saw, one per file.
    Walked(&'a [FileId]),
}

/// A file as its open found it.
pub struct Fetched {
    pub executable: bool,
    pub body: Body,
}

pub enum Body {
    Whole(Vec<u8>),
    Open(File, u64),
}

pub struct Prefetch<'a> {
    root: &'a Path,
    files: &'a [String],
    opener: Opener<'a>,
    next: AtomicUsize,
    stop: AtomicBool,
    /// No worker could be started (a limit on processes): `take` reads each file itself.
    alone: AtomicBool,
    window: Mutex<Window>,
    /// The producer waits here for the front slot.
    filled: Condvar,
    /// Workers wait here for room in the window.
    room: Condvar,
}

struct Window {
    base: usize,
    slots: VecDeque<Option<Result<Fetched, BundleError>>>,
    producer_waits: bool,
    workers_waiting: usize,
    /// Emptied content buffers, at most `WINDOW`.
    spare: Vec<Vec<u8>>,
}

impl<'a> Prefetch<'a> {
    /// `files` are the walk of `root`.
    pub fn new(root: &'a Path, files: &'a [String], opener: Opener<'a>) -> Prefetch<'a> {
        Prefetch {
            root,
            files,
            opener,
            next: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            alone: AtomicBool::new(false),
            window: Mutex::new(Window {
                base: 0,
                slots: VecDeque::new(),
                producer_waits: false,
                workers_waiting: 0,
                spare: Vec::new(),
            }),
            filled: Condvar::new(),
            room: Condvar::new(),
        }
    }

    /// Runs `consume` with workers fetching ahead; workers stop when it returns, even early.
    pub fn run<T>(&self, consume: impl FnOnce(&Self) -> T) -> T {
        let workers = crate::par::workers();
        std::thread::scope(|scope| {
            if crate::par::start(scope, workers, || self.work()) == 0 {
                self.alone.store(true, Ordering::SeqCst);
            }
            let result = consume(self);
            let _guard = self.lock();
            self.stop.store(true, Ordering::SeqCst);
            self.room.notify_all();
            result
        })
    }

    /// The next file's content or handle, in bundle order; `done` is the previous content, once
    /// copied, for a worker to read into again.
    pub fn take(&self, index: usize, done: Option<Vec<u8>>) -> Result<Fetched, BundleError> {
        if self.alone.load(Ordering::Relaxed) {
            return self.fetch(index, &self.files[index], done.unwrap_or_default());
        }
        let mut w = self.lock();
        debug_assert_eq!(w.base, index, "taken in order");
        if let Some(buf) = done.filter(|_| w.spare.len() < WINDOW) {
            w.spare.push(buf);
        }
        loop {
            if let Some(Some(_)) = w.slots.front() {
                let fetched = w.slots.pop_front().flatten().expect("checked just above");
                w.base += 1;
                if w.base.is_multiple_of(BATCH) && w.workers_waiting > 0 {
                    self.room.notify_all();
                }
                return fetched;
            }
            w.producer_waits = true;
            w = self.filled.wait(w).expect("no thread panics holding the window lock");
            w.producer_waits = false;
        }
    }

    fn work(&self) {
        let mut fetched = Vec::with_capacity(BATCH);
        let mut buffers: Vec<Vec<u8>> = Vec::with_capacity(BATCH);
        loop {
            let start = self.next.fetch_add(BATCH, Ordering::SeqCst);
            let Some(batch) = self.files.get(start..) else { return };
            if batch.is_empty() {
                return;
            }
            {
                let mut w = self.lock();
                while start + BATCH > w.base + WINDOW && !self.stop.load(Ordering::SeqCst) {
                    w.workers_waiting += 1;
                    w = self.room.wait(w).expect("no thread panics holding the window lock");
                    w.workers_waiting -= 1;
                }
                let keep = w.spare.len().saturating_sub(BATCH);
                buffers.extend(w.spare.drain(keep..));
            }
            if self.stop.load(Ordering::SeqCst) {
                return;
            }
            for (i, rel) in batch.iter().take(BATCH).enumerate() {
                fetched.push(self.fetch(start + i, rel, buffers.pop().unwrap_or_default()));
            }
            let mut w = self.lock();
            let at = start - w.base;
            if w.slots.len() < at + fetched.len() {
                w.slots.resize_with(at + fetched.len(), || None);
            }
            for (slot, f) in w.slots.range_mut(at..).zip(fetched.drain(..)) {
                *slot = Some(f);
            }
            if at == 0 && w.producer_waits {
                self.filled.notify_one();
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Window> {
        self.window.lock().expect("no thread panics holding the window lock")
    }

    /// File `i`, `rel`; its full path is made only for a message.
    fn fetch(&self, i: usize, rel: &str, buffer: Vec<u8>) -> Result<Fetched, BundleError> {
        let opened = match self.opener {
            Opener::Beneath(dir) => open_regular_beneath(dir, rel, None),
            Opener::Walked(ids) => open_regular(&self.root.join(rel), Some(ids[i])),
        };
        let path = || self.root.join(rel);
        let (handle, meta) = opened.map_err(|e| BundleError::Read { path: path(), reason: e.to_string() })?;
        let (size, executable) = (meta.len(), os::is_executable(&meta));
        if size > SMALL {
            return Ok(Fetched { executable, body: Body::Open(handle, size) });
        }
        let body = read_whole(handle, size, buffer).map_err(|e| match e {
            Short::Io(e) => BundleError::Read { path: path(), reason: e.to_string() },
            Short::Changed(read) => BundleError::Changed { path: path(), expected: size, read },
        })?;
        Ok(Fetched { executable, body })
    }
}

enum Short {
    Io(std::io::Error),
    Changed(u64),
}

/// Reads a file of `size` bytes, asking for one byte more: a file that grew is caught without
/// another system call, and once `size` bytes are in, a read that returned less than asked has
/// met the end of the file. A small file thus costs one `read`, not the two of `read_to_end`; an
/// empty one is read too, so that content its size did not show is caught.
fn read_whole(mut handle: File, size: u64, mut content: Vec<u8>) -> Result<Body, Short> {
    let size = usize::try_from(size).expect("at most SMALL");
    // Zeroed only where it grows: what is left of the last file is overwritten or cut off below.
    content.resize(size + 1, 0);
    let mut len = 0;
    loop {
        match handle.read(&mut content[len..]) {
            Ok(0) => break,
            Ok(n) => {
                len += n;
                if len >= size {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Short::Io(e)),
        }
    }
    if len != size {
        return Err(Short::Changed(len as u64));
    }
    content.truncate(len);
    Ok(Body::Whole(content))
}

#[cfg(test)]
mod tests {
    use std::fs::{self, File};

    use super::{Body, Short, read_whole};

    /// `size` is what `fstat` said at the open; the content is what a read returns.
    fn read(content: &[u8], size: u64) -> Result<Vec<u8>, u64> {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("f");
        fs::write(&path, content).expect("write");
        match read_whole(File::open(&path).expect("open"), size, vec![7; 3]) {
            Ok(Body::Whole(bytes)) => Ok(bytes),
            Ok(Body::Open(..)) => panic!("a small file is read whole"),
            Err(Short::Changed(read)) => Err(read),
            Err(Short::Io(e)) => panic!("{e}"),
        }
    }

    #[test]
    fn a_file_is_read_exactly_or_refused_as_changed() {
        assert_eq!(read(b"hello", 5), Ok(b"hello".to_vec()));
        assert_eq!(read(b"", 0), Ok(Vec::new()), "a reused buffer's old bytes never leak");
        // Content an empty size did not show (a file appended to after its fstat, or a /proc file).
        assert_eq!(read(b"grown", 0), Err(1));
        assert_eq!(read(b"hello", 3), Err(4));
        assert_eq!(read(b"hi", 5), Err(2));
    }
}
