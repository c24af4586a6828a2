//! The external readers of `--format markdown` and `--format dot`: node with commonmark.js and
//! Mermaid (`.tools/node`, see tests/support/node/check_markdown.mjs) and Graphviz `dot`. Installed
//! by scripts/install-test-tools.sh.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn pipe(mut cmd: Command, input: &str) -> (bool, String, String) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().expect("wait");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The Markdown as commonmark.js and Mermaid read it (see tests/support/node/check_markdown.mjs).
pub fn check_markdown(markdown: &str) -> Value {
    let modules = root().join(".tools/node/node_modules");
    assert!(
        modules.join("mermaid").exists(),
        "mermaid is not installed: run scripts/install-test-tools.sh"
    );
    let mut cmd = Command::new("node");
    cmd.arg(root().join("tests/support/node/check_markdown.mjs"))
        .env("NODE_TOOLS", &modules);
    let (ok, stdout, stderr) = pipe(cmd, markdown);
    assert!(ok, "node: {stderr}");
    serde_json::from_str(&stdout).expect("checker JSON")
}

/// The one Mermaid diagram, which must have parsed.
pub fn diagram(checked: &Value) -> &Value {
    let diagrams = checked["mermaid"].as_array().expect("mermaid list");
    assert_eq!(diagrams.len(), 1, "{checked:#}");
    assert_eq!(diagrams[0]["ok"], true, "Mermaid rejected it: {checked:#}");
    &diagrams[0]
}

pub fn labels(diagram: &Value) -> Vec<String> {
    diagram["vertices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["text"].as_str().unwrap().to_string())
        .collect()
}

/// `dot -Tsvg` of `dot`: the SVG, after asserting Graphviz accepted it without a word.
pub fn render_svg(dot: &str) -> String {
    let mut cmd = Command::new("dot");
    cmd.arg("-Tsvg");
    let (ok, svg, stderr) = pipe(cmd, dot);
    assert!(ok && stderr.is_empty(), "dot failed: {stderr}\n{dot}");
    svg
}

/// The text of each `<text>` element of an SVG, XML entities resolved.
pub fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text ")
        .skip(1)
        .filter_map(|t| {
            t.split_once('>')
                .and_then(|(_, rest)| rest.split_once("</text>"))
        })
        .map(|(text, _)| {
            text.replace("&#45;", "-")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .collect()
}
