//! The demo node: the demo organization (units and about 40 people through the eHR sync), their
//! role grants, and one shared demo password. Loaded by the first `serve` on an empty data
//! directory, so an evaluator can sign in at once. Demo accounts skip the forced change; every
//! account created afterwards follows the password policy.

use serde::Deserialize;

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::org::model::Grant;
use crate::org::store as org_store;
use crate::store::{self, Store, audit};

/// The shared password of every demo account (README lists the logins).
pub const DEMO_PASSWORD: &str = "Demo2026";

const DEMO_GRANTS: &str = include_str!("../data.example/demo/grants.json");

#[derive(Deserialize)]
struct DemoGrant {
    login: String,
    role: String,
    unit: String,
}

pub struct Installed {
    pub units: usize,
    pub people: usize,
}

pub fn install(store: &Store, clock: &dyn Clock) -> Result<Installed> {
    let grants: Vec<DemoGrant> = serde_json::from_str(DEMO_GRANTS)
        .map_err(|e| Error::internal(format!("demo grants: {e}")))?;
    let loaded = crate::org::service::load_demo(store, clock)?;
    let hash = crate::auth::password::hash(DEMO_PASSWORD)?; // once, outside the transaction
    let now = clock.now_ms();
    store.write(|tx| {
        for id in &loaded.user_ids {
            if let Some(mut u) = org_store::user_by_id_w(tx, *id)? {
                let old = u.clone();
                u.password_hash = hash.clone();
                u.must_change_password = false;
                u.password_changed_ms = now;
                org_store::update_user(tx, &old, &u)?;
            }
        }
        for g in &grants {
            let user = org_store::user_by_login_w(tx, &g.login)?.ok_or_else(|| {
                Error::internal(format!("demo grant names unknown login {}", g.login))
            })?;
            let unit_id = org_store::unit_id_by_code(tx, &g.unit)?.ok_or_else(|| {
                Error::internal(format!("demo grant names unknown unit {}", g.unit))
            })?;
            let id = store::next_id(tx, "grant")?;
            org_store::insert_grant(
                tx,
                &Grant {
                    id,
                    user_id: user.id,
                    role: g.role.clone(),
                    unit_id,
                    granted_by: None,
                    created_ms: now,
                },
            )?;
        }
        audit::append(
            tx,
            now,
            audit::Event::system(
                "node.demo",
                "org",
                format!("{} people", loaded.user_ids.len()),
            ),
        )?;
        Ok(())
    })?;
    Ok(Installed {
        units: loaded.units,
        people: loaded.user_ids.len(),
    })
}
