//! The evidence-tree walk: every regular file under a folder, in full-path byte order
//! (`LC_ALL=C sort`), or the complete list of reasons the tree cannot be accepted.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

use super::os::{self, FileId, Special};
use super::path_safety::{self, PathProblem};

#[derive(Debug, Clone)]
pub struct TreeFile {
    /// `/`-separated, relative to the walked root, validated by `path_safety`.
    pub rel: String,
    pub id: FileId,
    pub size: u64,
    pub executable: bool,
}

impl TreeFile {
    /// The file's path under the walked `root`. Not stored: at 200,000 files the full paths were
    /// a third of the walk's memory.
    pub fn path(&self, root: &Path) -> PathBuf {
        root.join(&self.rel)
    }
}

/// Why one path in the tree is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Symlink { target: String, dangling: bool },
    Fifo,
    Socket,
    Device,
    Unknown,
    Unreadable(String),
    BadName(PathProblem),
    Collides(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Symlink { target, dangling } => write!(
                f,
                "symbolic link to `{target}`{} — copy the file itself into the evidence folder",
                if *dangling { " (dangling)" } else { "" }
            ),
            Refusal::Fifo => write!(f, "named pipe (FIFO) — only regular files can be evidence"),
            Refusal::Socket => write!(f, "socket — only regular files can be evidence"),
            Refusal::Device => write!(f, "device file — only regular files can be evidence"),
            Refusal::Unknown => write!(f, "unknown file type — only regular files can be evidence"),
            Refusal::Unreadable(e) => write!(f, "cannot be read: {e}"),
            Refusal::BadName(p) => write!(f, "{p} — rename it"),
            Refusal::Collides(other) => write!(
                f,
                "collides with `{other}` under Unicode NFC + case folding (would merge on macOS/Windows) — rename one"
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Relative path as it can best be shown (lossy for non-UTF-8 names).
    pub path: String,
    pub refusal: Refusal,
}

#[derive(Debug)]
pub enum WalkError {
    /// The root itself cannot be read.
    Root(PathBuf, io::Error),
    /// Every offending path, in byte order.
    Refused(Vec<Problem>),
}

/// Walks `root` and returns its regular files sorted by their relative path's bytes.
pub fn walk(root: &Path) -> Result<Vec<TreeFile>, WalkError> {
    walk_examining(root, Examine::Every)
}

/// The bundle's walk: the same refusals from the directory reads, but an entry the read already
/// shows to be a regular file is not `lstat`ed. Its open, which must `fstat` it anyway, is where
/// it is examined: the walk's `lstat` was a sixth of the CPU of bundling 200,000 small files
/// (issue #19). The list of refusals stays complete: a refused tree is walked again in full,
/// and a file that then cannot be opened or read sends the caller back to [`walk`]. Returns the
/// relative paths, in byte order.
pub fn walk_names(root: &Path) -> Result<Vec<String>, WalkError> {
    match walk_examining(root, Examine::NotRegular) {
        Ok(files) => Ok(files.into_iter().map(|f| f.rel).collect()),
        // Regular files that cannot be read are among what is wrong: only the full walk sees them.
        // It drops them before the collision check, so the first pass's collisions are kept too.
        Err(WalkError::Refused(first)) => match walk(root) {
            Err(WalkError::Refused(full)) => Err(WalkError::Refused(union(full, first))),
            Err(full) => Err(full),
            Ok(_) => Err(WalkError::Refused(first)),
        },
        Err(root) => Err(root),
    }
}

/// Every problem of either list once, in byte order of the path.
fn union(mut full: Vec<Problem>, first: Vec<Problem>) -> Vec<Problem> {
    let key = |p: &Problem| (p.path.clone(), p.refusal.to_string());
    let known: std::collections::HashSet<(String, String)> = full.iter().map(key).collect();
    full.extend(first.into_iter().filter(|p| !known.contains(&key(p))));
    full.sort_by(|a, b| a.path.cmp(&b.path));
    full
}

/// Which entries the walk `lstat`s.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Examine {
    Every,
    /// Only those the directory read does not show to be regular files.
    NotRegular,
}

