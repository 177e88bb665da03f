//! GitHub Actions' workflow-command channels: annotations on stdout, step outputs and the job
//! summary through the files the runner names in `GITHUB_OUTPUT` / `GITHUB_STEP_SUMMARY`.

use std::fs::OpenOptions;
use std::io::{self, Write};

pub fn in_actions() -> bool {
    std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true")
}

/// Any CI: progress bars would only fill logs with carriage returns.
pub fn in_ci() -> bool {
    in_actions() || std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}

/// `::error file=…,line=…::message`, escaped as the runner expects.
pub fn annotation(level: &str, file: Option<&str>, line: Option<usize>, message: &str) -> String {
    let mut props = Vec::new();
    if let Some(file) = file {
        props.push(format!("file={}", escape_property(file)));
    }
    if let Some(line) = line {
        props.push(format!("line={line}"));
    }
    let props = if props.is_empty() { String::new() } else { format!(" {}", props.join(",")) };
    format!("::{level}{props}::{}", escape_data(message))
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A path as annotations need it: relative to `$GITHUB_WORKSPACE` when it lies inside it.
pub fn workspace_relative(path: &std::path::Path) -> String {
    let absolute = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let inside = std::env::var_os("GITHUB_WORKSPACE")
        .and_then(|ws| std::path::PathBuf::from(ws).canonicalize().ok())
        .and_then(|ws| absolute.strip_prefix(ws).ok().map(|p| p.display().to_string()));
    inside.unwrap_or_else(|| path.display().to_string())
}

/// Appends `name=value` to `$GITHUB_OUTPUT` (heredoc form, safe for any value).
pub fn set_output(name: &str, value: &str) -> io::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_OUTPUT") else {
        return Ok(());
    };
    let delimiter = format!("signet_{}", crate::digest::Digest::of(value.as_bytes()));
    let mut f = OpenOptions::new().append(true).create(true).open(path)?;
    writeln!(f, "{name}<<{delimiter}\n{value}\n{delimiter}")
}

/// Appends Markdown to `$GITHUB_STEP_SUMMARY`.
pub fn append_summary(markdown: &str) -> io::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") else {
        return Ok(());
    };
    let mut f = OpenOptions::new().append(true).create(true).open(path)?;
    f.write_all(markdown.as_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn annotations_escape_separators() {
        assert_eq!(
            super::annotation("error", Some("a,b:c.sdoc"), Some(7), "50% done\nnext"),
            "::error file=a%2Cb%3Ac.sdoc,line=7::50%25 done%0Anext"
        );
    }
}
