//! Authentication: argon2id password hashes, session cookies, API tokens, CSRF tokens and the
//! limit on failed logins; and the [`Caller`] that every route receives.
//!
//! A session id and a token are 32 random bytes shown once (in a cookie, or to the user who
//! made the token); the store keeps only their BLAKE3 hash, so reading the database opens no
//! session. Passwords are hashed with argon2id at the crate's default cost.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use worth_core::access::{Action, Principal};
use worth_store::User;

use crate::error::Failure;
use crate::state::AppState;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "worth_session";
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;
/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 10;

/// Hashes a password with argon2id and a random salt, in PHC string form.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    if password.chars().count() < MIN_PASSWORD {
        anyhow::bail!("a password needs at least {MIN_PASSWORD} characters");
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
}

/// Whether `password` matches the PHC string `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A fresh random secret: 32 bytes as hex.
pub fn secret() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    hex::encode(bytes)
}

/// A short random id for error reports.
pub fn short_id() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    hex::encode(bytes)
}

/// The hash under which a secret (session id, token) is stored.
pub fn digest(secret: &str) -> String {
    blake3::hash(secret.as_bytes()).to_hex().to_string()
}

/// Compares two strings in time that does not depend on where they differ.
pub fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Counts failed logins per key (a user name, an address) in a sliding window, and refuses
/// further attempts once a key has failed too often.
#[derive(Debug)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
    max: usize,
    window: Duration,
}

impl LoginLimiter {
    /// A limiter of `max` failures per key within `window`.
    pub fn new(max: usize, window: Duration) -> Self {
        Self { failures: Mutex::new(HashMap::new()), max, window }
    }

    /// Whether `key` may try again now.
    pub fn allows(&self, key: &str) -> bool {
        let mut map = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        match map.get_mut(key) {
            Some(times) => {
                times.retain(|t| now.duration_since(*t) < self.window);
                times.len() < self.max
            }
            None => true,
        }
    }

    /// Whether `key` may try now; if so, the try is counted as a failure until
    /// [`LoginLimiter::succeeded`] or [`LoginLimiter::forgive`] takes it back. Checking and
    /// counting under one lock means tries sent at once cannot all pass before one is counted.
    pub fn try_once(&self, key: &str) -> bool {
        let mut map = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        // As in `failed`: a flood of names cannot make the map grow without bound.
        if map.len() > 10_000 {
            map.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < self.window));
        }
        let times = map.entry(key.to_owned()).or_default();
        times.retain(|t| now.duration_since(*t) < self.window);
        if times.len() >= self.max {
            return false;
        }
        times.push(now);
        true
    }

    /// Takes back the last try of `key` counted by [`LoginLimiter::try_once`].
    pub fn forgive(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(times) = map.get_mut(key) {
            times.pop();
        }
    }

    /// Records a failure of `key`.
    pub fn failed(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // A map that grows past many keys is swept of stale ones, so a flood of names cannot
        // make it grow without bound.
        if map.len() > 10_000 {
            let now = Instant::now();
            map.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < self.window));
        }
        map.entry(key.to_owned()).or_default().push(Instant::now());
    }

    /// Forgets the failures of `key` after a successful login.
    pub fn succeeded(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.remove(key);
    }
}

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session, with the CSRF token its forms must carry.
    Session {
        /// The session's CSRF token.
        csrf: String,
    },
    /// An API token (no CSRF: a token is never sent by a browser on its own).
    Token,
}

/// Who is calling: a user, the principal in force and how they proved it.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user.
    pub user: User,
    /// The role and scope in force.
    pub principal: Principal,
    /// Session or token.
    pub credential: Credential,
}

impl Caller {
    /// Refuses unless the caller's role allows `action`.
    pub fn require(&self, action: Action) -> Result<(), Failure> {
        if self.principal.may(action) {
            Ok(())
        } else {
            Err(Failure::Forbidden(format!(
                "the role {} may not do this; ask an admin",
                self.principal.role
            )))
        }
    }

    /// The CSRF token of a session caller.
    pub fn csrf(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf } => csrf,
            Credential::Token => "",
        }
    }

    /// Refuses a session caller whose form or header does not carry the session's CSRF token.
    pub fn check_csrf(&self, given: Option<&str>) -> Result<(), Failure> {
        match &self.credential {
            Credential::Token => Ok(()),
            Credential::Session { csrf } => match given {
                Some(g) if same(g, csrf) => Ok(()),
                _ => Err(Failure::Csrf),
            },
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        if let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, token)| token)
                .ok_or(Failure::Unauthorized)?;
            let (user, role) = state
                .store()
                .token_user(&digest(token.trim()))
                .await?
                .ok_or(Failure::Unauthorized)?;
            let principal = user.principal(role);
            return Ok(Self { user, principal, credential: Credential::Token });
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let id =
            jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()).ok_or(Failure::Unauthorized)?;
        let (user, csrf) =
            state.store().session(&digest(&id)).await?.ok_or(Failure::Unauthorized)?;
        let principal = user.principal(user.role);
        Ok(Self { user, principal, credential: Credential::Session { csrf } })
    }
}

impl axum::response::IntoResponse for Failure {
    fn into_response(self) -> axum::response::Response {
        crate::error::ApiError(self).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse battery!", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(hash_password("short").unwrap_err().to_string().contains("at least 10"));
    }

    #[test]
    fn the_limiter_refuses_after_max_failures_and_forgets_on_success() {
        let l = LoginLimiter::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(l.allows("ada"));
            l.failed("ada");
        }
        assert!(!l.allows("ada"));
        assert!(l.allows("grace"));
        l.succeeded("ada");
        assert!(l.allows("ada"));
    }

    #[test]
    fn a_try_counts_at_once_until_it_is_forgiven() {
        let l = LoginLimiter::new(2, Duration::from_secs(60));
        assert!(l.try_once("ada") && l.try_once("ada"));
        assert!(!l.try_once("ada"), "two tries in flight use up the limit");
        l.forgive("ada");
        assert!(l.try_once("ada"));
        l.succeeded("ada");
        assert!(l.try_once("ada"));
    }

    #[test]
    fn secrets_are_fresh_and_stored_hashed() {
        let (a, b) = (secret(), secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(digest(&a), a);
        assert!(same(&a, &a.clone()) && !same(&a, &b) && !same("ab", "abc"));
    }
}
