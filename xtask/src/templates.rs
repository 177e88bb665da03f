//! minijinja templates, embedded in the binary from `templates/` at the repository root, so an
//! installed `signet` needs no files beside it. HTML templates auto-escape.

use std::path::Path;
use std::sync::OnceLock;

use minijinja::Environment;
use serde::Serialize;

const EMBEDDED: &[(&str, &str)] = &[
    ("rtm.html", include_str!("../../templates/rtm.html")),
    ("rtm-row.html", include_str!("../../templates/rtm-row.html")),
    ("rtm-summary.md", include_str!("../../templates/rtm-summary.md")),
    ("request.md", include_str!("../../templates/request.md")),
    ("evidence-report.html", include_str!("../../templates/evidence-report.html")),
    ("report-summary.md", include_str!("../../templates/report-summary.md")),
    ("inspect-head.html", include_str!("../../templates/inspect-head.html")),
    ("inspect-index.html", include_str!("../../templates/inspect-index.html")),
    ("inspect-trail.html", include_str!("../../templates/inspect-trail.html")),
    ("compliance.html", include_str!("../../templates/compliance.html")),
    ("csa-record.html", include_str!("../../templates/csa-record.html")),
];

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in EMBEDDED {
            env.add_template(name, source).expect("embedded templates are tested to parse");
        }
        env
    })
}

/// Renders an embedded template. Errors are Signet's own bugs (the templates are tested).
pub fn render(name: &str, ctx: impl Serialize) -> String {
    environment()
        .get_template(name)
        .and_then(|t| t.render(minijinja::value::Serde(ctx)))
        .unwrap_or_else(|e| panic!("template {name} failed to render: {e:#}"))
}

/// Renders `name` from `overrides` when that folder has a file of that name, else the embedded
/// template. For user-supplied templates, so errors are returned (with the line) instead of
/// treated as Signet's bugs.
pub fn render_with(overrides: Option<&Path>, name: &str, ctx: impl Serialize) -> Result<String, String> {
    let Some(path) = overrides.map(|d| d.join(name)).filter(|p| p.exists()) else {
        return Ok(render(name, ctx));
    };
    let source = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut env = environment().clone();
    env.add_template_owned(name.to_string(), source)
        .and_then(|()| env.get_template(name)?.render(minijinja::value::Serde(ctx)))
        .map_err(|e| format!("{}: {e:#}", path.display()))
}

/// A template used verbatim by another engine (the typst PDF template), with the same
/// override rule as [`render_with`].
pub fn source_with(overrides: Option<&Path>, name: &str, embedded: &'static str) -> Result<String, String> {
    match overrides.map(|d| d.join(name)).filter(|p| p.exists()) {
        Some(path) => std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display())),
        None => Ok(embedded.to_string()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_embedded_template_parses() {
        let env = super::environment();
        for (name, _) in super::EMBEDDED {
            assert!(env.get_template(name).is_ok(), "{name}");
        }
    }
}