fn walk_examining(root: &Path, examine_all: Examine) -> Result<Vec<TreeFile>, WalkError> {
    let meta = fs::metadata(root).map_err(|e| WalkError::Root(root.to_path_buf(), e))?;
    if !meta.is_dir() {
        let e = io::Error::new(io::ErrorKind::NotADirectory, "not a directory");
        return Err(WalkError::Root(root.to_path_buf(), e));
    }
    let mut walker = Walker::default();
    walker.read_dirs(root).map_err(|e| WalkError::Root(root.to_path_buf(), e))?;
    let refused = Walker::examine(root, &walker.unnamed, &mut walker.others);
    walker.problems.extend(refused);
    if examine_all == Examine::Every {
        let refused = Walker::examine(root, &walker.unnamed, &mut walker.files);
        walker.problems.extend(refused);
    }
    walker.files.append(&mut walker.others);
    // `String` orders by bytes, as `LC_ALL=C sort` does; paths are unique, so unstable is exact.
    walker.files.sort_unstable_by(|a, b| a.rel.cmp(&b.rel));
    walker.collisions();
    if !walker.problems.is_empty() {
        walker.problems.sort_by(|a, b| a.path.cmp(&b.path));
        return Err(WalkError::Refused(walker.problems));
    }
    Ok(walker.files)
}

#[derive(Default)]
struct Walker {
    /// The entries the directory read shows to be regular files.
    files: Vec<TreeFile>,
    /// The entries that are neither folders nor regular files by the directory read: always
    /// classified, and refused unless they became regular files since.
    others: Vec<TreeFile>,
    /// Real paths of the entries whose path is not UTF-8 (their `rel` is lossy).
    unnamed: HashMap<String, PathBuf>,
    /// Every folder path, for the collision check (with the files' paths).
    folders: Vec<String>,
    problems: Vec<Problem>,
}

impl Walker {
    fn refuse(&mut self, path: String, refusal: Refusal) {
        self.problems.push(Problem { path, refusal });
    }

    /// Reads every folder under `root`, on every core. Only the root's own read error is
    /// fatal; below it, every error is collected so the user gets one complete list. The order
    /// folders are read in does not matter: everything is sorted afterwards.
    fn read_dirs(&mut self, root: &Path) -> io::Result<()> {
        let mut below = Vec::new();
        self.list(fs::read_dir(root)?, "", false, &mut below);
        let queue = Folders { state: Mutex::new((below, 0)), changed: Condvar::new() };
        let parts = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..crate::par::workers())
                .map(|_| {
                    scope.spawn(|| {
                        let mut part = Walker::default();
                        let mut found = Vec::new();
                        while let Some(Folder { dir, prefix, unnamed }) = queue.next() {
                            match fs::read_dir(&dir) {
                                Ok(entries) => part.list(entries, &prefix, unnamed, &mut found),
                                Err(e) => part.refuse(
                                    prefix.trim_end_matches('/').to_string(),
                                    Refusal::Unreadable(e.to_string()),
                                ),
                            }
                            queue.done(&mut found);
                        }
                        part
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().expect("a walk worker panicked")).collect::<Vec<_>>()
        });
        for part in parts {
            self.absorb(part);
        }
        Ok(())
    }

    /// One folder's entries; its sub-folders go to `below`.
    fn list(&mut self, entries: fs::ReadDir, prefix: &str, unnamed: bool, below: &mut Vec<Folder>) {
        for entry in entries {
            match entry {
                Ok(entry) => below.extend(self.entry(&entry, prefix, unnamed)),
                Err(e) => self.refuse(prefix.to_string(), Refusal::Unreadable(e.to_string())),
            }
        }
    }

    fn absorb(&mut self, mut part: Walker) {
        self.files.append(&mut part.files);
        self.others.append(&mut part.others);
        self.unnamed.extend(part.unnamed);
        self.folders.append(&mut part.folders);
        self.problems.append(&mut part.problems);
    }

    /// Checks one entry's name; returns a sub-folder to descend into, or queues a candidate.
    /// `unnamed`: a folder above it has a name that is not UTF-8.
    fn entry(&mut self, entry: &fs::DirEntry, prefix: &str, unnamed: bool) -> Option<Folder> {
        let os_name = entry.file_name();
        let rel = format!("{prefix}{}", os::name_lossy(&os_name));
        let utf8 = os_name.to_str();
        let name_ok = match utf8 {
            None => Err(PathProblem::NotUtf8),
            Some(name) => path_safety::check_name(name),
        };
        if let Err(problem) = name_ok {
            self.refuse(rel.clone(), Refusal::BadName(problem));
        }
        // Paths are kept as UTF-8 text, which cannot name a file under a name that is not UTF-8:
        // those few keep their real path, so that what is wrong with them is still examined.
        let unnamed = unnamed || utf8.is_none();
        // d_type from the directory read: no system call unless the filesystem leaves it unknown.
        match entry.file_type() {
            Ok(ft) if ft.is_dir() => {
                self.folders.push(rel.clone());
                Some(Folder { dir: entry.path(), prefix: format!("{rel}/"), unnamed })
            }
            Ok(ft) => {
                if unnamed {
                    self.unnamed.insert(rel.clone(), entry.path());
                }
                let file = TreeFile { rel, id: FileId::default(), size: 0, executable: false };
                if ft.is_file() {
                    self.files.push(file)
                } else {
                    self.others.push(file)
                }
                None
            }
            Err(e) => {
                self.refuse(rel, Refusal::Unreadable(e.to_string()));
                None
            }
        }
    }

