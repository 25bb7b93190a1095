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
    parse_kind, valid_code, valid_name,
};
use crate::org::model::{OrgEvent, Position, Source, Unit, UnitKind, User};

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
                // Beyond the direct parent, the ancestor row in between is (or will be) rejected.
                let direct = visited.len() == 1;
                let in_snapshot = self.snap.units.iter().any(|u| u.code.str() == Some(cur));
                return Some(if in_snapshot || !direct {
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
}

mod people;
