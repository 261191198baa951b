//! The workspace's secret key file, used to pseudonymize user identifiers at ingest.
//!
//! The key is kept out of the database on purpose: a copy of the store alone does not allow
//! anyone to test guessed identifiers against the stored pseudonyms.

use std::fs;
use std::io::Write;
use std::path::Path;

use worth_core::pseudonym::SecretKey;

use crate::{Result, StoreError};

/// Reads the key at `path`.
pub fn load(path: &Path) -> Result<SecretKey> {
    let text = fs::read_to_string(path).map_err(|e| key_error(path, &e.to_string()))?;
    SecretKey::from_hex(&text)
        .ok_or_else(|| key_error(path, "it does not hold a 64-digit hexadecimal key"))
}

/// Reads the key at `path`, or creates a new random one there (readable by its owner only).
pub fn load_or_create(path: &Path) -> Result<SecretKey> {
    if path.exists() {
        return load(path);
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| key_error(path, &e.to_string()))?;
    let key = SecretKey::from_bytes(bytes);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| key_error(path, &e.to_string()))?;
    writeln!(file, "{}", key.to_hex()).map_err(|e| key_error(path, &e.to_string()))?;
    Ok(key)
}

fn key_error(path: &Path, reason: &str) -> StoreError {
    StoreError::KeyFile { path: path.display().to_string(), reason: reason.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_key_is_read_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.key");
        let created = load_or_create(&path).unwrap();
        assert_eq!(load(&path).unwrap(), created);
        assert_eq!(load_or_create(&path).unwrap(), created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn a_damaged_key_file_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.key");
        fs::write(&path, "not a key").unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(err.contains("w.key") && err.contains("hexadecimal"), "{err}");
    }
}
