//! Accounts of the web app and the API: users, their business-unit scope, login sessions and
//! API tokens.
//!
//! Users and tokens are business records: they are created, changed and revoked through the
//! audited [`Writer`], and the audit log never holds a password hash or a token. Sessions are
//! not: they come and go with every login and are written straight to their table. Session ids
//! and tokens are stored only as hashes made by the caller, so the store never sees a secret
//! that opens anything.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use worth_core::ValidationError;
use worth_core::access::{Principal, Role};
use worth_core::audit::Action;
use worth_core::org::validate_name;

use crate::read::business_unit_id;
use crate::rows::{instant, instant_text, name_key, parse};
use crate::writer::WriteLock;
use crate::{Result, Store, StoreError, Writer};

/// A user of the web app and the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// The store's identifier.
    pub id: i64,
    /// The login name.
    pub name: String,
    /// The person the user is, as solutions name their owner.
    pub person: Option<String>,
    /// The role.
    pub role: Role,
    /// The business units an owner or sponsor is scoped to, by name.
    pub business_units: Vec<String>,
    /// Whether the user may no longer log in.
    pub disabled: bool,
}

impl User {
    /// The principal this user acts as, with `role` in force (a token's role, or the user's).
    pub fn principal(&self, role: Role) -> Principal {
        Principal {
            user: self.name.clone(),
            role,
            business_units: self.business_units.iter().map(|b| name_key(b)).collect(),
            person: self.person.clone(),
        }
    }
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// The login name.
    pub name: String,
    /// The person the user is, as solutions name their owner.
    pub person: Option<String>,
    /// The role.
    pub role: Role,
    /// The argon2id hash of the password, in PHC string form.
    pub password_hash: String,
    /// The business units of an owner or sponsor, by name.
    pub business_units: Vec<String>,
}

/// An API token, as listed: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// The store's identifier.
    pub id: i64,
    /// The user it acts for.
    pub user: String,
    /// What its creator called it.
    pub name: String,
    /// The role it carries, at most its user's.
    pub role: Role,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A user as the audit log shows it: no password hash.
#[derive(Debug, Serialize)]
struct AuditedUser<'a> {
    name: &'a str,
    person: Option<&'a str>,
    role: Role,
    business_units: &'a [String],
    disabled: bool,
}

impl<'a> From<&'a User> for AuditedUser<'a> {
    fn from(u: &'a User) -> Self {
        Self {
            name: &u.name,
            person: u.person.as_deref(),
            role: u.role,
            business_units: &u.business_units,
            disabled: u.disabled,
        }
    }
}

/// A token as the audit log shows it: no hash.
#[derive(Debug, Serialize)]
struct AuditedToken<'a> {
    user: &'a str,
    name: &'a str,
    role: Role,
}

