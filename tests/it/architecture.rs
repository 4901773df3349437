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

/// A source file as a module: its path from the crate root
/// (`src/rules/case_body.rs` is `rules::case_body`, `src/store/fluentcase/mod.rs`
/// is `store::fluentcase`) and its text.
struct Module {
    path: Vec<String>,
    file: String,
    text: String,
}

fn modules() -> Vec<Module> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut out = Vec::new();
    for p in all {
        let rel = p.strip_prefix(&src).expect("under src");
        let mut path: Vec<String> = rel
            .iter()
            .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
            .collect();
        if path.len() == 1 {
            continue; // lib.rs and main.rs: the crate root
        }
        if path.last().is_some_and(|l| l == "mod") {
            path.pop();
        }
        let text = std::fs::read_to_string(&p).expect("read");
        out.push(Module {
            path,
            file: rel.display().to_string(),
            text,
        });
    }
    out
}

/// The code of a file without comments and without its unit tests (the
/// `#[cfg(test)] mod tests` at the end): what the built library depends on.
fn code(text: &str) -> String {
    let end = text
        .find("#[cfg(test)]\nmod ")
        .or_else(|| text.find("#[cfg(test)]\n#[path"))
        .unwrap_or(text.len());
    text[..end]
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The first names of a use tree's branches: `a::X` → [a], `{a::X, b}` → [a, b].
fn heads(tree: &str) -> Vec<String> {
    let tree = tree.trim_start();
    let Some(inner) = tree.strip_prefix('{') else {
        return vec![ident(tree)];
    };
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                out.push(ident(inner[start..i].trim()));
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(ident(inner[start..i].trim()));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.retain(|h| !h.is_empty());
    out
}

/// Every module path a file's code names: `crate::a::b::…` and `super::…`,
/// as absolute paths (only as deep as needed to tell siblings apart).
fn references(m: &Module) -> Vec<Vec<String>> {
    let code = code(&m.text);
    let mut out = Vec::new();
    for (start, base) in [
        ("crate::", Vec::new()),
        ("super::", {
            // `super` of rules/case_body.rs is rules; of store/fluentcase/mod.rs, store.
            let mut b = m.path.clone();
            b.pop();
            b
        }),
    ] {
        let mut rest = code.as_str();
        while let Some(i) = rest.find(start) {
            let before = rest[..i].chars().last();
            rest = &rest[i + start.len()..];
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                continue; // `foo::super::` or `xcrate::`: not ours
            }
            let mut path = base.clone();
            let mut tail = rest;
            loop {
                if tail.trim_start().starts_with('{') {
                    for h in heads(tail) {
                        let mut p = path.clone();
                        p.push(h);
                        out.push(p);
                    }
                    break;
                }
                let name = ident(tail);
                if name.is_empty() {
                    out.push(path.clone());
                    break;
                }
                tail = &tail[name.len()..];
                path.push(name);
                match tail.strip_prefix("::") {
                    Some(t) => tail = t,
                    None => {
                        out.push(path.clone());
                        break;
                    }
                }
            }
        }
    }
    out
}

/// No cycle among the modules of one folder: inside `rules/`, if
/// `case_body` uses `eligibility`, `eligibility` may not use `case_body`,
/// directly or through other siblings. (A cycle means the two are one
/// module in two files, or a shared piece wants a module of its own.)
/// The same holds inside every folder, nested ones (`commands/fleet/`)
/// included. Comments, doc links and `#[cfg(test)] mod tests` do not count.
#[test]
fn no_cycle_among_the_modules_of_a_folder() {
    let mods = modules();
    let known: std::collections::BTreeSet<Vec<String>> =
        mods.iter().map(|m| m.path.clone()).collect();
    // folder → sibling → siblings it uses
    let mut graph: std::collections::BTreeMap<
        Vec<String>,
        std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
    > = Default::default();
    let mut edges = 0;
    for m in &mods {
        for r in references(m) {
            // The one level where the reference crosses between siblings:
            // the first place its path leaves this module's.
            let Some(k) = (0..m.path.len().min(r.len())).find(|&k| m.path[k] != r[k]) else {
                continue; // into itself or its own children
            };
            if !known.contains(&r[..=k]) {
                continue; // an item of the folder's own mod.rs, not a sibling
            }
            let folder = m.path[..k].to_vec();
            if folder.is_empty() {
                continue; // between layers: the layering test's business
            }
            edges += 1;
            graph
                .entry(folder)
                .or_default()
                .entry(m.path[k].clone())
                .or_default()
                .insert(r[k].clone());
        }
    }
    assert!(edges > 20, "the scan found sibling uses ({edges})");
    let mut cycles = Vec::new();
    for (folder, g) in &graph {
        for cycle in strongly_connected(g) {
            let folder = folder.join("/");
            let named: Vec<String> = cycle.iter().map(|n| format!("{folder}/{n}")).collect();
            cycles.push(format!("{} use each other", named.join(" ↔ ")));
        }
    }
    assert!(
        cycles.is_empty(),
        "modules of one folder in a cycle:\n{}",
        cycles.join("\n")
    );
}

