//! The unit tree in memory, for permission checks: "is unit U inside the subtree of unit A?" is
//! asked on every request, so it must not read the store. Rebuilt when the organization changes
//! (`App::org_changed`).

use std::collections::HashMap;

use super::model::{Unit, UnitKind};

#[derive(Debug, Default, Clone)]
pub struct UnitTree {
    parent: HashMap<u64, Option<u64>>,
    kind: HashMap<u64, UnitKind>,
}

impl UnitTree {
    pub fn new(units: &[Unit]) -> UnitTree {
        UnitTree {
            parent: units.iter().map(|u| (u.id, u.parent_id)).collect(),
            kind: units.iter().map(|u| (u.id, u.kind)).collect(),
        }
    }

    pub fn contains(&self, unit: u64) -> bool {
        self.parent.contains_key(&unit)
    }

    /// The unit itself, then its parent, up to the root. Stops on a cycle.
    pub fn ancestors(&self, unit: u64) -> Vec<u64> {
        let mut out = Vec::new();
        let mut cur = Some(unit);
        while let Some(u) = cur {
            if out.contains(&u) || !self.parent.contains_key(&u) {
                break;
            }
            out.push(u);
            cur = self.parent.get(&u).copied().flatten();
        }
        out
    }

    /// Whether `unit` is `ancestor` or lies below it.
    pub fn is_within(&self, unit: u64, ancestor: u64) -> bool {
        self.ancestors(unit).contains(&ancestor)
    }

    /// The unit and every unit below it (for distribution to a unit's people).
    pub fn subtree(&self, unit: u64) -> Vec<u64> {
        let mut out: Vec<u64> = self
            .parent
            .keys()
            .copied()
            .filter(|u| self.is_within(*u, unit))
            .collect();
        out.sort_unstable();
        out
    }

    /// The group: the unit without a parent (the lowest id if the store ever held two).
    pub fn root(&self) -> Option<u64> {
        self.parent
            .iter()
            .filter(|(_, p)| p.is_none())
            .map(|(id, _)| *id)
            .min()
    }

    /// The enterprise (or the group, for headquarters) a unit belongs to.
    pub fn enterprise_of(&self, unit: u64) -> Option<u64> {
        let chain = self.ancestors(unit);
        chain
            .iter()
            .copied()
            .find(|u| self.kind.get(u) == Some(&UnitKind::Enterprise))
            .or_else(|| chain.last().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: u64, parent: Option<u64>, kind: UnitKind) -> Unit {
        Unit {
            id,
            code: format!("U{id}"),
            name: String::new(),
            kind,
            parent_id: parent,
            head_id: None,
            order: 0,
            source: Default::default(),
            created_ms: 0,
            updated_ms: 0,
        }
    }

    #[test]
    fn subtree_membership_and_enterprise() {
        use UnitKind::*;
        let t = UnitTree::new(&[
            unit(1, None, Group),
            unit(2, Some(1), Department),
            unit(3, Some(1), Enterprise),
            unit(4, Some(3), Department),
        ]);
        assert!(t.is_within(4, 3) && t.is_within(4, 1) && t.is_within(4, 4));
        assert!(!t.is_within(2, 3) && !t.is_within(3, 4) && !t.is_within(99, 1));
        assert_eq!(t.enterprise_of(4), Some(3));
        assert_eq!(
            t.enterprise_of(2),
            Some(1),
            "headquarters belong to the group"
        );
        let cyclic = UnitTree::new(&[unit(1, Some(2), Department), unit(2, Some(1), Department)]);
        assert_eq!(cyclic.ancestors(1), vec![1, 2], "a cycle ends the walk");
    }
}
