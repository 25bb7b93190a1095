//! Sign-in, sessions, passwords and tokens. Each use case takes the actor (or the credentials),
//! checks, hashes outside the transaction, and writes in one transaction with its audit entry.

use rand::RngCore;
use sha2::{Digest, Sha256};

use super::actor::{Actor, Permission, Scope};
use super::model::{Failures, Session, SessionKind, check_policy};
use super::{password, store as auth_store};
use crate::App;
use crate::error::{Code, Error, Result};
use crate::org::model::{User, UserStatus};
use crate::org::store as org_store;
use crate::store::{self, Store, audit};

const MINUTE_MS: i64 = 60_000;
/// `last_seen` is written at most this often per session, so reads stay reads.
const TOUCH_EVERY_MS: i64 = 5 * MINUTE_MS;

/// Where a request came from, for the audit log and throttling.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

pub struct LoginOutcome {
    /// The bearer secret: the session cookie's value, or the API token. Shown once.
    pub token: String,
    pub session: Session,
    pub user: User,
    pub must_change_password: bool,
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The audit event of an action by `actor` (anonymous when `None`) from `origin`.
pub(crate) fn event(
    actor: Option<&Actor>,
    action: &str,
    target: String,
    detail: String,
    origin: &Origin,
) -> audit::Event {
    audit::Event {
        actor_id: actor.map(|a| a.user_id),
        actor_login: actor.map_or_else(|| "anonymous".to_string(), |a| a.login.clone()),
        action: action.into(),
        target,
        detail,
        ip: origin.ip.clone(),
    }
}

fn password_expired(app: &App, user: &User) -> bool {
    let days = app.config().auth.password.expiry_days;
    days > 0 && app.now_ms() - user.password_changed_ms > i64::from(days) * 24 * 60 * MINUTE_MS
}

/// Signs a person in with login and password.
pub fn login(app: &App, login: &str, pw: &str, origin: &Origin) -> Result<LoginOutcome> {
    let now = app.now_ms();
    let cfg = &app.config().auth;
    if let Some(ip) = &origin.ip
        && let Err(retry_after_s) = app.throttle().attempt(ip, now)
    {
        return Err(Error::Throttled {
            code: Code::Throttled,
            retry_after_s,
        });
    }
    let login = login.trim();
    let found = app
        .store()
        .read(|tx| match org_store::user_by_login(tx, login)? {
            Some(u) => {
                let f = auth_store::failures(tx, u.id)?;
                Ok(Some((u, f)))
            }
            None => Ok(None),
        })?;
    let Some((user, failures)) = found else {
        password::verify("", pw); // the same cost as a real check: no login probing by timing
        app.store().write(|tx| {
            audit::append(
                tx,
                now,
                event(
                    None,
                    "auth.login_failed",
                    format!("login:{login}"),
                    "unknown login".into(),
                    origin,
                ),
            )
        })?;
        return Err(Error::BadCredentials);
    };
    if failures.locked_until_ms > now {
        let retry_after_s = ((failures.locked_until_ms - now) / 1000).max(1) as u64;
        return Err(Error::Throttled {
            code: Code::Locked,
            retry_after_s,
        });
    }
    if !password::verify(&user.password_hash, pw) {
        let window = i64::from(cfg.lockout_minutes) * MINUTE_MS;
        let locked = app.store().write(|tx| {
            let mut f: Failures = auth_store::failures_w(tx, user.id)?;
            f.at_ms.retain(|t| now - t < window);
            f.at_ms.push(now);
            let locked = f.at_ms.len() >= cfg.lockout_attempts as usize;
            let target = format!("user:{}", user.id);
            audit::append(
                tx,
                now,
                event(
                    None,
                    "auth.login_failed",
                    target.clone(),
                    user.login.clone(),
                    origin,
                ),
            )?;
            if locked {
                f.locked_until_ms = now + window;
                f.at_ms.clear();
                audit::append(
                    tx,
                    now,
                    event(
                        None,
                        "auth.lockout",
                        target,
                        format!("{} minutes", cfg.lockout_minutes),
                        origin,
                    ),
                )?;
            }
            auth_store::put_failures(tx, user.id, &f)?;
            Ok(locked)
        })?;
        return Err(if locked {
            Error::Throttled {
                code: Code::Locked,
                retry_after_s: u64::from(cfg.lockout_minutes) * 60,
            }
        } else {
            Error::BadCredentials
        });
    }
    if user.status != UserStatus::Active {
        app.store().write(|tx| {
            audit::append(
                tx,
                now,
                event(
                    None,
                    "auth.login_refused",
                    format!("user:{}", user.id),
                    "disabled".into(),
                    origin,
                ),
            )
        })?;
        return Err(Error::Forbidden(Code::AccountDisabled));
    }
    let token = random_hex(32);
    let must_change_password = user.must_change_password || password_expired(app, &user);
    let session = app.store().write(|tx| {
        let s = Session {
            id: store::next_id(tx, "session")?,
            user_id: user.id,
            token_hash: token_hash(&token),
            kind: SessionKind::Login,
            scope: Scope::Full,
            csrf: random_hex(16),
            created_ms: now,
            last_seen_ms: now,
            expires_ms: now + i64::from(cfg.session_max_days) * 24 * 60 * MINUTE_MS,
            ip: origin.ip.clone(),
            user_agent: origin
                .user_agent
                .clone()
                .map(|ua| ua.chars().take(200).collect()),
        };
        auth_store::insert_session(tx, &s)?;
        auth_store::put_failures(tx, user.id, &Failures::default())?;
        audit::append(
            tx,
            now,
            event(
                None,
                "auth.login",
                format!("user:{}", user.id),
                user.login.clone(),
                origin,
            ),
        )?;
        Ok(s)
    })?;
    Ok(LoginOutcome {
        token,
        session,
        user,
        must_change_password,
    })
}

/// The actor behind a bearer secret, or `None` when it is unknown, expired, or its user is
/// disabled. Refreshes `last_seen` now and then.
pub fn resolve(app: &App, token: &str) -> Result<Option<Actor>> {
    let now = app.now_ms();
    let idle = i64::from(app.config().auth.session_idle_hours) * 60 * MINUTE_MS;
    let hash = token_hash(token);
    let found = app.store().read(|tx| {
        let Some(s) = auth_store::session_by_token(tx, &hash)? else {
            return Ok(None);
        };
        let Some(u) = org_store::user_by_id(tx, s.user_id)? else {
            return Ok(None);
        };
        let grants = org_store::grants_of(tx, u.id)?;
        Ok(Some((s, u, grants)))
    })?;
    let Some((session, user, grants)) = found else {
        return Ok(None);
    };
    let idle_over = session.kind == SessionKind::Login && now - session.last_seen_ms > idle;
    if now >= session.expires_ms || idle_over || user.status != UserStatus::Active {
        return Ok(None);
    }
    if now - session.last_seen_ms > TOUCH_EVERY_MS {
        app.store().write(|tx| {
            if let Some(mut s) = auth_store::session_by_id_w(tx, session.id)? {
                s.last_seen_ms = now;
                auth_store::put_session(tx, &s)?;
            }
            Ok(())
        })?;
    }
    let must_change_password = session.kind == SessionKind::Login
        && (user.must_change_password || password_expired(app, &user));
    Ok(Some(Actor {
        user_id: user.id,
        login: user.login,
        name: user.name,
        unit_id: user.unit_id,
        grants: grants.into_iter().map(|g| (g.role, g.unit_id)).collect(),
        session_id: session.id,
        scope: session.scope,
        must_change_password,
        csrf: session.csrf,
        tree: app.tree()?,
    }))
}

pub fn logout(app: &App, actor: &Actor, origin: &Origin) -> Result<()> {
    let now = app.now_ms();
    app.store().write(|tx| {
        if let Some(s) = auth_store::session_by_id_w(tx, actor.session_id)? {
            auth_store::delete_session(tx, &s)?;
        }
        audit::append(
            tx,
            now,
            event(
                Some(actor),
                "auth.logout",
                format!("user:{}", actor.user_id),
                String::new(),
                origin,
            ),
        )?;
        Ok(())
    })
}

/// Ends the user's sessions (all of them, or all but `keep`); integration tokens stay unless
/// `tokens_too`. Call in the transaction that disables the user or changes the password.
pub fn end_sessions(
    tx: &redb::WriteTransaction,
    user_id: u64,
    keep: Option<u64>,
    tokens_too: bool,
) -> Result<usize> {
    let mut n = 0;
    for s in auth_store::sessions_of_w(tx, user_id)? {
        let is_token = matches!(s.kind, SessionKind::Token { .. });
        if Some(s.id) != keep && (tokens_too || !is_token) {
            auth_store::delete_session(tx, &s)?;
            n += 1;
        }
    }
    Ok(n)
}

fn validate_new_password(app: &App, user: &User, new: &str) -> Result<()> {
    check_policy(&app.config().auth.password, new, &user.login)
        .map_err(|key| Error::field("new_password", key))
}

/// A person changes their own password: the old one must match; the other sessions end.
pub fn change_password(
    app: &App,
    actor: &Actor,
    old: &str,
    new: &str,
    origin: &Origin,
) -> Result<()> {
    let user = app
        .store()
        .read(|tx| org_store::user_by_id(tx, actor.user_id))?
        .ok_or(Error::NotFound)?;
    if !password::verify(&user.password_hash, old) {
        return Err(Error::field("old_password", "error.password.wrong_old"));
    }
    validate_new_password(app, &user, new)?;
    if old == new {
        return Err(Error::field("new_password", "error.password.same_as_old"));
    }
    let history = app.config().auth.password.history;
    let new_hash = password::hash(new)?;
    // The history check hashes against each old hash: outside the transaction, bounded by the policy.
    if history > 0 {
        let old_hashes = app
            .store()
            .read(|tx| Ok(auth_store::history(tx, user.id)?.hashes))?;
        if old_hashes
            .iter()
            .take(history)
            .any(|h| password::verify(h, new))
        {
            return Err(Error::field("new_password", "error.password.reused"));
        }
    }
    let now = app.now_ms();
    app.store().write(|tx| {
        let mut u = org_store::user_by_id_w(tx, actor.user_id)?.ok_or(Error::NotFound)?;
        if u.password_hash != user.password_hash {
            return Err(Error::Conflict(Code::Stale)); // changed meanwhile elsewhere
        }
        let old_user = u.clone();
        if history > 0 {
            let mut h = auth_store::history_w(tx, u.id)?;
            h.hashes.insert(0, u.password_hash.clone());
            h.hashes.truncate(history);
            auth_store::put_history(tx, u.id, &h)?;
        }
        u.password_hash = new_hash.clone();
        u.must_change_password = false;
        u.password_changed_ms = now;
        u.updated_ms = now;
        org_store::update_user(tx, &old_user, &u)?;
        end_sessions(tx, u.id, Some(actor.session_id), false)?;
        audit::append(
            tx,
            now,
            event(
                Some(actor),
                "auth.password_change",
                format!("user:{}", u.id),
                String::new(),
                origin,
            ),
        )?;
        Ok(())
    })
}

/// Sets a user's password hash from outside (reset, console): ends all their sessions and
/// clears a lock, in the caller's transaction.
fn replace_password(
    tx: &redb::WriteTransaction,
    user_id: u64,
    hash: String,
    must_change: bool,
    now: i64,
) -> Result<User> {
    let mut u = org_store::user_by_id_w(tx, user_id)?.ok_or(Error::NotFound)?;
    let old = u.clone();
    u.password_hash = hash;
    u.must_change_password = must_change;
    u.password_changed_ms = now;
    u.updated_ms = now;
    org_store::update_user(tx, &old, &u)?;
    end_sessions(tx, u.id, None, false)?;
    auth_store::put_failures(tx, u.id, &Failures::default())?;
    Ok(u)
}

/// An administrator gives a user a new random initial password (returned once; it must be
/// changed at the next sign-in) and ends the user's sessions.
pub fn reset_password(app: &App, actor: &Actor, user_id: u64, origin: &Origin) -> Result<String> {
    if actor.scope != Scope::Full {
        return Err(Error::Forbidden(Code::Forbidden)); // integration tokens never manage people
    }
    let user = app
        .store()
        .read(|tx| org_store::user_by_id(tx, user_id))?
        .ok_or(Error::NotFound)?;
    if !actor.can(Permission::ManageUsers, user.unit_id) {
        return Err(actor.refusal(user.unit_id));
    }
    let initial = password::generate_initial();
    let hash = password::hash(&initial)?;
    let now = app.now_ms();
    app.store().write(|tx| {
        let u = replace_password(tx, user_id, hash.clone(), true, now)?;
        audit::append(
            tx,
            now,
            event(
                Some(actor),
                "auth.password_reset",
                format!("user:{}", u.id),
                u.login.clone(),
                origin,
            ),
        )?;
        Ok(())
    })?;
    Ok(initial)
}

/// `oanode passwd`: an operator sets a password from the console (the lost-admin case).
pub fn set_password_console(
    store: &Store,
    now: i64,
    login: &str,
    new: &str,
    initial: bool,
) -> Result<()> {
    let user = store
        .read(|tx| org_store::user_by_login(tx, login))?
        .ok_or(Error::NotFound)?;
    if new.chars().count() < 6 {
        return Err(Error::field("password", "error.password.too_short"));
    }
    let hash = password::hash(new)?;
    store.write(|tx| {
        let u = replace_password(tx, user.id, hash.clone(), initial, now)?;
        audit::append(
            tx,
            now,
            audit::Event::system(
                "auth.password_console",
                format!("user:{}", u.id),
                u.login.clone(),
            ),
        )?;
        Ok(())
    })
}

/// A session as its owner sees it in settings.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SessionView {
    pub id: u64,
    pub current: bool,
    pub created_ms: i64,
    pub last_seen_ms: i64,
    pub expires_ms: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

pub fn my_sessions(app: &App, actor: &Actor) -> Result<Vec<SessionView>> {
    let mut list: Vec<SessionView> = app
        .store()
        .read(|tx| auth_store::sessions_of(tx, actor.user_id))?
        .into_iter()
        .filter(|s| s.kind == SessionKind::Login && s.expires_ms > app.now_ms())
        .map(|s| SessionView {
            id: s.id,
            current: s.id == actor.session_id,
            created_ms: s.created_ms,
            last_seen_ms: s.last_seen_ms,
            expires_ms: s.expires_ms,
            ip: s.ip,
            user_agent: s.user_agent,
        })
        .collect();
    list.sort_by_key(|s| std::cmp::Reverse(s.last_seen_ms));
    Ok(list)
}

/// Ends one of the caller's own sessions; another person's is not found.
pub fn revoke_my_session(app: &App, actor: &Actor, id: u64, origin: &Origin) -> Result<()> {
    let now = app.now_ms();
    app.store().write(|tx| {
        let s = auth_store::session_by_id_w(tx, id)?
            .filter(|s| s.user_id == actor.user_id && s.kind == SessionKind::Login)
            .ok_or(Error::NotFound)?;
        auth_store::delete_session(tx, &s)?;
        audit::append(
            tx,
            now,
            event(
                Some(actor),
                "auth.session_revoke",
                format!("session:{id}"),
                String::new(),
                origin,
            ),
        )?;
        Ok(())
    })
}

/// An integration token as administrators see it (never the secret).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenView {
    pub id: u64,
    pub name: String,
    pub scope: Scope,
    pub created_ms: i64,
    pub last_seen_ms: i64,
    pub expires_ms: i64,
}