impl Writer {
    /// Creates a user. Owners and sponsors must be scoped to at least one business unit.
    pub async fn add_user(&mut self, new: &NewUser) -> Result<User> {
        self.lock(WriteLock::Accounts).await?;
        let name = validate_name("name", &new.name)?;
        if name.chars().all(|c| c == '.') {
            // A path segment of only dots would be read as "this folder" or "the parent" in
            // the links of the users page.
            return Err(ValidationError::new("name", "must not be only dots").into());
        }
        if matches!(new.role, Role::Owner | Role::Sponsor) && new.business_units.is_empty() {
            return Err(ValidationError::new(
                "business units",
                "an owner or a sponsor sees only their business units: name at least one",
            )
            .into());
        }
        if !new.password_hash.starts_with("$argon2id$") {
            return Err(ValidationError::new("password", "must be an argon2id hash").into());
        }
        let clash = sqlx::query("SELECT name FROM users WHERE name_key = $1")
            .bind(name_key(&name))
            .fetch_optional(&mut *self.conn())
            .await?;
        if let Some(row) = clash {
            return Err(StoreError::Duplicate {
                entity: "user",
                name: row.get("name"),
                context: String::new(),
            });
        }
        let person = match new.person.as_deref() {
            Some(p) => Some(validate_name("person", p)?),
            None => None,
        };
        let row = sqlx::query(
            "INSERT INTO users (name, name_key, person, role, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(name.clone())
        .bind(name_key(&name))
        .bind(person.clone())
        .bind(new.role.to_string())
        .bind(new.password_hash.clone())
        .bind(instant_text(self.now()))
        .fetch_one(&mut *self.conn())
        .await?;
        let id: i64 = row.get("id");
        let mut units = BTreeSet::new();
        for unit in scoped_units(new.role, &new.business_units) {
            let (unit_id, unit_name) = business_unit_id(self.conn(), unit).await?;
            if units.insert(unit_name) {
                sqlx::query(
                    "INSERT INTO user_business_units (user_id, business_unit_id) VALUES ($1, $2)",
                )
                .bind(id)
                .bind(unit_id)
                .execute(&mut *self.conn())
                .await?;
            }
        }
        let user = User {
            id,
            name,
            person,
            role: new.role,
            business_units: units.into_iter().collect(),
            disabled: false,
        };
        self.record(Action::Create, "user", &user.name, None, Some(&AuditedUser::from(&user)))
            .await?;
        Ok(user)
    }

    /// Replaces a user's password hash; every session of the user ends.
    pub async fn set_password(&mut self, user: &str, password_hash: &str) -> Result<()> {
        if !password_hash.starts_with("$argon2id$") {
            return Err(ValidationError::new("password", "must be an argon2id hash").into());
        }
        self.lock(WriteLock::Accounts).await?;
        let u = find_user(self.conn(), user).await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash.to_owned())
            .bind(u.id)
            .execute(&mut *self.conn())
            .await?;
        self.end_sessions(u.id).await?;
        let shown = AuditedUser::from(&u);
        self.record(Action::Update, "user-password", &u.name, Some(&shown), Some(&shown)).await
    }

    /// Disables a user: no more logins; their sessions end and their live tokens are revoked,
    /// so that enabling them again revives nothing. The last active admin is not disabled.
    pub async fn disable_user(&mut self, user: &str) -> Result<User> {
        self.lock(WriteLock::Accounts).await?;
        let before = find_user(self.conn(), user).await?;
        if before.disabled {
            return Ok(before);
        }
        self.keep_an_admin(&before, None).await?;
        sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
            .bind(instant_text(self.now()))
            .bind(before.id)
            .execute(&mut *self.conn())
            .await?;
        self.end_sessions(before.id).await?;
        self.revoke_tokens_above(&before, None).await?;
        let after = User { disabled: true, ..before.clone() };
        self.record_user_change(&before, &after).await?;
        Ok(after)
    }

    /// Lets a disabled user log in again, with new sessions and new tokens only.
    pub async fn enable_user(&mut self, user: &str) -> Result<User> {
        self.lock(WriteLock::Accounts).await?;
        let before = find_user(self.conn(), user).await?;
        if !before.disabled {
            return Ok(before);
        }
        // Nothing from before comes back: not a token a disabling of an earlier version left
        // live, nor a session a login opened while the user was being disabled.
        self.revoke_tokens_above(&before, None).await?;
        self.end_sessions(before.id).await?;
        sqlx::query("UPDATE users SET disabled_at = NULL WHERE id = $1")
            .bind(before.id)
            .execute(&mut *self.conn())
            .await?;
        let after = User { disabled: false, ..before.clone() };
        self.record_user_change(&before, &after).await?;
        Ok(after)
    }

