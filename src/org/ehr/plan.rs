//! The sync's pure core: from the organization as stored and a snapshot, the records to write,
//! the events to publish and the report. No I/O: the same plan serves the dry run (computed in a
//! read transaction and thrown away) and the real run (computed and applied in one write
//! transaction).
//!
//! New records get provisional ids (above [`PROVISIONAL`]) so that units, people and positions
//! can reference each other before they exist; [`Plan::assign_ids`] turns them into real ids.

use std::collections::{HashMap, HashSet};

use super::model::{
    Field, LineAction, Mode, PersonRow, ReportLine, Sheet, Snapshot, SyncCounts, UnitRow,
    parse_kind, valid_ad_login, valid_code, valid_email, valid_mobile, valid_name,
};
use crate::org::model::{
    OrgEvent, Position, Source, Unit, UnitKind, User, UserStatus, valid_login,
};

const PROVISIONAL: u64 = 1 << 62;
const KIND_SHIFT: u32 = 40;
const UNIT: u64 = 0;
const USER: u64 = 1;
const POSITION: u64 = 2;

fn provisional(kind: u64, k: usize) -> u64 {
    PROVISIONAL + (kind << KIND_SHIFT) + k as u64
}

/// The organization as stored, read in the sync's transaction.
pub(super) struct Current {
    pub units: Vec<Unit>,
    pub users: Vec<User>,
    pub positions: Vec<Position>,
}

#[derive(Debug, Default)]
pub(super) struct Plan {
    pub unit_inserts: Vec<Unit>,
    pub unit_updates: Vec<(Unit, Unit)>,
    pub position_inserts: Vec<Position>,
    pub user_inserts: Vec<User>,
    pub user_updates: Vec<(User, User)>,
    pub events: Vec<OrgEvent>,
    pub counts: SyncCounts,
    pub lines: Vec<ReportLine>,
    pub disabled_user_ids: Vec<u64>,
    pub created_user_ids: Vec<u64>,
}

impl Plan {
    /// Replaces provisional ids by real ones: the new units get `first_unit`, `first_unit + 1`…
    /// in plan order, and likewise for users and positions.
    pub fn assign_ids(&mut self, first_unit: u64, first_user: u64, first_position: u64) {
        let firsts = [first_unit, first_user, first_position];
        let fix = |id: &mut u64| {
            if *id >= PROVISIONAL {
                let off = *id - PROVISIONAL;
                let kind = (off >> KIND_SHIFT) as usize;
                *id = firsts[kind.min(2)] + (off & ((1 << KIND_SHIFT) - 1));
            }
        };
        let fix_opt = |id: &mut Option<u64>| {
            if let Some(i) = id {
                fix(i);
            }
        };
        let fix_unit = |u: &mut Unit| {
            fix(&mut u.id);
            fix_opt(&mut u.parent_id);
            fix_opt(&mut u.head_id);
        };
        let fix_user = |u: &mut User| {
            fix(&mut u.id);
            fix(&mut u.unit_id);
            fix_opt(&mut u.position_id);
            fix_opt(&mut u.manager_id);
        };
        self.unit_inserts.iter_mut().for_each(fix_unit);
        self.unit_updates.iter_mut().for_each(|(_, u)| fix_unit(u));
        self.user_inserts.iter_mut().for_each(fix_user);
        self.user_updates.iter_mut().for_each(|(_, u)| fix_user(u));
        for p in &mut self.position_inserts {
            fix(&mut p.id);
            fix_opt(&mut p.unit_id);
            fix_opt(&mut p.parent_id);
        }
        for e in &mut self.events {
            match e {
                OrgEvent::Departed {
                    user_id,
                    manager_id,
                    ..
                } => {
                    fix(user_id);
                    fix_opt(manager_id);
                }
                OrgEvent::Hired { user_id, .. } => fix(user_id),
                OrgEvent::Transferred {
                    user_id,
                    from_unit,
                    to_unit,
                    ..
                } => {
                    fix(user_id);
                    fix(from_unit);
                    fix(to_unit);
                }
            }
        }
        self.lines.iter_mut().for_each(|l| fix_opt(&mut l.id));
        self.disabled_user_ids.iter_mut().for_each(fix);
        self.created_user_ids.iter_mut().for_each(fix);
    }
}

