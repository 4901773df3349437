//! Secret files (SPEC §1): `casestatus.api_key_file` and `serve
//! --token-file` are opened here and refused when others can read them or
//! anyone but the owner can write them — PostgreSQL's rule for its key
//! file. 0600, 0400, 0640 and 0440 pass; 0644, 0666 and 0620 do not. A
//! Kubernetes Secret volume passes with `defaultMode: 0440` and the pod's
//! `fsGroup`.
//!
//! The mode is read from the opened file (`fstat`), so a symlink is judged
//! by the file it leads to and the file checked is the file read.

use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The mode bits that make a secret file loose: write by the group, and
/// anything by others.
const LOOSE_BITS: u32 = 0o027;

/// Open the secret file at `path`; `what` names it in messages (e.g.
/// `--token-file`).
///
/// # Errors
/// A one-line message naming the file (never its content) when it cannot
/// be opened, is not a regular file, or its mode is looser than 0640.
pub fn open(path: &Path, what: &str) -> Result<File, String> {
    let shown = path.display();
    let file = File::open(path).map_err(|e| format!("cannot read {what} {shown}: {e}"))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read {what} {shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{what} {shown} is not a regular file"));
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode & LOOSE_BITS != 0 {
        let who = match (mode & 0o007 != 0, mode & 0o020 != 0) {
            (true, true) => "others can read it and its group can write it",
            (true, false) => "others can read it",
            (false, _) => "its group can write it",
        };
        return Err(format!(
            "{what} {shown} has mode {mode:04o}: {who}; a secret file must be 0600 or 0400 (0640 or 0440 for a group such as a Kubernetes Secret's fsGroup): chmod 600 {shown}"
        ));
    }
    Ok(file)
}

/// Create `folder` and any missing parents 0700 whatever the umask (SPEC
/// §1): each folder made here is set to 0700 after it is made, since the
/// umask can only take bits away at creation. Folders that already exist
/// are left as they are (they may be shared on purpose).
pub fn create_private_folders(folder: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    let mut missing = Vec::new();
    let mut at = Some(folder);
    while let Some(dir) = at.filter(|d| !d.as_os_str().is_empty()) {
        if dir.symlink_metadata().is_ok() {
            break;
        }
        missing.push(dir);
        at = dir.parent();
    }
    for dir in missing.into_iter().rev() {
        match std::fs::DirBuilder::new().mode(0o700).create(dir) {
            Ok(()) => std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?,
            // Made meanwhile by another run: it made it 0700 too.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    // Something else (a file) where the folder should be.
    if !std::fs::metadata(folder)?.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            "not a folder",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_postgresql_rule() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("secret");
        std::fs::write(&p, "x").unwrap();
        for (mode, ok) in [
            (0o600, true),
            (0o400, true),
            (0o640, true),
            (0o440, true),
            (0o644, false),
            (0o666, false),
            (0o620, false),
            (0o604, false),
        ] {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
            let r = open(&p, "--token-file");
            assert_eq!(r.is_ok(), ok, "{mode:o}: {:?}", r.err());
            if let Err(e) = r {
                assert!(
                    e.contains(&format!("{mode:04o}")) && e.contains("secret"),
                    "{e}"
                );
            }
        }
    }
}
