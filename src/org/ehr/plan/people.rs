//! The people half of the planner: validation, duplicates, departures, creations and changes,
//! managers (second pass) and, in full mode, who is missing.

use std::collections::HashSet;

use super::{Current, POSITION, Planned, Planner, USER, provisional};
use crate::org::ehr::model::{
    Field, LineAction, PersonRow, Sheet, valid_ad_login, valid_code, valid_email, valid_mobile,
    valid_name,
};
use crate::org::model::{OrgEvent, Position, Source, User, UserStatus, valid_login};

impl<'a> Planner<'a> {
    pub(super) fn person_id(&self, no: &str) -> Option<u64> {
        self.person_ids
            .get(no)
            .copied()
            .or_else(|| self.users_by_no.get(no).map(|u| u.id))
    }

    pub(super) fn position_id(&mut self, name: &'a str, unit_id: u64) -> u64 {
        if let Some(id) = self
            .positions
            .get(name)
            .or_else(|| self.new_positions.get(name))
        {
            return *id;
        }
        let id = provisional(POSITION, self.out.position_inserts.len());
        self.out.position_inserts.push(Position {
            id,
            code: name.to_string(),
            name: name.to_string(),
            unit_id: Some(unit_id),
            parent_id: None,
            source: self.origin,
            created_ms: self.now,
            updated_ms: self.now,
        });
        self.out.counts.positions_created += 1;
        self.new_positions.insert(name, id);
        id
    }

