//! Pseudonymization of personal identifiers with a keyed hash.
//!
//! User object ids and principal names that come in platform exports are replaced by
//! `BLAKE3-keyed(workspace secret, normalized id)` before anything is stored or logged. The
//! same person gets the same pseudonym in every export of one workspace, so distinct users can
//! still be counted, but the identifier cannot be recovered without the secret.

use std::fmt;

/// The per-workspace secret key of the keyed hash. Its `Debug` form never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl SecretKey {
    /// Wraps 32 bytes of key material (created from the operating system's random source).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Reads a key from its 64-character hexadecimal form.
    pub fn from_hex(text: &str) -> Option<Self> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut bytes).ok()?;
        Some(Self(bytes))
    }

    /// The key in hexadecimal, for writing the key file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// A short public fingerprint, stored in the workspace to detect a wrong key file.
    pub fn fingerprint(&self) -> String {
        let digest = blake3::keyed_hash(&self.0, b"worth key fingerprint");
        digest.to_hex()[..16].to_owned()
    }

    /// The pseudonym of an identifier: the keyed hash of its trimmed, lowercased form, in hex.
    ///
    /// Lowercasing makes `Ada@Contoso.com` and `ada@contoso.com` the same person, as they are
    /// for the platforms that issue them.
    pub fn pseudonymize(&self, identifier: &str) -> String {
        let normalized = identifier.trim().to_lowercase();
        let digest = blake3::keyed_hash(&self.0, normalized.as_bytes());
        digest.to_hex()[..32].to_owned()
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({})", self.fingerprint())
    }
}

#[cfg(test)]
mod tests {
    use super::SecretKey;

    fn key(byte: u8) -> SecretKey {
        SecretKey::from_bytes([byte; 32])
    }

    #[test]
    fn same_identifier_same_pseudonym_whatever_its_case() {
        let k = key(7);
        assert_eq!(k.pseudonymize("Ada@Contoso.com "), k.pseudonymize("ada@contoso.com"));
        assert_ne!(k.pseudonymize("ada@contoso.com"), k.pseudonymize("bob@contoso.com"));
    }

    #[test]
    fn another_key_gives_another_pseudonym() {
        assert_ne!(key(1).pseudonymize("ada"), key(2).pseudonymize("ada"));
    }

    #[test]
    fn the_pseudonym_does_not_contain_the_identifier() {
        let p = key(3).pseudonymize("ada@contoso.com");
        assert!(!p.contains("ada"));
        assert_eq!(p.len(), 32);
    }

    #[test]
    fn keys_round_trip_through_hex_and_debug_hides_them() {
        let k = key(0xab);
        assert_eq!(SecretKey::from_hex(&k.to_hex()), Some(k.clone()));
        assert!(!format!("{k:?}").contains("abab"));
        assert_eq!(SecretKey::from_hex("zz"), None);
    }
}