    /// Changes a user's role and business units. Their sessions act with the new access from
    /// the next request; their live tokens carrying more than the new role allows are revoked.
    /// Owners and sponsors keep at least one business unit; admins and analysts see every unit
    /// and keep none; the last active admin stays admin. A change that changes nothing writes
    /// nothing.
    pub async fn set_access(
        &mut self,
        user: &str,
        role: Role,
        business_units: &[String],
    ) -> Result<User> {
        self.lock(WriteLock::Accounts).await?;
        let before = find_user(self.conn(), user).await?;
        if matches!(role, Role::Owner | Role::Sponsor) && business_units.is_empty() {
            return Err(ValidationError::new(
                "business units",
                "an owner or a sponsor sees only their business units: name at least one",
            )
            .into());
        }
        self.keep_an_admin(&before, Some(role)).await?;
        let mut units = BTreeSet::new();
        let mut unit_ids = Vec::new();
        for unit in scoped_units(role, business_units) {
            let (unit_id, unit_name) = business_unit_id(self.conn(), unit).await?;
            if units.insert(unit_name) {
                unit_ids.push(unit_id);
            }
        }
        if role == before.role && units.iter().eq(before.business_units.iter()) {
            return Ok(before);
        }
        sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.to_string())
            .bind(before.id)
            .execute(&mut *self.conn())
            .await?;
        sqlx::query("DELETE FROM user_business_units WHERE user_id = $1")
            .bind(before.id)
            .execute(&mut *self.conn())
            .await?;
        for unit_id in unit_ids {
            sqlx::query(
                "INSERT INTO user_business_units (user_id, business_unit_id) VALUES ($1, $2)",
            )
            .bind(before.id)
            .bind(unit_id)
            .execute(&mut *self.conn())
            .await?;
        }
        let after = User { role, business_units: units.into_iter().collect(), ..before.clone() };
        self.revoke_tokens_above(&before, Some(&after)).await?;
        self.record_user_change(&before, &after).await?;
        Ok(after)
    }

    /// Confirms, under the lock of account writes, that `user` is still an active user with
    /// `role`: a request checked when it arrived may have waited for a write that demoted or
    /// disabled its caller, and must not act with the access it no longer has.
    pub async fn confirm_role(&mut self, user: &str, role: Role) -> Result<()> {
        self.lock(WriteLock::Accounts).await?;
        let u = find_user(self.conn(), user).await?;
        if u.disabled || u.role != role {
            return Err(ValidationError::new(
                "role",
                format!("{} is no longer an active {role}: their access changed meanwhile", u.name),
            )
            .into());
        }
        Ok(())
    }

    /// Ends every session of user `id`.
    async fn end_sessions(&mut self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *self.conn())
            .await?;
        Ok(())
    }

    /// Writes the audit entry of a change of a user, without their password hash.
    async fn record_user_change(&mut self, before: &User, after: &User) -> Result<()> {
        let (b, a) = (AuditedUser::from(before), AuditedUser::from(after));
        self.record(Action::Update, "user", &after.name, Some(&b), Some(&a)).await
    }

    /// Refuses to leave the workspace with no active admin: `user` is being disabled (`role`
    /// None) or given `role`.
    async fn keep_an_admin(&mut self, user: &User, role: Option<Role>) -> Result<()> {
        if user.role != Role::Admin || user.disabled || role == Some(Role::Admin) {
            return Ok(());
        }
        let others = sqlx::query(
            "SELECT COUNT(*) AS n FROM users WHERE role = $1 AND disabled_at IS NULL AND id <> $2",
        )
        .bind(Role::Admin.to_string())
        .bind(user.id)
        .fetch_one(&mut *self.conn())
        .await?
        .get::<i64, _>("n");
        if others == 0 {
            return Err(ValidationError::new(
                "role",
                format!("{} is the last active admin: make another user admin first", user.name),
            )
            .into());
        }
        Ok(())
    }

    /// Revokes the live tokens of `before` that `after` may not carry (all of them when the
    /// user is disabled, `after` None), each in the audit log.
    async fn revoke_tokens_above(&mut self, before: &User, after: Option<&User>) -> Result<()> {
        let live: Vec<ApiToken> = tokens(self.conn(), Some(&before.name))
            .await?
            .into_iter()
            .filter(|t| t.revoked_at.is_none())
            .filter(|t| after.is_none_or(|a| !a.principal(a.role).may_grant(t.role)))
            .collect();
        for t in live {
            self.revoke_token(t.id, None).await?;
        }
        Ok(())
    }

    /// Records a new API token of `user` by its hash, carrying `role` (at most the user's).
    pub async fn add_token(
        &mut self,
        user: &str,
        name: &str,
        token_hash: &str,
        role: Role,
    ) -> Result<ApiToken> {
        self.lock(WriteLock::Accounts).await?;
        let name = validate_name("token name", name)?;
        let u = find_user(self.conn(), user).await?;
        if !u.principal(u.role).may_grant(role) {
            return Err(ValidationError::new(
                "role",
                format!("a token of a user with role {} cannot carry role {role}", u.role),
            )
            .into());
        }
        let now = self.now();
        let row = sqlx::query(
            "INSERT INTO api_tokens (user_id, name, token_hash, role, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(u.id)
        .bind(name.clone())
        .bind(token_hash.to_owned())
        .bind(role.to_string())
        .bind(instant_text(now))
        .fetch_one(&mut *self.conn())
        .await?;
        let token = ApiToken {
            id: row.get("id"),
            user: u.name,
            name,
            role,
            created_at: now,
            revoked_at: None,
        };
        let shown = AuditedToken { user: &token.user, name: &token.name, role };
        self.record(Action::Create, "api-token", &token.id.to_string(), None, Some(&shown)).await?;
        Ok(token)
    }

    /// Revokes token `id`; `owner`, when given, must be the token's user.
    pub async fn revoke_token(&mut self, id: i64, owner: Option<&str>) -> Result<ApiToken> {
        let token = tokens(self.conn(), None)
            .await?
            .into_iter()
            .find(|t| t.id == id && owner.is_none_or(|o| name_key(o) == name_key(&t.user)))
            .ok_or_else(|| StoreError::NotFound {
                entity: "api token",
                name: id.to_string(),
                suggestion: None,
            })?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(instant_text(self.now()))
            .bind(id)
            .execute(&mut *self.conn())
            .await?;
        let shown = AuditedToken { user: &token.user, name: &token.name, role: token.role };
        self.record(Action::Delete, "api-token", &id.to_string(), Some(&shown), None).await?;
        Ok(ApiToken { revoked_at: Some(self.now()), ..token })
    }
}