    /// `lstat`s each of `files` (one, and an `access` for some, per file: most of a walk's cost,
    /// spread over the cores). Filled in place, a slice per task, and each path moved, never
    /// copied: 200,000 files once kept every path three times, and a result per file beside the
    /// list was 8 MB more. A refused file's path moves to its problem; the problems are returned.
    fn examine(root: &Path, unnamed: &HashMap<String, PathBuf>, files: &mut Vec<TreeFile>) -> Vec<Problem> {
        let slices: Vec<Mutex<&mut [TreeFile]>> = files.chunks_mut(256).map(Mutex::new).collect();
        let refused = crate::par::map(&slices, |slice| {
            let mut slice = slice.lock().expect("each slice is taken by one worker, which does not panic");
            let mut refused = Vec::new();
            for file in slice.iter_mut() {
                let found = match unnamed.get(&file.rel) {
                    Some(path) => classify(path),
                    None => classify(&root.join(&file.rel)),
                };
                match found {
                    Ok(found) => (file.id, file.size, file.executable) = (found.id, found.size, found.executable),
                    Err(refusal) => refused.push(Problem { path: std::mem::take(&mut file.rel), refusal }),
                }
            }
            refused
        });
        drop(slices);
        files.retain(|f| !f.rel.is_empty());
        refused.into_iter().flatten().collect()
    }

    /// Every file and folder path whose collision key another one already has, in byte order.
    /// `files` are sorted already.
    fn collisions(&mut self) {
        self.folders.sort_unstable();
        let names = merge_sorted(&self.folders, self.files.iter().map(|f| f.rel.as_str()));
        // Keyed by a hash of the collision key, and the keys compared only when hashes meet: one
        // String key per path was the largest part of the walk's memory at 200,000 files. The
        // keys (Unicode normalisation and case folding) are hashed on every core.
        let hash = |key: &str| {
            let mut h = std::hash::DefaultHasher::new();
            std::hash::Hash::hash(key, &mut h);
            std::hash::Hasher::finish(&h)
        };
        // A slice at a time: one buffer of every result at once was 3 MiB at 200,000 paths.
        let mut hashes = Vec::with_capacity(names.len());
        for slice in names.chunks(16 * 1024) {
            hashes.extend(crate::par::map(slice, |name| hash(&path_safety::collision_key(name))));
        }
        let mut seen: HashMap<u64, usize> = HashMap::with_capacity(names.len());
        // Distinct keys with the same hash, should two ever meet.
        let mut rare: HashMap<String, usize> = HashMap::new();
        let mut clashes = Vec::new();
        for (i, (name, &hashed)) in names.iter().zip(&hashes).enumerate() {
            let first = match seen.entry(hashed) {
                Entry::Vacant(slot) => {
                    slot.insert(i);
                    None
                }
                Entry::Occupied(o)
                    if path_safety::collision_key(names[*o.get()]) == path_safety::collision_key(name) =>
                {
                    Some(*o.get())
                }
                Entry::Occupied(_) => match rare.entry(path_safety::collision_key(name)) {
                    Entry::Occupied(o) => Some(*o.get()),
                    Entry::Vacant(slot) => {
                        slot.insert(i);
                        None
                    }
                },
            };
            if let Some(first) = first {
                clashes.push(Problem { path: name.to_string(), refusal: Refusal::Collides(names[first].into()) });
            }
        }
        self.problems.extend(clashes);
    }
}

/// A folder still to read: its real path, its path as shown and prefixed to its entries, and
/// whether a folder above it has a name that is not UTF-8.
struct Folder {
    dir: PathBuf,
    prefix: String,
    unnamed: bool,
}

/// The folders still to read, shared by the walk's workers, and how many are being read: the
/// walk is over when none is left and none is being read (which could find more).
struct Folders {
    state: Mutex<(Vec<Folder>, usize)>,
    changed: Condvar,
}

