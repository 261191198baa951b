//! `worth serve`: the web app and the HTTP API over the workspace's store, and `worth user`:
//! the accounts that log in to it (the first admin comes from here).

use std::io::BufRead;
use std::net::SocketAddr;

use anyhow::{Context as _, Result, bail};
use worth_core::access::Role;
use worth_server::{AppState, Settings};
use worth_store::NewUser;

use crate::commands::choice;
use crate::context::{Globals, say};
use crate::output::{Table, emit};

/// Options of `worth serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// The address to listen on; port 0 picks a free port.
    #[arg(long, env = "WORTH_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Mark the session cookie Secure: set it when users reach the server over TLS (a reverse
    /// proxy that terminates HTTPS).
    #[arg(long)]
    secure_cookies: bool,
    /// The largest upload accepted, in MiB.
    #[arg(long, default_value_t = 50)]
    max_upload_mib: usize,
}

pub(crate) async fn serve(g: &Globals, args: ServeArgs) -> Result<()> {
    let store = g.open().await?;
    if !store.has_users().await? {
        say(
            "worth: no user yet: create the first admin with `worth user add NAME --admin --password-stdin`",
        );
    }
    // Imports pseudonymize user ids with the workspace's key: the server needs the same file.
    let location = g.location()?;
    let key_path = g.key_file(&location);
    let key = match worth_store::keyfile::load(&key_path) {
        Ok(key) => {
            store.check_key(&key, &key_path).await?;
            Some(key)
        }
        Err(e) => {
            say(&format!("worth: imports are off: {e}"));
            None
        }
    };
    let settings = Settings {
        secure_cookies: args.secure_cookies,
        max_upload: args.max_upload_mib << 20,
        key,
        ..Settings::default()
    };
    let state = AppState::new(store, settings);
    worth_server::serve(state, args.addr, |bound| {
        say(&format!("worth: serving http://{bound}/ (Ctrl-C stops)"));
    })
    .await
}

/// `worth user`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum UserCommand {
    /// Create a user; the password is read from the first line of standard input.
    Add {
        /// The login name.
        name: String,
        /// admin, analyst, owner or sponsor.
        #[arg(long, value_parser = choice::<Role>, required_unless_present = "admin")]
        role: Option<Role>,
        /// Shorthand for --role admin.
        #[arg(long, conflicts_with = "role")]
        admin: bool,
        /// The person the user is, as solutions name their owner.
        #[arg(long)]
        person: Option<String>,
        /// A business unit of an owner or sponsor (repeatable).
        #[arg(long = "bu")]
        business_units: Vec<String>,
        /// Read the password from standard input (required: passwords are never arguments).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List the users.
    List,
    /// Set a user's password from standard input; their sessions end.
    Password {
        /// The login name.
        name: String,
        /// Read the password from standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Disable a user: no more logins; their sessions end and their tokens are revoked.
    Disable {
        /// The login name.
        name: String,
    },
    /// Let a disabled user log in again (with new sessions and tokens only).
    Enable {
        /// The login name.
        name: String,
    },
    /// Change a user's role and business units; tokens above the new role are revoked.
    Access {
        /// The login name.
        name: String,
        /// admin, analyst, owner or sponsor.
        #[arg(long, value_parser = choice::<Role>)]
        role: Role,
        /// A business unit of an owner or sponsor (repeatable; replaces the current ones).
        #[arg(long = "bu")]
        business_units: Vec<String>,
    },
}

fn read_password() -> Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!(
            "no password on standard input: pipe it in, e.g. `printf '%s\\n' \"$PASSWORD\" | worth user add …`"
        );
    }
    Ok(password)
}

pub(crate) async fn user(g: &Globals, cmd: UserCommand) -> Result<()> {
    let store = g.open().await?;
    match cmd {
        UserCommand::Add { name, role, admin, person, business_units, .. } => {
            let role = if admin { Role::Admin } else { role.unwrap_or(Role::Sponsor) };
            let password_hash = worth_server::auth::hash_password(&read_password()?)?;
            let mut w = store.write(&g.actor()).await?;
            let user =
                w.add_user(&NewUser { name, person, role, password_hash, business_units }).await?;
            w.commit().await?;
            say(&format!("worth: user '{}' added with role {}", user.name, user.role));
            list(g, vec![user])
        }
        UserCommand::List => list(g, store.users().await?),
        UserCommand::Password { name, .. } => {
            let password_hash = worth_server::auth::hash_password(&read_password()?)?;
            let mut w = store.write(&g.actor()).await?;
            w.set_password(&name, &password_hash).await?;
            w.commit().await?;
            say(&format!("worth: password of '{}' changed; their sessions ended", name.trim()));
            Ok(())
        }
        UserCommand::Disable { name } => {
            let mut w = store.write(&g.actor()).await?;
            let user = w.disable_user(&name).await?;
            w.commit().await?;
            list(g, vec![user])
        }
        UserCommand::Enable { name } => {
            let mut w = store.write(&g.actor()).await?;
            let user = w.enable_user(&name).await?;
            w.commit().await?;
            list(g, vec![user])
        }
        UserCommand::Access { name, role, business_units } => {
            let mut w = store.write(&g.actor()).await?;
            let user = w.set_access(&name, role, &business_units).await?;
            w.commit().await?;
            list(g, vec![user])
        }
    }
}

fn list(g: &Globals, users: Vec<worth_store::User>) -> Result<()> {
    let mut table = Table::new(&["user", "person", "role", "business units", "status"]);
    for u in &users {
        table.row([
            u.name.clone(),
            u.person.clone().unwrap_or_default(),
            u.role.to_string(),
            u.business_units.join(", "),
            if u.disabled { "disabled".into() } else { "active".into() },
        ]);
    }
    emit(g.format, &users, &table)
}
