//! in-toto Statement v1: the type lives with the other formats.

pub use crate::formats::statement::{STATEMENT_TYPE_V1, Statement, Subject};
