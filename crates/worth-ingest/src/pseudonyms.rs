//! Pseudonymizing user identifiers as they are read: each distinct identifier is hashed once
//! with the workspace key and given a small number, so that counting distinct users costs a
//! few bytes per user and no hashing per row.

use rustc_hash::FxHashMap;
use worth_core::pseudonym::SecretKey;

/// Distinct users met so far, numbered from 0 within one import.
#[derive(Debug)]
pub struct Pseudonyms {
    key: SecretKey,
    /// Raw spelling → number; several spellings of one user map to one number.
    index: FxHashMap<Box<[u8]>, u32>,
    /// Pseudonym → number, to find a spelling that differs only by case.
    by_pseudonym: FxHashMap<String, u32>,
    pseudonyms: Vec<String>,
}

impl Pseudonyms {
    /// An empty table hashing with `key`.
    pub fn new(key: SecretKey) -> Self {
        Self {
            key,
            index: FxHashMap::default(),
            by_pseudonym: FxHashMap::default(),
            pseudonyms: Vec::new(),
        }
    }

    /// The number of the user `id` (the raw bytes of a cell). Identifiers that differ only by
    /// case or surrounding spaces are one user, as they are for the platforms that issue them.
    pub fn intern(&mut self, id: &[u8]) -> u32 {
        if let Some(&n) = self.index.get(id) {
            return n;
        }
        self.intern_new(id)
    }

    #[cold]
    fn intern_new(&mut self, id: &[u8]) -> u32 {
        let pseudonym = self.key.pseudonymize(&String::from_utf8_lossy(id));
        let n = match self.by_pseudonym.get(&pseudonym) {
            Some(&n) => n,
            None => {
                let n = u32::try_from(self.pseudonyms.len()).unwrap_or(u32::MAX);
                self.by_pseudonym.insert(pseudonym.clone(), n);
                self.pseudonyms.push(pseudonym);
                n
            }
        };
        self.index.insert(id.into(), n);
        n
    }

    /// The pseudonym of user number `n`.
    pub fn pseudonym(&self, n: u32) -> &str {
        &self.pseudonyms[n as usize]
    }

    /// How many distinct users were met.
    pub fn len(&self) -> usize {
        self.pseudonyms.len()
    }

    /// Whether no user was met.
    pub fn is_empty(&self) -> bool {
        self.pseudonyms.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_user_are_one_number_and_the_id_is_not_kept() {
        let key = SecretKey::from_bytes([4; 32]);
        let mut p = Pseudonyms::new(key.clone());
        let a = p.intern(b"Ada@Contoso.com");
        assert_eq!(p.intern(b" ada@contoso.com"), a);
        assert_ne!(p.intern(b"bob@contoso.com"), a);
        assert_eq!(p.len(), 2);
        assert_eq!(p.pseudonym(a), key.pseudonymize("ada@contoso.com"));
        assert!(!p.pseudonym(a).contains("ada"));
    }
}