impl Store {
    /// Every user, by name.
    pub async fn users(&self) -> Result<Vec<User>> {
        let mut conn = self.pool().acquire().await?;
        users(&mut conn, None).await
    }

    /// The user called `name` with their password hash, if they exist and may log in.
    pub async fn login_user(&self, name: &str) -> Result<Option<(User, String)>> {
        let mut conn = self.pool().acquire().await?;
        let row = sqlx::query(
            "SELECT id, password_hash FROM users WHERE name_key = $1 AND disabled_at IS NULL",
        )
        .bind(name_key(name))
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: i64 = row.get("id");
        let hash: String = row.get("password_hash");
        Ok(users(&mut conn, Some(id)).await?.pop().map(|u| (u, hash)))
    }

    /// Whether any user exists (the first admin comes from the command line).
    pub async fn has_users(&self) -> Result<bool> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(self.pool()).await?;
        Ok(row.get::<i64, _>("n") > 0)
    }

    /// Opens a session for `user_id`, whose password was checked against `password_hash`:
    /// `id_hash` is the hash of the id the browser keeps. Returns false, opening nothing, when
    /// the user was disabled or their password changed since it was checked (a login in flight
    /// does not outlive a disable or a password change that ends the user's sessions).
    pub async fn open_session(
        &self,
        id_hash: &str,
        user_id: i64,
        password_hash: &str,
        csrf: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool> {
        let now = Utc::now();
        let sqlite = self.backend() == crate::Backend::Sqlite;
        let mut tx = if sqlite {
            self.pool().begin_with("BEGIN IMMEDIATE").await?
        } else {
            self.pool().begin().await?
        };
        if !sqlite {
            WriteLock::Accounts.take(&mut tx).await?;
        }
        // Expired sessions are swept here, the only place that writes sessions.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(instant_text(now))
            .execute(&mut *tx)
            .await?;
        let opened = sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) \
             SELECT $1, id, $2, $3, $4 FROM users \
             WHERE id = $5 AND disabled_at IS NULL AND password_hash = $6",
        )
        .bind(id_hash.to_owned())
        .bind(csrf.to_owned())
        .bind(instant_text(now))
        .bind(instant_text(expires_at))
        .bind(user_id)
        .bind(password_hash.to_owned())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(opened == 1)
    }

    /// The user of an unexpired session and its CSRF token.
    pub async fn session(&self, id_hash: &str) -> Result<Option<(User, String)>> {
        let mut conn = self.pool().acquire().await?;
        let row = sqlx::query(
            "SELECT s.user_id, s.csrf, s.expires_at FROM sessions s \
             JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND u.disabled_at IS NULL",
        )
        .bind(id_hash.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        if instant("expires_at", &row.get::<String, _>("expires_at"))? <= Utc::now() {
            return Ok(None);
        }
        let csrf: String = row.get("csrf");
        Ok(users(&mut conn, Some(row.get("user_id"))).await?.pop().map(|u| (u, csrf)))
    }

    /// Ends a session.
    pub async fn close_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash.to_owned())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The user and role of a live token, by its hash.
    pub async fn token_user(&self, token_hash: &str) -> Result<Option<(User, Role)>> {
        let mut conn = self.pool().acquire().await?;
        let row = sqlx::query(
            "SELECT t.user_id, t.role FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL",
        )
        .bind(token_hash.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let role: Role = parse("role", &row.get::<String, _>("role"))?;
        // A token never carries more than its user may grant now, whatever happened to it.
        let user = users(&mut conn, Some(row.get("user_id"))).await?.pop();
        Ok(user.filter(|u| u.principal(u.role).may_grant(role)).map(|u| (u, role)))
    }

    /// API tokens, all or of one user.
    pub async fn tokens(&self, user: Option<&str>) -> Result<Vec<ApiToken>> {
        let mut conn = self.pool().acquire().await?;
        tokens(&mut conn, user).await
    }
}

