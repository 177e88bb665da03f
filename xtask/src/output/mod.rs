//! How results leave the process: canonical JSON, terminal progress, GitHub Actions channels.

pub mod github;
pub mod json;
pub mod progress;

/// `--format`: human text, or one JSON document on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}