/// One accepted active person row, between the first pass and the manager pass.
struct Planned<'a> {
    row: &'a PersonRow,
    no: &'a str,
    old: Option<&'a User>,
    new: User,
}

struct Planner<'a> {
    snap: &'a Snapshot,
    origin: Source,
    now: i64,
    units: HashMap<&'a str, &'a Unit>,
    unit_code_of: HashMap<u64, &'a str>,
    users_by_no: HashMap<&'a str, &'a User>,
    users_by_login: HashMap<String, &'a User>,
    positions: HashMap<&'a str, u64>,
    /// Unit rows accepted so far (code -> row index) and the kind each will have.
    unit_rows: HashMap<&'a str, usize>,
    unit_kinds: HashMap<usize, UnitKind>,
    /// Every unit code a unit reference may name: stored units and accepted rows.
    unit_ids: HashMap<&'a str, u64>,
    /// Employee number -> id of every accepted person row.
    person_ids: HashMap<&'a str, u64>,
    new_positions: HashMap<&'a str, u64>,
    out: Plan,
}

/// Computes what a sync of `snap` over `cur` would do. Records of another `origin` are never
/// changed (a person row naming one is rejected).
pub(super) fn plan(cur: &Current, snap: &Snapshot, origin: Source, now: i64) -> Plan {
    let mut p = Planner {
        snap,
        origin,
        now,
        units: cur.units.iter().map(|u| (u.code.as_str(), u)).collect(),
        unit_code_of: cur.units.iter().map(|u| (u.id, u.code.as_str())).collect(),
        users_by_no: cur
            .users
            .iter()
            .filter_map(|u| u.employee_no.as_deref().map(|n| (n, u)))
            .collect(),
        users_by_login: cur
            .users
            .iter()
            .map(|u| (u.login.to_lowercase(), u))
            .collect(),
        positions: cur
            .positions
            .iter()
            .map(|p| (p.code.as_str(), p.id))
            .collect(),
        unit_rows: HashMap::new(),
        unit_kinds: HashMap::new(),
        unit_ids: cur.units.iter().map(|u| (u.code.as_str(), u.id)).collect(),
        person_ids: HashMap::new(),
        new_positions: HashMap::new(),
        out: Plan::default(),
    };
    p.validate_units();
    p.place_units();
    let planned = p.people();
    p.finish_people(planned);
    p.finish_units();
    if snap.mode == Mode::Full {
        p.missing(cur);
    }
    let mut out = p.out;
    out.lines
        .sort_by_key(|l| (l.sheet == Sheet::People, l.row == 0, l.row));
    out
}

impl<'a> Planner<'a> {
    fn line(&mut self, sheet: Sheet, row: usize, key: &str, action: LineAction) -> &mut ReportLine {
        self.out.lines.push(ReportLine {
            sheet,
            row,
            key: key.into(),
            action,
            id: None,
            field: None,
            reason: None,
            changes: Vec::new(),
        });
        let last = self.out.lines.len() - 1;
        &mut self.out.lines[last]
    }

    fn note(
        &mut self,
        sheet: Sheet,
        row: usize,
        key: &str,
        action: LineAction,
        field: &str,
        reason: &str,
    ) {
        match action {
            LineAction::Rejected => self.out.counts.rejected += 1,
            _ => self.out.counts.warnings += 1,
        }
        let l = self.line(sheet, row, key, action);
        l.field = Some(field.into());
        l.reason = Some(reason.into());
    }

    fn reject_unit(&mut self, r: &UnitRow, field: &str, reason: &str) {
        let key = r.code.str().unwrap_or("").to_string();
        self.note(
            Sheet::Units,
            r.row,
            &key,
            LineAction::Rejected,
            field,
            reason,
        );
    }

    fn reject_person(&mut self, r: &PersonRow, field: &str, reason: &str) {
        let key = r.employee_no.str().unwrap_or("").to_string();
        self.note(
            Sheet::People,
            r.row,
            &key,
            LineAction::Rejected,
            field,
            reason,
        );
    }

    // ------------------------------------------------------------ units