/// The business units a user of `role` keeps: an owner's or a sponsor's; admins and analysts
/// see every unit and keep none.
fn scoped_units(role: Role, units: &[String]) -> &[String] {
    if matches!(role, Role::Owner | Role::Sponsor) { units } else { &[] }
}

async fn find_user(conn: &mut AnyConnection, name: &str) -> Result<User> {
    let row = sqlx::query("SELECT id FROM users WHERE name_key = $1")
        .bind(name_key(name))
        .fetch_optional(&mut *conn)
        .await?;
    let found = match row {
        Some(r) => users(conn, Some(r.get("id"))).await?.pop(),
        None => None,
    };
    found.ok_or_else(|| StoreError::NotFound {
        entity: "user",
        name: name.trim().to_owned(),
        suggestion: None,
    })
}

async fn users(conn: &mut AnyConnection, id: Option<i64>) -> Result<Vec<User>> {
    let rows = sqlx::query(
        "SELECT id, name, person, role, disabled_at FROM users \
         WHERE $1 IS NULL OR id = $1 ORDER BY name_key",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut list = Vec::with_capacity(rows.len());
    for r in rows {
        list.push(User {
            id: r.get("id"),
            name: r.get("name"),
            person: r.get("person"),
            role: parse("role", &r.get::<String, _>("role"))?,
            business_units: Vec::new(),
            disabled: r.get::<Option<String>, _>("disabled_at").is_some(),
        });
    }
    let units = sqlx::query(
        "SELECT ub.user_id, b.name FROM user_business_units ub \
         JOIN business_units b ON b.id = ub.business_unit_id \
         WHERE $1 IS NULL OR ub.user_id = $1 ORDER BY b.name_key",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for r in units {
        let user_id: i64 = r.get("user_id");
        if let Some(u) = list.iter_mut().find(|u| u.id == user_id) {
            u.business_units.push(r.get("name"));
        }
    }
    Ok(list)
}

async fn tokens(conn: &mut AnyConnection, user: Option<&str>) -> Result<Vec<ApiToken>> {
    let rows = sqlx::query(
        "SELECT t.id, u.name AS user_name, t.name, t.role, t.created_at, t.revoked_at \
         FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE $1 IS NULL OR u.name_key = $1 ORDER BY t.id",
    )
    .bind(user.map(name_key))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ApiToken {
                id: r.get("id"),
                user: r.get("user_name"),
                name: r.get("name"),
                role: parse("role", &r.get::<String, _>("role"))?,
                created_at: instant("created_at", &r.get::<String, _>("created_at"))?,
                revoked_at: r
                    .get::<Option<String>, _>("revoked_at")
                    .map(|t| instant("revoked_at", &t))
                    .transpose()?,
            })
        })
        .collect()
}
