//! minijinja templates, embedded in the binary from `templates/` at the repository root, so an
//! installed `signet` needs no files beside it. HTML templates auto-escape.

use std::sync::OnceLock;

use minijinja::Environment;
use serde::Serialize;

const EMBEDDED: &[(&str, &str)] = &[
    ("rtm.html", include_str!("../../templates/rtm.html")),
    ("rtm-row.html", include_str!("../../templates/rtm-row.html")),
    ("rtm-summary.md", include_str!("../../templates/rtm-summary.md")),
    ("request.md", include_str!("../../templates/request.md")),
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