    /// Checks each unit row on its own; the first row with a code wins over later duplicates.
    fn validate_units(&mut self) {
        let mut seen: HashSet<&str> = HashSet::new();
        for (i, r) in self.snap.units.iter().enumerate() {
            if let Some(pr) = r.problem {
                self.reject_unit(r, pr.field, pr.key);
                continue;
            }
            let Some(code) = r.code.str() else {
                self.reject_unit(r, "code", "error.required");
                continue;
            };
            if !valid_code(code) {
                self.reject_unit(r, "code", "error.ehr.bad_code");
                continue;
            }
            if !seen.insert(code) {
                self.reject_unit(r, "code", "error.ehr.duplicate_code");
                continue;
            }
            let old = self.units.get(code).copied();
            match (&r.name, old) {
                (Field::Value(n), _) if !valid_name(n) => {
                    self.reject_unit(r, "name", "error.ehr.bad_name");
                    continue;
                }
                (Field::Empty, _) | (Field::Absent, None) => {
                    self.reject_unit(r, "name", "error.required");
                    continue;
                }
                _ => {}
            }
            let kind = match (&r.kind, old) {
                (Field::Value(k), _) => match parse_kind(k) {
                    Some(k) => k,
                    None => {
                        self.reject_unit(r, "kind", "error.ehr.bad_kind");
                        continue;
                    }
                },
                (Field::Absent, Some(u)) => u.kind,
                _ => {
                    self.reject_unit(r, "kind", "error.required");
                    continue;
                }
            };
            self.unit_rows.insert(code, i);
            self.unit_kinds.insert(i, kind);
        }
    }

