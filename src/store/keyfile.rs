//! The API key from a secret file (`casestatus.api_key_file`): a
//! Kubernetes Secret volume, a systemd `LoadCredential=` file, a Docker
//! secret. Read at every run and never copied into the state file, so
//! rotating the Secret is all it takes to rotate the key.
//!
//! Errors name the file, never its content.

use std::io::Read;
use std::path::Path;

use crate::casestatus::ApiKey;
use crate::util::exit::SetupError;

/// Larger files are not an API key (someone pointed at the wrong file).
const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// Read the key from `path`, trimming surrounding whitespace.
///
/// # Errors
/// [`SetupError`] naming the file when it cannot be read, is looser than
/// 0640 ([`crate::util::secret_file`]), is empty, too
/// large, not UTF-8, or holds whitespace inside the key.
pub fn read(path: &Path) -> Result<ApiKey, SetupError> {
    let shown = path.display();
    let mut raw = String::new();
    crate::util::secret_file::open(path, "the API key file (casestatus.api_key_file)")
        .map_err(SetupError)?
        .take(MAX_KEY_FILE_BYTES + 1)
        .read_to_string(&mut raw)
        .map_err(|e| {
            SetupError(format!(
                "cannot read the API key file {shown} (casestatus.api_key_file): {e}"
            ))
        })?;
    if raw.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(SetupError(format!(
            "the API key file {shown} (casestatus.api_key_file) is larger than {MAX_KEY_FILE_BYTES} bytes; it should hold only the key"
        )));
    }
    let key = ApiKey::new(&raw);
    if key.expose().is_empty() {
        return Err(SetupError(format!(
            "the API key file {shown} (casestatus.api_key_file) is empty; put the key from CaseStatus's settings in it"
        )));
    }
    if key
        .expose()
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(SetupError(format!(
            "the API key file {shown} (casestatus.api_key_file) has spaces or line breaks inside the key; it should hold the key as one string"
        )));
    }
    Ok(key)
}

/// SPEC §1's rule for secret files (PostgreSQL's for its key file): a
/// secret file must give others no access and no one but its owner write
/// access. 0600, 0400, 0640 and 0440 pass (a Kubernetes Secret volume with
/// `defaultMode: 0440` and the pod's `fsGroup`); 0644 and 0660 do not.
pub fn mode_is_private(mode: u32) -> bool {
    mode & 0o027 == 0
}

/// The permission bits of `path` (`0o640`), following links as reading does.
///
/// # Errors
/// The file's metadata cannot be read.
pub fn mode_of(path: &Path) -> std::io::Result<u32> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::metadata(path)?.permissions().mode() & 0o7777)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_refuses_empty_or_missing_without_showing_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("key");
        std::fs::write(&p, "  abc-123\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read(&p).unwrap().expose(), "abc-123");
        std::fs::write(&p, " \n").unwrap();
        let e = read(&p).unwrap_err().to_string();
        assert!(
            e.contains("empty") && e.contains(&p.display().to_string()),
            "{e}"
        );
        std::fs::write(&p, "abc def-secret").unwrap();
        let e = read(&p).unwrap_err().to_string();
        assert!(!e.contains("def-secret"), "{e}");
        let e = read(&dir.path().join("nope")).unwrap_err().to_string();
        assert!(e.contains("nope") && e.contains("cannot read"), "{e}");
    }

    #[test]
    fn the_secret_file_rule_is_postgresqls() {
        for ok in [0o600, 0o400, 0o640, 0o440] {
            assert!(mode_is_private(ok), "{ok:o}");
        }
        for bad in [0o644, 0o660, 0o604, 0o666, 0o602] {
            assert!(!mode_is_private(bad), "{bad:o}");
        }
    }
}
