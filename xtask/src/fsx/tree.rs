//! The evidence-tree walk: every regular file under a folder, in full-path byte order
//! (`LC_ALL=C sort`), or the complete list of reasons the tree cannot be accepted.

use std::ffi::{OsStr, OsString};
use std::fmt::{self, Write as _};
use std::fs::{self, FileType};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

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

/// `path: what is wrong`, one line: a control character in the path (a newline in a file's name
/// from a pull request) is written escaped, so it cannot forge lines of the list it is in.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.path.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                f.write_char(c)?;
            }
        }
        write!(f, ": {}", self.refusal)
    }
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
    let known: std::collections::HashSet<(String, String)> = full.iter().map(problem_key).collect();
    full.extend(first.into_iter().filter(|p| !known.contains(&problem_key(p))));
    sort_problems(&mut full);
    full
}

/// By path, then by what is wrong: folders are read on several threads, so problems come in no
/// fixed order, and two for one path must not swap places from run to run.
fn sort_problems(problems: &mut [Problem]) {
    problems.sort_by_cached_key(problem_key);
}

/// A problem as the list tells it: two with the same key are one line.
fn problem_key(p: &Problem) -> (String, String) {
    (p.path.clone(), p.refusal.to_string())
}

/// Which entries the walk `lstat`s.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Examine {
    Every,
    /// Only those the directory read does not show to be regular files.
    NotRegular,
}