/// Makes an integration token acting as the caller, limited to `scope`, valid `days` days.
/// Returns the secret once.
pub fn create_token(
    app: &App,
    actor: &Actor,
    name: &str,
    scope: Scope,
    days: u32,
    origin: &Origin,
) -> Result<(String, TokenView)> {
    let root = app
        .tree()?
        .ancestors(actor.unit_id)
        .last()
        .copied()
        .unwrap_or(actor.unit_id);
    if !actor.can(Permission::ManageTokens, root) {
        return Err(Error::Forbidden(Code::Forbidden));
    }
    let name = name.trim();
    let mut fields = crate::error::FieldErrors::new();
    if name.is_empty() || name.chars().count() > 60 {
        fields.insert("name".into(), "error.required".into());
    }
    if !(1..=3650).contains(&days) {
        fields.insert("days".into(), "error.token.days".into());
    }
    if scope == Scope::Full {
        fields.insert("scope".into(), "error.token.scope".into());
    }
    if !fields.is_empty() {
        return Err(Error::Validation(fields));
    }
    let secret = format!("oat_{}", random_hex(32));
    let now = app.now_ms();
    let s = app.store().write(|tx| {
        let s = Session {
            id: store::next_id(tx, "session")?,
            user_id: actor.user_id,
            token_hash: token_hash(&secret),
            kind: SessionKind::Token {
                name: name.to_string(),
            },
            scope,
            csrf: String::new(),
            created_ms: now,
            last_seen_ms: now,
            expires_ms: now + i64::from(days) * 24 * 60 * MINUTE_MS,
            ip: None,
            user_agent: None,
        };
        auth_store::insert_session(tx, &s)?;
        audit::append(
            tx,
            now,
            event(
                Some(actor),
                "auth.token_create",
                format!("session:{}", s.id),
                name.to_string(),
                origin,
            ),
        )?;
        Ok(s)
    })?;
    Ok((
        secret,
        token_view(s).ok_or_else(|| Error::internal("token kind"))?,
    ))
}

