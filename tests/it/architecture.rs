//! The folders are the architecture: each layer may use only the layers
//! below it (cargo's and rust-analyzer's habit, kept true by a test).
//!
//! ```text
//! cli → commands → sync → rules → store → casestatus → util
//! sandbox: apart; used only by the demo and sandbox commands (and tests)
//! ```

use std::path::Path;

/// Layers from the bottom up; a module may use its own layer and lower ones.
const LAYERS: &[&str] = &[
    "util",
    "casestatus",
    "store",
    "rules",
    "sync",
    "commands",
    "cli",
];

fn rank(layer: &str) -> Option<usize> {
    LAYERS.iter().position(|l| *l == layer)
}

/// Every `crate::X` a source file names (in code or doc links).
fn uses(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.push(name);
        }
    }
    found
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_layer_uses_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut wrong = Vec::new();
    let mut checked = 0;
    for path in &all {
        let rel = path.strip_prefix(&src).expect("under src");
        let mut parts = rel.iter().map(|p| p.to_string_lossy().into_owned());
        let folder = parts.next().unwrap_or_default();
        if rel.components().count() < 2 {
            // lib.rs (the map) and main.rs (the edge) may name anything.
            continue;
        }
        let text = std::fs::read_to_string(path).expect("read");
        for used in uses(&text) {
            checked += 1;
            let allowed = match (folder.as_str(), used.as_str()) {
                (_, "sandbox") => {
                    folder == "sandbox"
                        || rel.ends_with("commands/demo.rs")
                        || rel.ends_with("commands/sandbox.rs")
                }
                ("sandbox", other) => other == "util" || other == "sandbox",
                (f, u) => match (rank(f), rank(u)) {
                    (Some(a), Some(b)) => b <= a,
                    _ => false,
                },
            };
            if !allowed {
                wrong.push(format!("{} uses crate::{used}", rel.display()));
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(checked > 100, "the scan found the sources ({checked} uses)");
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn no_source_file_is_over_700_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let long: Vec<String> = all
        .iter()
        .filter_map(|p| {
            let n = std::fs::read_to_string(p).ok()?.lines().count();
            (n > 700).then(|| format!("{} has {n} lines", p.display()))
        })
        .collect();
    assert!(long.is_empty(), "{}", long.join("\n"));
}