/// The groups of two or more nodes that reach each other (Tarjan's
/// strongly connected components), each sorted.
fn strongly_connected(
    g: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
) -> Vec<Vec<String>> {
    use std::collections::BTreeMap;
    struct Walk<'g> {
        g: &'g BTreeMap<String, std::collections::BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'g>(w: &mut Walk<'g>, v: &'g str) {
        let i = w.index.len();
        w.index.insert(v, i);
        w.low.insert(v, i);
        w.stack.push(v);
        if let Some(next) = w.g.get(v) {
            for u in next {
                let u = u.as_str();
                if !w.index.contains_key(u) {
                    visit(w, u);
                    let l = w.low[u].min(w.low[v]);
                    w.low.insert(v, l);
                } else if w.stack.contains(&u) {
                    let l = w.index[u].min(w.low[v]);
                    w.low.insert(v, l);
                }
            }
        }
        if w.low[v] == w.index[v] {
            let mut group = Vec::new();
            while let Some(u) = w.stack.pop() {
                group.push(u.to_string());
                if u == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                w.found.push(group);
            }
        }
    }
    let mut w = Walk {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in g.keys() {
        if !w.index.contains_key(v.as_str()) {
            visit(&mut w, v);
        }
    }
    w.found
}

/// One path per name. A `pub use` (of any visibility: `pub(crate)` too)
/// may only lift an item out of a *private* child module declared in the
/// same file — a folder's `mod.rs` as its facade (`mod types; pub use
/// types::*;`), so the item has exactly one public path. Re-exporting a
/// sibling's or another layer's item (`pub use crate::rules::reasons::X`
/// in `eligibility.rs`), or a public child's (`pub mod x; pub use x::Y`),
/// gives one thing two names, and a hub that everything imports through.
#[test]
fn pub_use_lifts_only_a_private_child() {
    let mut wrong = Vec::new();
    let mut seen = 0;
    for m in modules() {
        let code = code(&m.text);
        let private_children: Vec<String> = code
            .lines()
            .filter_map(|l| {
                let name = l.trim().strip_prefix("mod ")?;
                let name = ident(name);
                (!name.is_empty()).then_some(name)
            })
            .collect();
        let mut rest = code.as_str();
        while let Some(i) = rest.find("pub") {
            let line_start = rest[..i].rfind('\n').map_or(0, |n| n + 1);
            let at_start = rest[line_start..i].trim().is_empty();
            rest = &rest[i + 3..];
            if !at_start {
                continue;
            }
            // `pub`, `pub(crate)`, `pub(in crate::x)`, `pub(super)`
            let mut tail = rest;
            if let Some(t) = tail.strip_prefix('(') {
                let Some(close) = t.find(')') else { continue };
                tail = &t[close + 1..];
            }
            let Some(tree) = tail.trim_start().strip_prefix("use ") else {
                continue;
            };
            seen += 1;
            let stmt = &tree[..tree.find(';').unwrap_or(tree.len())];
            let tree = stmt.trim().strip_prefix("self::").unwrap_or(stmt.trim());
            for head in heads(tree) {
                if !private_children.contains(&head) {
                    let shown: String = stmt.split_whitespace().collect::<Vec<_>>().join(" ");
                    wrong.push(format!("{}: pub use {shown}", m.file));
                }
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(seen > 3, "the scan found the pub uses ({seen})");
    assert!(
        wrong.is_empty(),
        "a pub use that re-exports another module's item (give it one path):\n{}",
        wrong.join("\n")
    );
}