    /// The parent code a unit will have after the sync: `None` = unknown code, `Some(None)` =
    /// no parent (the root).
    fn parent_code(&self, code: &str) -> Option<Option<&'a str>> {
        let stored = |code: &str| {
            self.units
                .get(code)
                .map(|u| u.parent_id.and_then(|p| self.unit_code_of.get(&p).copied()))
        };
        match self.unit_rows.get(code) {
            Some(&i) => match &self.snap.units[i].parent {
                Field::Value(p) => Some(Some(p.as_str())),
                Field::Empty => Some(None),
                Field::Absent => stored(code).or(Some(None)),
            },
            None => stored(code),
        }
    }

    /// Places accepted unit rows in the tree: one root (a group), every other unit under a
    /// known parent, no cycles (through the snapshot or through stored units). Rejecting a row
    /// can strand its children, so it repeats until nothing changes.
    fn place_units(&mut self) {
        let snap = self.snap;
        let mut root_row: Option<usize> = None;
        let stored_root = self
            .units
            .values()
            .filter(|u| u.parent_id.is_none())
            .min_by_key(|u| u.id)
            .map(|u| u.code.as_str());
        let order: Vec<(usize, &'a str)> = {
            let mut v: Vec<_> = self.unit_rows.iter().map(|(c, i)| (*i, *c)).collect();
            v.sort_unstable();
            v
        };
        for &(i, code) in &order {
            let r = &snap.units[i];
            let kind = self.unit_kinds[&i];
            let problem = match self.parent_code(code) {
                Some(None) if kind != UnitKind::Group => {
                    Some(("parent", "error.ehr.parent_required"))
                }
                Some(None) if stored_root.is_some_and(|s| s != code) || root_row.is_some() => {
                    Some(("parent", "error.ehr.second_root"))
                }
                Some(None) => {
                    root_row = Some(i);
                    None
                }
                Some(Some(_)) if kind == UnitKind::Group => {
                    Some(("kind", "error.ehr.group_not_root"))
                }
                _ => None,
            };
            if let Some((field, reason)) = problem {
                self.unit_rows.remove(code);
                self.reject_unit(r, field, reason);
            }
        }
        loop {
            let mut rejected = Vec::new();
            for &(i, code) in &order {
                if !self.unit_rows.contains_key(code) {
                    continue;
                }
                if let Some(reason) = self.chain_problem(code) {
                    rejected.push((i, code, reason));
                }
            }
            if rejected.is_empty() {
                break;
            }
            for (i, code, reason) in rejected {
                self.unit_rows.remove(code);
                self.reject_unit(&snap.units[i], "parent", reason);
            }
        }
        let mut k = 0;
        for &(_, code) in &order {
            if self.unit_rows.contains_key(code) && !self.units.contains_key(code) {
                self.unit_ids.insert(code, provisional(UNIT, k));
                k += 1;
            }
        }
    }

    /// Walks up from `code` over the tree as it will be; the reason to reject it, if any.
    fn chain_problem(&self, code: &str) -> Option<&'static str> {
        let mut visited: HashSet<&str> = HashSet::new();
        let mut cur = match self.parent_code(code) {
            Some(Some(p)) => p,
            _ => return None,
        };
        loop {
            if cur == code {
                return Some("error.ehr.unit_cycle");
            }
            if !visited.insert(cur) {
                return None; // a cycle above: its own rows are rejected, then this one
            }
            if !self.unit_rows.contains_key(cur) && !self.units.contains_key(cur) {
                let in_snapshot = self.snap.units.iter().any(|u| u.code.str() == Some(cur));
                return Some(if in_snapshot {
                    "error.ehr.parent_rejected"
                } else {
                    "error.ehr.unknown_parent"
                });
            }
            match self.parent_code(cur) {
                Some(Some(p)) => cur = p,
                _ => return None,
            }
        }
    }

    fn finish_units(&mut self) {
        let snap = self.snap;
        let mut accepted: Vec<usize> = self.unit_rows.values().copied().collect();
        accepted.sort_unstable();
        for i in accepted {
            let r = &snap.units[i];
            let Some(code) = r.code.str() else { continue };
            let old = self.units.get(code).copied();
            let parent_id = match self.parent_code(code) {
                Some(Some(p)) => self.unit_ids.get(p).copied(),
                _ => None,
            };
            let head_id = match &r.head {
                Field::Value(no) => match self.person_id(no) {
                    Some(id) => Some(id),
                    None => {
                        self.note(
                            Sheet::Units,
                            r.row,
                            code,
                            LineAction::Warning,
                            "head",
                            "error.ehr.unknown_head",
                        );
                        old.and_then(|u| u.head_id)
                    }
                },
                Field::Empty => None,
                Field::Absent => old.and_then(|u| u.head_id),
            };
            let id = self.unit_ids.get(code).copied().unwrap_or_default();
            let new = Unit {
                id,
                code: code.to_string(),
                name: r
                    .name
                    .str()
                    .map(str::to_string)
                    .or_else(|| old.map(|u| u.name.clone()))
                    .unwrap_or_default(),
                kind: self.unit_kinds[&i],
                parent_id,
                head_id,
                order: match &r.order {
                    Field::Value(o) => *o,
                    Field::Empty => 0,
                    Field::Absent => old.map_or(0, |u| u.order),
                },
                source: old.map_or(self.origin, |u| u.source),
                created_ms: old.map_or(self.now, |u| u.created_ms),
                updated_ms: self.now,
            };
            match old {
                None => {
                    self.out.counts.units_created += 1;
                    self.line(Sheet::Units, r.row, code, LineAction::Created).id = Some(id);
                    self.out.unit_inserts.push(new);
                }
                Some(old) => {
                    let mut changes = Vec::new();
                    for (name, changed) in [
                        ("name", old.name != new.name),
                        ("kind", old.kind != new.kind),
                        ("parent", old.parent_id != new.parent_id),
                        ("head", old.head_id != new.head_id),
                        ("order", old.order != new.order),
                    ] {
                        if changed {
                            changes.push(name.to_string());
                        }
                    }
                    if changes.is_empty() {
                        self.out.counts.units_unchanged += 1;
                    } else {
                        self.out.counts.units_updated += 1;
                        let l = self.line(Sheet::Units, r.row, code, LineAction::Updated);
                        l.id = Some(old.id);
                        l.changes = changes;
                        self.out.unit_updates.push((old.clone(), new));
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------ people

    fn person_id(&self, no: &str) -> Option<u64> {
        self.person_ids
            .get(no)
            .copied()
            .or_else(|| self.users_by_no.get(no).map(|u| u.id))
    }

    fn position_id(&mut self, name: &'a str, unit_id: u64) -> u64 {
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
    fn people(&mut self) -> Vec<Planned<'a>> {
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

    fn disable(&mut self, u: &User, row: usize, no: &str) {
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
    fn person(
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

    fn skip<T>(&mut self, r: &PersonRow, field: &str, reason: &str) -> Option<T> {
        self.reject_person(r, field, reason);
        None
    }

    /// Second pass: managers (any person of the snapshot or the store), then what changed.
    fn finish_people(&mut self, planned: Vec<Planned<'a>>) {
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
    fn missing(&mut self, cur: &'a Current) {
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
