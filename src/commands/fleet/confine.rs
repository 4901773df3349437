//! Firms cannot reach each other (SPEC §5): before a firm runs, every file
//! its config names must lie inside its own folder — the API key file
//! also under `--keys-dir` — once symlinks are followed. A path that
//! leaves them (`..`, an absolute path elsewhere, a symlink out, a
//! dangling symlink that SQLite would create a file through) refuses the
//! firm with one line, so one firm's config can never open another's
//! state file or send another's key to its own `base_url`.

use std::path::{Component, Path, PathBuf};

use crate::util::config::Config;

/// Check `config` (loaded from `config_path` in `firm_dir`) against its
/// folder and `keys_dir`.
///
/// # Errors
/// One line naming the setting, the path as written and where it leads.
pub fn check(
    firm_dir: &Path,
    config_path: &Path,
    config: &Config,
    keys_dir: &Path,
) -> Result<(), String> {
    let home = firm_dir
        .canonicalize()
        .map_err(|e| format!("cannot resolve the firm folder {}: {e}", firm_dir.display()))?;
    let keys = keys_dir.canonicalize().ok();
    let own: [&Path; 1] = [&home];
    let with_keys: Vec<&Path> = std::iter::once(home.as_path())
        .chain(keys.as_deref())
        .collect();
    let mut checks: Vec<(&str, &Path, &[&Path])> = vec![
        ("the config file", config_path, &own),
        ("fluentcase.database", &config.fluentcase.database, &own),
        ("state.database", &config.state_database, &own),
    ];
    // Written after every sync: outside its folder it could overwrite
    // another firm's state file.
    if let Some(textfile) = &config.metrics_textfile {
        checks.push(("metrics.textfile", textfile, &own));
    }
    if let Some(key_file) = &config.casestatus.api_key_file {
        checks.push(("casestatus.api_key_file", key_file, &with_keys));
    }
    for (what, path, roots) in checks {
        let outside = |to: &str| {
            let also = if roots.len() > 1 {
                format!(" or under --keys-dir {}", keys_dir.display())
            } else {
                String::new()
            };
            format!(
                "refused: {what} {} {to}; a firm's files must lie in its own folder {}{also}",
                path.display(),
                home.display()
            )
        };
        match resolve(path) {
            Some(real) if roots.iter().any(|r| real.starts_with(r)) => {}
            Some(real) => return Err(outside(&format!("leads to {}", real.display()))),
            None => {
                return Err(outside(
                    "cannot be resolved (a dangling symlink, or `..` past a missing folder)",
                ))
            }
        }
    }
    Ok(())
}

/// Where `path` really leads: its longest existing ancestor with every
/// symlink followed, then the missing rest (which may not hold `..`).
/// None for a dangling symlink or a `..` in the missing rest.
fn resolve(path: &Path) -> Option<PathBuf> {
    let mut rest = Vec::new();
    let mut at = path;
    loop {
        if at.symlink_metadata().is_ok() {
            let mut real = at.canonicalize().ok()?;
            for part in rest.iter().rev() {
                real.push(part);
            }
            return Some(real);
        }
        let name = at.file_name()?;
        if !matches!(at.components().next_back(), Some(Component::Normal(_))) {
            return None;
        }
        rest.push(name.to_os_string());
        at = at.parent()?;
        if at.as_os_str().is_empty() {
            at = Path::new(".");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_follows_symlinks_and_refuses_dangling_ones() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::create_dir_all(root.join("b")).unwrap();
        assert_eq!(
            resolve(&root.join("a/new/x.db")),
            Some(root.join("a/new/x.db"))
        );
        assert_eq!(resolve(&root.join("a/../b/x")), Some(root.join("b/x")));
        assert_eq!(resolve(&root.join("a/missing/../../b/x")), None);
        std::os::unix::fs::symlink(root.join("b"), root.join("a/link")).unwrap();
        assert_eq!(resolve(&root.join("a/link/x")), Some(root.join("b/x")));
        std::os::unix::fs::symlink(root.join("b/none"), root.join("a/dangling")).unwrap();
        assert_eq!(resolve(&root.join("a/dangling")), None);
    }
}