fn walk_examining(root: &Path, examine: Examine) -> Result<Vec<TreeFile>, WalkError> {
    let meta = fs::metadata(root).map_err(|e| WalkError::Root(root.to_path_buf(), e))?;
    if !meta.is_dir() {
        let e = io::Error::new(io::ErrorKind::NotADirectory, "not a directory");
        return Err(WalkError::Root(root.to_path_buf(), e));
    }
    let mut walker = Walker::default();
    walker.read_dirs(root).map_err(|e| WalkError::Root(root.to_path_buf(), e))?;
    let refused = Walker::examine(root, &mut walker.others);
    walker.problems.extend(refused);
    if examine == Examine::Every {
        let refused = Walker::examine(root, &mut walker.files);
        walker.problems.extend(refused);
    }
    walker.files.append(&mut walker.others);
    // `String` orders by bytes, as `LC_ALL=C sort` does; paths are unique, so unstable is exact.
    walker.files.sort_unstable_by(|a, b| a.rel.cmp(&b.rel));
    walker.collisions();
    if !walker.problems.is_empty() {
        sort_problems(&mut walker.problems);
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
    /// Every folder path, for the collision check (with the files' paths).
    folders: Vec<String>,
    problems: Vec<Problem>,
}

impl Walker {
    fn refuse(&mut self, path: String, refusal: Refusal) {
        self.problems.push(Problem { path, refusal });
    }

    /// Reads every folder under `root`. Only the root's own read error is fatal; below it,
    /// every error is collected so the user gets one complete list.
    ///
    /// The directory reads (the kernel's part, two thirds of a walk of 200,000 files) run on
    /// every core, ahead of this thread, which turns the names into the walk's lists in whatever
    /// order they come: everything is sorted afterwards. Every path the walk keeps is made here,
    /// on one thread, and the workers hand names over `BATCH` at a time, at most a few batches
    /// ahead: lists built per worker and joined took `sums --check` on 200,000 files from 62 to
    /// 70 MiB and more (one allocator arena per thread, each keeping what it had held).
    fn read_dirs(&mut self, root: &Path) -> io::Result<()> {
        let top = Arc::new(Folder { dir: root.to_path_buf(), prefix: String::new(), unnamed: false });
        let mut below = list_folder(&top, |names| {
            self.take(&top, names);
            true
        })?;
        if below.is_empty() {
            return Ok(());
        }
        let queue = Folders { state: Mutex::new((Vec::new(), 0)), changed: Condvar::new() };
        queue.add(&mut below, false);
        let (tx, rx) = std::sync::mpsc::sync_channel::<(Arc<Folder>, io::Result<Names>)>(4);
        std::thread::scope(|scope| {
            let queue = &queue;
            let started = crate::par::start(scope, crate::par::workers(), move || {
                queue.read_all(|folder, names| tx.send((folder, names)).is_ok());
            });
            for (folder, names) in rx {
                self.take_or_refuse(&folder, names);
            }
            if started == 0 {
                queue.read_all(|folder, names| {
                    self.take_or_refuse(&folder, names);
                    true
                });
            }
        });
        Ok(())
    }

    fn take_or_refuse(&mut self, folder: &Folder, names: io::Result<Names>) {
        match names {
            Ok(names) => self.take(folder, names),
            Err(e) => self.refuse(folder.shown(), Refusal::Unreadable(e.to_string())),
        }
    }

    /// Some of a folder's entries into the walk's lists.
    fn take(&mut self, folder: &Folder, names: Names) {
        for entry in names {
            match entry {
                Ok((name, kind)) => self.entry(folder, &name, &kind),
                Err(e) => self.refuse(folder.shown(), Refusal::Unreadable(e.to_string())),
            }
        }
    }

    /// Checks one entry's name, and queues it as a folder, a candidate file or something else.
    fn entry(&mut self, folder: &Folder, os_name: &OsStr, kind: &io::Result<FileType>) {
        let rel = format!("{}{}", folder.prefix, os::name_lossy(os_name));
        let utf8 = os_name.to_str();
        let name_ok = match utf8 {
            None => Err(PathProblem::NotUtf8),
            Some(name) => path_safety::check_name(name),
        };
        if let Err(problem) = name_ok {
            self.refuse(rel.clone(), Refusal::BadName(problem));
        }
        // Paths are kept as UTF-8 text, which cannot name a file under a name that is not UTF-8,
        // and two such names can read the same: an entry on such a path is examined here,
        // through its real path, and kept nowhere else (the tree is refused for the name anyway).
        if folder.unnamed || utf8.is_none() {
            match kind {
                Ok(ft) if ft.is_dir() => {}
                Ok(_) => {
                    if let Err(refusal) = classify(&folder.dir.join(os_name)) {
                        self.refuse(rel, refusal);
                    }
                }
                Err(e) => self.refuse(rel, Refusal::Unreadable(e.to_string())),
            }
            return;
        }
        match kind {
            Ok(ft) if ft.is_dir() => self.folders.push(rel),
            Ok(ft) => {
                let file = TreeFile { rel, id: FileId::default(), size: 0, executable: false };
                if ft.is_file() { self.files.push(file) } else { self.others.push(file) }
            }
            Err(e) => self.refuse(rel, Refusal::Unreadable(e.to_string())),
        }
    }

    /// `lstat`s each of `files` (one, and an `access` for some, per file: most of a walk's cost,
    /// spread over the cores). Filled in place, a slice per task, and each path moved, never
    /// copied: 200,000 files once kept every path three times, and a result per file beside the
    /// list was 8 MB more. A refused file's path moves to its problem; the problems are returned.
    fn examine(root: &Path, files: &mut Vec<TreeFile>) -> Vec<Problem> {
        let slices: Vec<Mutex<&mut [TreeFile]>> = files.chunks_mut(256).map(Mutex::new).collect();
        let refused = crate::par::map(&slices, |slice| {
            let mut slice = slice.lock().expect("each slice is taken by one worker, which does not panic");
            let mut refused = Vec::new();
            for file in slice.iter_mut() {
                match classify(&root.join(&file.rel)) {
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

    /// Every file and folder path whose collision key another one earlier in byte order has,
    /// with that one. Each path is reduced to a hash of its key (Unicode normalisation and case
    /// folding, on every core) and its place, and the pairs are sorted: only paths whose hashes
    /// meet are compared by their keys. A map of every hash, and a list of every path in byte
    /// order beside it, took 9 MiB at 200,000 paths; the pairs take 3.4 MiB.
    fn collisions(&mut self) {
        let hash = |path: &str| {
            let mut h = std::hash::DefaultHasher::new();
            std::hash::Hash::hash(&path_safety::collision_key(path), &mut h);
            std::hash::Hasher::finish(&h)
        };
        // A place below `files.len()` is a file's; above, a folder's.
        let mut keyed: Vec<(u64, usize)> = Vec::with_capacity(self.files.len() + self.folders.len());
        // A slice at a time: one buffer of every result at once was 3 MiB at 200,000 paths.
        for (n, slice) in self.files.chunks(16 * 1024).enumerate() {
            let hashes = crate::par::map(slice, |file| hash(&file.rel));
            keyed.extend(hashes.into_iter().enumerate().map(|(i, h)| (h, n * 16 * 1024 + i)));
        }
        let folders = crate::par::map(&self.folders, |folder| hash(folder));
        keyed.extend(folders.into_iter().enumerate().map(|(i, h)| (h, self.files.len() + i)));
        // Entries refused already (an unreadable file, a link) still take their name: both of
        // `walk_names`'s passes then name the same partner, and `sums` misses no collision.
        let refused: Vec<&str> = (self.problems.iter())
            .filter(|p| !matches!(p.refusal, Refusal::Collides(_)))
            .map(|p| p.path.as_str())
            .collect();
        let before = self.files.len() + self.folders.len();
        keyed.extend(refused.iter().enumerate().map(|(i, path)| (hash(path), before + i)));
        keyed.sort_unstable();
        let path = |place: usize| match self.files.get(place) {
            Some(file) => file.rel.as_str(),
            None if place < before => self.folders[place - self.files.len()].as_str(),
            None => refused[place - before],
        };
        let mut clashes = Vec::new();
        for same in keyed.chunk_by(|a, b| a.0 == b.0).filter(|same| same.len() > 1) {
            let mut paths: Vec<&str> = same.iter().map(|&(_, place)| path(place)).collect();
            paths.sort_unstable();
            // One entry can be both listed and refused (a bad name), or refused twice.
            paths.dedup();
            // Distinct keys may share a hash: the first path of each key is the one kept.
            let mut kept: Vec<(String, &str)> = Vec::new();
            for path in paths {
                let key = path_safety::collision_key(path);
                match kept.iter().find(|(k, _)| *k == key) {
                    Some((_, first)) => {
                        clashes.push(Problem { path: path.to_string(), refusal: Refusal::Collides((*first).into()) })
                    }
                    None => kept.push((key, path)),
                }
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

impl Folder {
    /// Its path as a problem names it: the evidence folder itself is `.`.
    fn shown(&self) -> String {
        match self.prefix.strip_suffix('/') {
            Some(path) => path.to_string(),
            None => ".".to_string(),
        }
    }
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

    /// Reads folders until none is left to read, handing their names to `hand` until it
    /// returns false; an unreadable folder is handed its error.
    fn read_all(&self, mut hand: impl FnMut(Arc<Folder>, io::Result<Names>) -> bool) {
        while let Some(folder) = self.next() {
            let folder = Arc::new(folder);
            let mut going = true;
            let listed = list_folder(&folder, |names| {
                going = hand(Arc::clone(&folder), Ok(names));
                going
            });
            let mut below = match listed {
                Ok(below) => below,
                Err(e) => {
                    going = hand(folder, Err(e));
                    Vec::new()
                }
            };
            self.add(&mut below, true);
            if !going {
                return;
            }
        }
    }

    /// `found` are to be read; with `read`, they are the sub-folders of the folder this worker
    /// took last, which has now been read.
    fn add(&self, found: &mut Vec<Folder>, read: bool) {
        let mut state = self.state.lock().expect("no walk worker panics holding the lock");
        state.0.append(found);
        if read {
            state.1 -= 1;
        }
        self.changed.notify_all();
    }
}

/// Entries of a folder as its read gave them: each name with its type (`d_type`), or the error
/// met reading on.
type Names = Vec<io::Result<(OsString, io::Result<FileType>)>>;

/// Names handed over at a time.
const BATCH: usize = 1024;

/// Reads `folder`, handing its entries to `hand`, `BATCH` at a time, until it returns false;
/// returns its sub-folders, to read next.
fn list_folder(folder: &Arc<Folder>, mut hand: impl FnMut(Names) -> bool) -> io::Result<Vec<Folder>> {
    let mut below = Vec::new();
    let mut names = Vec::with_capacity(BATCH);
    for entry in fs::read_dir(&folder.dir)? {
        let entry = entry.map(|e| (e.file_name(), e.file_type()));
        if let Ok((name, Ok(kind))) = &entry
            && kind.is_dir()
        {
            below.push(Folder {
                dir: folder.dir.join(name),
                prefix: format!("{}{}/", folder.prefix, os::name_lossy(name)),
                unnamed: folder.unnamed || name.to_str().is_none(),
            });
        }
        names.push(entry);
        if names.len() == BATCH && !hand(std::mem::replace(&mut names, Vec::with_capacity(BATCH))) {
            return Ok(below);
        }
    }
    if !names.is_empty() {
        hand(names);
    }
    Ok(below)
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

    use super::{Refusal, WalkError, walk};

    /// Each path that folds to the key of one before it (in byte order) is named with that one:
    /// files and folders alike, and three of a kind as two problems.
    #[test]
    fn a_collision_names_the_first_path_in_byte_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        for folder in ["Docs/a", "docs", "x"] {
            fs::create_dir_all(dir.path().join(folder)).expect("mkdir");
        }
        for file in
            ["Docs/a/f", "docs/g", "x/README", "x/ReadMe", "x/readme", "x/caf\u{e9}", "x/cafe\u{301}", "x/other"]
        {
            fs::write(dir.path().join(file), "x").expect("write");
        }
        fs::write(dir.path().join("DOCS"), "a file folding onto the folders").expect("write");
        let Err(WalkError::Refused(problems)) = walk(dir.path()) else { panic!("the tree is refused") };
        let found: Vec<(&str, String)> = problems.iter().map(|p| (p.path.as_str(), p.refusal.to_string())).collect();
        let collides = |with: &str| {
            format!(
                "collides with `{with}` under Unicode NFC + case folding (would merge on macOS/Windows) — rename one"
            )
        };
        assert_eq!(
            found,
            [
                ("Docs", collides("DOCS")),
                ("docs", collides("DOCS")),
                ("x/ReadMe", collides("x/README")),
                ("x/caf\u{e9}", collides("x/cafe\u{301}")),
                ("x/readme", collides("x/README")),
            ]
        );
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

    /// A newline in a name (a pull request can make one) is shown escaped: it cannot forge a
    /// line of the list of problems.
    #[test]
    fn a_newline_in_a_name_cannot_forge_a_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::write(dir.path().join("evil\n  ok.txt: fine"), "x").expect("write");
        let Err(WalkError::Refused(problems)) = walk(dir.path()) else { panic!("the tree is refused") };
        let shown = problems[0].to_string();
        assert!(shown.starts_with("evil\\n  ok.txt: fine: ") && !shown.contains('\n'), "{shown}");
    }

    /// Two names that are not UTF-8 read the same once made text: each is examined through its
    /// own real path (the link once, the regular file not as a link), and the problems of one
    /// path come in a fixed order, by what is wrong, whichever thread found them first.
    #[test]
    fn names_that_read_the_same_are_each_examined_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        symlink("/etc/passwd", dir.path().join(OsStr::from_bytes(b"x\xff"))).expect("symlink");
        fs::write(dir.path().join(OsStr::from_bytes(b"x\xfe")), "plain").expect("write");
        for _ in 0..3 {
            let Err(WalkError::Refused(problems)) = walk(dir.path()) else { panic!("the tree is refused") };
            let found: Vec<String> = problems.iter().map(ToString::to_string).collect();
            assert_eq!(
                found,
                [
                    "x\u{fffd}: name is not valid UTF-8 — rename it",
                    "x\u{fffd}: name is not valid UTF-8 — rename it",
                    "x\u{fffd}: symbolic link to `/etc/passwd` — copy the file itself into the evidence folder",
                ]
            );
        }
    }
}
