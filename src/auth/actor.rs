//! The Actor (who is asking) and `can`: the one home of authorization. Services take the Actor
//! first and ask `actor.can(permission, unit)`; roles are granted within a unit subtree.

use std::sync::Arc;

use crate::org::tree::UnitTree;

/// What a role allows. A grant gives a role within a unit subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Units and positions.
    ManageOrg,
    /// Create, edit, disable users; reset their passwords.
    ManageUsers,
    /// Give and take back roles.
    ManageGrants,
    ViewAudit,
    /// Post eHR snapshots.
    SyncEhr,
    /// Integration tokens.
    ManageTokens,
    PublishNews,
    PublishRegulations,
    PublishNotices,
    ManageDocuments,
    AdminWorkflow,
    AdminMeetings,
}

use Permission::*;

/// The built-in roles and what each allows (GLOSSARY.md).
pub const ROLE_PERMISSIONS: &[(&str, &[Permission])] = &[
    (
        "group_admin",
        &[
            ManageOrg,
            ManageUsers,
            ManageGrants,
            ViewAudit,
            SyncEhr,
            ManageTokens,
            PublishNews,
            PublishRegulations,
            PublishNotices,
            ManageDocuments,
            AdminWorkflow,
            AdminMeetings,
        ],
    ),
    (
        "enterprise_admin",
        &[ManageOrg, ManageUsers, ManageGrants, ViewAudit],
    ),
    ("news_publisher", &[PublishNews]),
    ("regulation_publisher", &[PublishRegulations]),
    ("notice_publisher", &[PublishNotices]),
    ("document_clerk", &[ManageDocuments]),
    ("workflow_admin", &[AdminWorkflow]),
    ("meeting_admin", &[AdminMeetings]),
];

pub fn role_permissions(role: &str) -> &'static [Permission] {
    ROLE_PERMISSIONS
        .iter()
        .find(|(r, _)| *r == role)
        .map_or(&[], |(_, p)| p)
}

/// What a credential may be used for: a person's session has the person's full rights; an
/// integration token only the scope it was made with.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Full,
    /// Only `POST /api/v1/ehr/sync`.
    EhrSync,
    /// Read-only API access.
    Read,
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: u64,
    pub login: String,
    pub name: String,
    pub unit_id: u64,
    /// `(role, unit)` pairs.
    pub grants: Vec<(String, u64)>,
    pub session_id: u64,
    pub scope: Scope,
    pub must_change_password: bool,
    /// The session's CSRF token (browser sessions).
    pub csrf: String,
    pub tree: Arc<UnitTree>,
}

impl Actor {
    /// Whether the actor holds `perm` on `unit` (through a grant on the unit or an ancestor).
    /// A scoped token allows only what its scope names.
    pub fn can(&self, perm: Permission, unit: u64) -> bool {
        let scope_ok = match self.scope {
            Scope::Full => true,
            Scope::EhrSync => perm == SyncEhr,
            Scope::Read => false,
        };
        scope_ok
            && self.grants.iter().any(|(role, at)| {
                role_permissions(role).contains(&perm) && self.tree.is_within(unit, *at)
            })
    }

    /// Whether the actor holds `perm` anywhere (to show an admin entry).
    pub fn can_anywhere(&self, perm: Permission) -> bool {
        self.grants
            .iter()
            .any(|(role, at)| role_permissions(role).contains(&perm) && self.can(perm, *at))
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.grants.iter().any(|(r, _)| r == role)
    }

    /// Whether granting `role` on `unit` stays within the actor's own power: they may manage
    /// grants there and hold every permission of the role there. Nobody grants wider than
    /// their own.
    pub fn may_grant(&self, role: &str, unit: u64) -> bool {
        self.can(ManageGrants, unit) && role_permissions(role).iter().all(|p| self.can(*p, unit))
    }

    /// The refusal for an action on something in `unit` that the actor may not do: 404 when it
    /// lies in another enterprise (its existence is not the actor's business), 403 otherwise.
    pub fn refusal(&self, unit: u64) -> crate::error::Error {
        use crate::error::{Code, Error};
        let mine = self.tree.enterprise_of(self.unit_id);
        let can_see_there = self
            .grants
            .iter()
            .any(|(_, at)| self.tree.is_within(unit, *at));
        if self.tree.enterprise_of(unit) == mine || can_see_there {
            Error::Forbidden(Code::Forbidden)
        } else {
            Error::NotFound
        }
    }

    /// Search ACL terms for this actor: everyone, the user, each unit up the tree, each role.
    pub fn acl_terms(&self) -> Vec<String> {
        let mut terms = vec!["all".to_string(), format!("user:{}", self.user_id)];
        terms.extend(
            self.tree
                .ancestors(self.unit_id)
                .into_iter()
                .map(|u| format!("unit:{u}")),
        );
        terms.extend(self.grants.iter().map(|(r, u)| format!("role:{r}@{u}")));
        terms
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::model::{Unit, UnitKind};

    fn tree() -> Arc<UnitTree> {
        let u = |id, parent, kind| Unit {
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
        };
        Arc::new(UnitTree::new(&[
            u(1, None, UnitKind::Group),
            u(2, Some(1), UnitKind::Enterprise),
            u(3, Some(2), UnitKind::Department),
            u(4, Some(1), UnitKind::Enterprise),
        ]))
    }

    fn actor(grants: &[(&str, u64)], scope: Scope) -> Actor {
        Actor {
            user_id: 9,
            login: "x".into(),
            name: "X".into(),
            unit_id: 3,
            grants: grants.iter().map(|(r, u)| (r.to_string(), *u)).collect(),
            session_id: 1,
            scope,
            must_change_password: false,
            csrf: String::new(),
            tree: tree(),
        }
    }

    #[test]
    fn enterprise_admin_acts_only_in_their_enterprise() {
        let a = actor(&[("enterprise_admin", 2)], Scope::Full);
        assert!(a.can(ManageUsers, 2) && a.can(ManageUsers, 3));
        assert!(!a.can(ManageUsers, 4) && !a.can(ManageUsers, 1));
        assert!(!a.can(SyncEhr, 2), "not a group admin power");
    }

    #[test]
    fn nobody_grants_wider_than_their_own() {
        let ea = actor(&[("enterprise_admin", 2)], Scope::Full);
        assert!(
            !ea.may_grant("news_publisher", 3),
            "an enterprise admin does not hold PublishNews"
        );
        assert!(ea.may_grant("enterprise_admin", 3));
        assert!(
            !ea.may_grant("enterprise_admin", 4),
            "outside their enterprise"
        );
        assert!(!ea.may_grant("group_admin", 2));
        let ga = actor(&[("group_admin", 1)], Scope::Full);
        assert!(ga.may_grant("group_admin", 1) && ga.may_grant("news_publisher", 4));
        let nobody = actor(&[], Scope::Full);
        assert!(!nobody.may_grant("meeting_admin", 3));
    }

    #[test]
    fn scoped_tokens_allow_only_their_scope() {
        let t = actor(&[("group_admin", 1)], Scope::EhrSync);
        assert!(t.can(SyncEhr, 1));
        assert!(!t.can(ManageUsers, 1));
        let r = actor(&[("group_admin", 1)], Scope::Read);
        assert!(!r.can(ManageUsers, 1));
    }

    #[test]
    fn acl_terms_cover_user_units_and_roles() {
        let a = actor(&[("notice_publisher", 3)], Scope::Full);
        assert_eq!(
            a.acl_terms(),
            vec![
                "all",
                "user:9",
                "unit:3",
                "unit:2",
                "unit:1",
                "role:notice_publisher@3"
            ]
        );
    }
}