impl Folders {
    fn next(&self) -> Option<Folder> {
        let mut state = self.state.lock().expect("no walk worker panics holding the lock");
        loop {
            if let Some(folder) = state.0.pop() {
                state.1 += 1;
                return Some(folder);
            }
            if state.1 == 0 {
                return None;
            }
            state = self.changed.wait(state).expect("no walk worker panics holding the lock");
        }
    }

    /// The folder taken last has been read; `found` are its sub-folders.
    fn done(&self, found: &mut Vec<Folder>) {
        let mut state = self.state.lock().expect("no walk worker panics holding the lock");
        state.0.append(found);
        state.1 -= 1;
        self.changed.notify_all();
    }
}

/// Two lists sorted by bytes, as one; `folders` and files never share a path.
fn merge_sorted<'a>(folders: &'a [String], files: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut names = Vec::with_capacity(folders.len() + files.size_hint().0);
    let mut folders = folders.iter().map(String::as_str).peekable();
    for file in files {
        while let Some(folder) = folders.next_if(|folder| *folder < file) {
            names.push(folder);
        }
        names.push(file);
    }
    names.extend(folders);
    names
}

/// What `classify` found out about a regular, readable file.
struct Found {
    id: FileId,
    size: u64,
    executable: bool,
}

/// A regular, readable file, or the reason this entry cannot be evidence.
fn classify(path: &Path) -> Result<Found, Refusal> {
    let meta = fs::symlink_metadata(path).map_err(|e| Refusal::Unreadable(e.to_string()))?;
    let ft = meta.file_type();
    if ft.is_file() {
        os::check_readable(path, &meta).map_err(|e| Refusal::Unreadable(e.to_string()))?;
        return Ok(Found { id: os::file_id(&meta), size: meta.len(), executable: os::is_executable(&meta) });
    }
    Err(if ft.is_symlink() {
        let target = fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_default();
        Refusal::Symlink { target, dangling: fs::metadata(path).is_err() }
    } else if let Some(special) = os::special(&ft) {
        match special {
            Special::Fifo => Refusal::Fifo,
            Special::Socket => Refusal::Socket,
            Special::Device => Refusal::Device,
        }
    } else if ft.is_dir() {
        // Became a folder since the directory read.
        Refusal::Unreadable("changed type during the walk".into())
    } else {
        Refusal::Unknown
    })
}

#[cfg(all(test, unix))]
mod tests {
    use std::ffi::OsStr;
    use std::fs;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::symlink;

    use super::{Refusal, WalkError, merge_sorted, walk};

    /// The collision check's one list of every path, in byte order, from two sorted lists.
    #[test]
    fn folders_and_files_merge_in_byte_order() {
        let folders: Vec<String> = ["a", "a-b", "c", "z"].map(String::from).to_vec();
        let files = ["a-a", "a/x", "b", "c/d"];
        let mut expected: Vec<&str> = folders.iter().map(String::as_str).chain(files).collect();
        expected.sort_unstable();
        assert_eq!(merge_sorted(&folders, files.into_iter()), expected);
        assert_eq!(merge_sorted(&[], files.into_iter()), files);
    }

    /// What lies under a folder whose name is not UTF-8 is still examined through its real path:
    /// the list of reasons stays complete.
    #[test]
    fn entries_under_a_name_that_is_not_utf8_are_still_examined() {
        let dir = tempfile::tempdir().expect("temp dir");
        let bad = dir.path().join(OsStr::from_bytes(b"bad-\xff"));
        fs::create_dir(&bad).expect("mkdir");
        fs::write(bad.join("plain.txt"), "x").expect("write");
        symlink("plain.txt", bad.join("link")).expect("symlink");
        fs::write(dir.path().join(OsStr::from_bytes(b"file-\xfe")), "y").expect("write");
        let Err(WalkError::Refused(problems)) = walk(dir.path()) else { panic!("the tree is refused") };
        let found: Vec<(&str, String)> = problems.iter().map(|p| (p.path.as_str(), p.refusal.to_string())).collect();
        assert!(found.iter().any(|(p, r)| p.ends_with("/link") && r.contains("symbolic link")), "{found:?}");
        assert!(found.iter().all(|(_, r)| !r.contains("cannot be read")), "{found:?}");
        let names = problems.iter().filter(|p| matches!(p.refusal, Refusal::BadName(_))).count();
        assert_eq!(names, 2, "{found:?}");
    }
}
