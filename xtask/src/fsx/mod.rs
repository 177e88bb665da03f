//! Filesystem pieces every stage shares: the one path-safety check, the one evidence-tree walk,
//! the one way to open an input without following links, the one bounded read of a whole input
//! file, and the one way to write an output.

pub mod atomic;
pub mod open;
pub mod os;
pub mod path_safety;
pub mod read;
pub mod tree;

pub use atomic::AtomicFile;