fn token_view(s: Session) -> Option<TokenView> {
    match s.kind {
        SessionKind::Token { name } => Some(TokenView {
            id: s.id,
            name,
            scope: s.scope,
            created_ms: s.created_ms,
            last_seen_ms: s.last_seen_ms,
            expires_ms: s.expires_ms,
        }),
        SessionKind::Login => None,
    }
}

/// The caller's integration tokens.
pub fn my_tokens(app: &App, actor: &Actor) -> Result<Vec<TokenView>> {
    let sessions = app
        .store()
        .read(|tx| auth_store::sessions_of(tx, actor.user_id))?;
    Ok(sessions.into_iter().filter_map(token_view).collect())
}

pub fn revoke_token(app: &App, actor: &Actor, id: u64, origin: &Origin) -> Result<()> {
    let now = app.now_ms();
    app.store().write(|tx| {
        let s = auth_store::session_by_id_w(tx, id)?
            .filter(|s| s.user_id == actor.user_id && matches!(s.kind, SessionKind::Token { .. }))
            .ok_or(Error::NotFound)?;
        auth_store::delete_session(tx, &s)?;
        audit::append(
            tx,
            now,
            event(
                Some(actor),
                "auth.token_revoke",
                format!("session:{id}"),
                String::new(),
                origin,
            ),
        )?;
        Ok(())
    })
}