    /// First pass over people: validation, duplicates, departures, new and changed fields
    /// except the manager (who may be a later row).
    pub(super) fn people(&mut self) -> Vec<Planned<'a>> {
        let mut seen_no: HashSet<&str> = HashSet::new();
        let mut seen_login: HashSet<String> = HashSet::new();
        let mut planned = Vec::new();
        let snap = self.snap;
        for r in &snap.people {
            let Some(no) = r.employee_no.str() else {
                self.reject_person(r, "employee_no", "error.required");
                continue;
            };
            if !valid_code(no) {
                self.reject_person(r, "employee_no", "error.ehr.bad_employee_no");
                continue;
            }
            if !seen_no.insert(no) {
                self.reject_person(r, "employee_no", "error.ehr.duplicate_employee_no");
                continue;
            }
            if let Some(pr) = r.problem {
                self.reject_person(r, pr.field, pr.key);
                continue;
            }
            let departed = match r.status.str().map(str::to_ascii_lowercase).as_deref() {
                None | Some("active") => false,
                Some("departed") => true,
                Some(_) => {
                    self.reject_person(r, "status", "error.ehr.bad_status");
                    continue;
                }
            };
            let old = self.users_by_no.get(no).copied();
            if old.is_some_and(|u| u.source != self.origin) {
                self.reject_person(r, "employee_no", "error.ehr.not_synced_account");
                continue;
            }
            if departed {
                match old {
                    Some(u) if u.status == UserStatus::Active => self.disable(u, r.row, no),
                    _ => self.out.counts.people_unchanged += 1,
                }
                continue;
            }
            if let Some(p) = self.person(r, no, old, &mut seen_login) {
                self.person_ids.insert(no, p.new.id);
                planned.push(p);
            }
        }
        planned
    }

    pub(super) fn disable(&mut self, u: &User, row: usize, no: &str) {
        let mut new = u.clone();
        new.status = UserStatus::Disabled;
        new.updated_ms = self.now;
        self.out.events.push(OrgEvent::Departed {
            user_id: u.id,
            manager_id: u.manager_id,
            at_ms: self.now,
        });
        self.out.counts.people_disabled += 1;
        self.out.disabled_user_ids.push(u.id);
        self.line(Sheet::People, row, no, LineAction::Disabled).id = Some(u.id);
        self.out.user_updates.push((u.clone(), new));
    }

    /// Validates one active row and builds the person as it will be (manager still as stored).
    pub(super) fn person(
        &mut self,
        r: &'a PersonRow,
        no: &'a str,
        old: Option<&'a User>,
        seen_login: &mut HashSet<String>,
    ) -> Option<Planned<'a>> {
        let name = match (&r.name, old) {
            (Field::Value(n), _) if valid_name(n) => n.clone(),
            (Field::Value(_), _) => return self.skip(r, "name", "error.ehr.bad_name"),
            (Field::Absent, Some(u)) => u.name.clone(),
            _ => return self.skip(r, "name", "error.required"),
        };
        let login = match old {
            // An account keeps its login: people sign in with it.
            Some(u) => u.login.clone(),
            None => match r.login.str() {
                Some(l) if valid_login(l) => l.to_string(),
                Some(_) => return self.skip(r, "login", "error.login_format"),
                None if valid_login(no) => no.to_lowercase(),
                None => return self.skip(r, "login", "error.ehr.login_required"),
            },
        };
        let lc = login.to_lowercase();
        if old.is_none() && self.users_by_login.contains_key(&lc) {
            return self.skip(r, "login", "error.ehr.login_taken");
        }
        if seen_login.contains(&lc) {
            return self.skip(r, "login", "error.ehr.duplicate_login");
        }
        let unit_id = match (&r.unit, old) {
            (Field::Value(code), _) => match self.unit_ids.get(code.as_str()) {
                Some(id) => *id,
                None => return self.skip(r, "unit", "error.ehr.unknown_unit"),
            },
            (Field::Absent, Some(u)) => u.unit_id,
            _ => return self.skip(r, "unit", "error.required"),
        };
        let text =
            |f: &Field<String>, field: &'static str, ok: fn(&str) -> bool, was: Option<&String>| {
                match f {
                    Field::Value(v) if ok(v) => Ok(Some(v.clone())),
                    Field::Value(_) => Err(field),
                    Field::Empty => Ok(None),
                    Field::Absent => Ok(was.cloned()),
                }
            };
        let checked = (
            text(
                &r.mobile,
                "mobile",
                valid_mobile,
                old.and_then(|u| u.mobile.as_ref()),
            ),
            text(
                &r.email,
                "email",
                valid_email,
                old.and_then(|u| u.email.as_ref()),
            ),
            text(
                &r.ad_login,
                "ad_login",
                valid_ad_login,
                old.and_then(|u| u.ad_login.as_ref()),
            ),
        );
        let (mobile, email, ad_login) = match checked {
            (Ok(m), Ok(e), Ok(a)) => (m, e, a),
            (Err(f), _, _) | (_, Err(f), _) | (_, _, Err(f)) => {
                let reason = match f {
                    "mobile" => "error.ehr.bad_mobile",
                    "email" => "error.ehr.bad_email",
                    _ => "error.ehr.bad_ad_login",
                };
                return self.skip(r, f, reason);
            }
        };
        let position_id = match &r.position {
            Field::Value(p) if valid_name(p) => Some(self.position_id(p, unit_id)),
            Field::Value(_) => return self.skip(r, "position", "error.ehr.bad_name"),
            Field::Empty => None,
            Field::Absent => old.and_then(|u| u.position_id),
        };
        seen_login.insert(lc);
        let id = old.map_or_else(
            || provisional(USER, self.out.created_user_ids.len()),
            |u| u.id,
        );
        // Reserve the provisional id now; the record is pushed after the manager pass.
        if old.is_none() {
            self.out.created_user_ids.push(id);
        }
        let new = match old {
            Some(u) => User {
                name,
                mobile,
                email,
                ad_login,
                unit_id,
                position_id,
                status: UserStatus::Active,
                ..u.clone()
            },
            None => User {
                id,
                login,
                name,
                employee_no: Some(no.to_string()),
                mobile,
                email,
                ad_login,
                unit_id,
                position_id,
                manager_id: None,
                status: UserStatus::Active,
                // No password yet: nobody can sign in until an administrator resets it to an
                // initial one (shown once, changed at first sign-in).
                password_hash: String::new(),
                must_change_password: self.origin != Source::Demo,
                password_changed_ms: self.now,
                source: self.origin,
                created_ms: self.now,
                updated_ms: self.now,
            },
        };
        Some(Planned {
            row: r,
            no,
            old,
            new,
        })
    }

    pub(super) fn skip<T>(&mut self, r: &PersonRow, field: &str, reason: &str) -> Option<T> {
        self.reject_person(r, field, reason);
        None
    }

    /// Second pass: managers (any person of the snapshot or the store), then what changed.
    pub(super) fn finish_people(&mut self, planned: Vec<Planned<'a>>) {
        for mut p in planned {
            let was = p.old.and_then(|u| u.manager_id);
            p.new.manager_id = match &p.row.manager {
                Field::Value(m) if m == p.no => {
                    self.note(
                        Sheet::People,
                        p.row.row,
                        p.no,
                        LineAction::Warning,
                        "manager",
                        "error.ehr.manager_self",
                    );
                    was
                }
                Field::Value(m) => match self.person_id(m) {
                    Some(id) => Some(id),
                    None => {
                        self.note(
                            Sheet::People,
                            p.row.row,
                            p.no,
                            LineAction::Warning,
                            "manager",
                            "error.ehr.unknown_manager",
                        );
                        was
                    }
                },
                Field::Empty => None,
                Field::Absent => was,
            };
            let Some(old) = p.old else {
                self.out.counts.people_created += 1;
                self.out.events.push(OrgEvent::Hired {
                    user_id: p.new.id,
                    at_ms: self.now,
                });
                self.line(Sheet::People, p.row.row, p.no, LineAction::Created)
                    .id = Some(p.new.id);
                self.out.user_inserts.push(p.new);
                continue;
            };
            let new = &mut p.new;
            let mut changes = Vec::new();
            for (name, changed) in [
                ("name", old.name != new.name),
                ("mobile", old.mobile != new.mobile),
                ("email", old.email != new.email),
                ("ad_login", old.ad_login != new.ad_login),
                ("unit", old.unit_id != new.unit_id),
                ("position", old.position_id != new.position_id),
                ("manager", old.manager_id != new.manager_id),
                ("status", old.status != new.status),
            ] {
                if changed {
                    changes.push(name.to_string());
                }
            }
            if changes.is_empty() {
                self.out.counts.people_unchanged += 1;
                continue;
            }
            new.updated_ms = self.now;
            if old.unit_id != new.unit_id {
                self.out.events.push(OrgEvent::Transferred {
                    user_id: old.id,
                    from_unit: old.unit_id,
                    to_unit: new.unit_id,
                    at_ms: self.now,
                });
            }
            if old.status != UserStatus::Active {
                self.out.events.push(OrgEvent::Hired {
                    user_id: old.id,
                    at_ms: self.now,
                });
            }
            self.out.counts.people_updated += 1;
            let l = self.line(Sheet::People, p.row.row, p.no, LineAction::Updated);
            l.id = Some(old.id);
            l.changes = changes;
            self.out.user_updates.push((old.clone(), p.new));
        }
    }

    /// Full mode: active people of this origin absent from the snapshot are disabled; units of
    /// this origin absent from it are reported and left in place.
    pub(super) fn missing(&mut self, cur: &'a Current) {
        let listed: HashSet<&str> = self
            .snap
            .people
            .iter()
            .filter_map(|r| r.employee_no.str())
            .collect();
        for u in &cur.users {
            let Some(no) = u.employee_no.as_deref() else {
                continue;
            };
            if u.source == self.origin && u.status == UserStatus::Active && !listed.contains(no) {
                self.disable(u, 0, no);
            }
        }
        let codes: HashSet<&str> = self
            .snap
            .units
            .iter()
            .filter_map(|r| r.code.str())
            .collect();
        for u in &cur.units {
            if u.source == self.origin && !codes.contains(u.code.as_str()) {
                self.out.counts.units_missing += 1;
                self.line(Sheet::Units, 0, &u.code, LineAction::Missing).id = Some(u.id);
            }
        }
    }
}
