//! A step's approver rules in the step editor: one row a rule
//! (`steps.J.approvers.K.{order,type,levels,role,scope,ids,field,delete}`), one row type for
//! every [`ApproverRule`] the model has: the manager up to N levels, the department head, the
//! enterprise head, a role within a unit, named people, the person picked in a form field.

use super::form::person_value;
use super::template_form::{Posted, name_of, parse_enum};
use crate::error::FieldErrors;
use crate::org::directory::Directory;
use crate::workflow::model::template::{ApproverRule, RoleScope};

/// The kinds of approver rule as `(type, catalog key)`: one for each [`ApproverRule`] variant.
pub const RULES: [(&str, &str); 6] = [
    ("manager", "workflow.admin.rule_type.manager"),
    (
        "department_head",
        "workflow.admin.rule_type.department_head",
    ),
    (
        "enterprise_head",
        "workflow.admin.rule_type.enterprise_head",
    ),
    ("role", "workflow.admin.rule_type.role"),
    ("users", "workflow.admin.rule_type.users"),
    ("field", "workflow.admin.rule_type.field"),
];

pub const SCOPES: [&str; 3] = ["group", "enterprise", "department"];

/// One approver rule as text.
#[derive(Debug, Clone, Default)]
pub struct RuleRow {
    pub order: String,
    /// The rule's `type` (one of [`RULES`]), or "" on a blank row.
    pub kind: String,
    pub levels: String,
    pub role: String,
    pub scope: String,
    /// Named users by login, separated by commas.
    pub ids: String,
    /// Their names, shown beside the logins.
    pub names: String,
    /// A user field whose person approves.
    pub field: String,
}

impl RuleRow {
    pub fn fresh() -> RuleRow {
        RuleRow {
            levels: "1".into(),
            scope: "enterprise".into(),
            ..RuleRow::default()
        }
    }

    pub fn of(a: &ApproverRule, dir: &Directory) -> RuleRow {
        let mut r = RuleRow::fresh();
        r.kind = rule_type(a);
        match a {
            ApproverRule::Users { ids } => {
                let people: Vec<(String, String)> = ids
                    .iter()
                    .map(|id| {
                        dir.person(*id).map_or_else(
                            || (id.to_string(), id.to_string()),
                            |p| (p.login.clone(), p.name.clone()),
                        )
                    })
                    .collect();
                r.ids = people
                    .iter()
                    .map(|p| p.0.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                r.names = people
                    .iter()
                    .map(|p| p.1.as_str())
                    .collect::<Vec<_>>()
                    .join("、");
            }
            ApproverRule::Role { role, scope } => {
                r.role = role.clone();
                r.scope = name_of(scope);
            }
            ApproverRule::DepartmentHead | ApproverRule::EnterpriseHead => {}
            ApproverRule::Manager { levels } => r.levels = levels.to_string(),
            ApproverRule::Field { field } => r.field = field.clone(),
        }
        r
    }

    pub fn parse(p: &Posted<'_>, prefix: &str) -> RuleRow {
        let k = |n: &str| p.text(&format!("{prefix}{n}"));
        RuleRow {
            order: k("order"),
            kind: k("type"),
            levels: k("levels"),
            role: k("role"),
            scope: k("scope"),
            ids: k("ids"),
            names: String::new(),
            field: k("field"),
        }
    }

    pub fn blank(&self) -> bool {
        self.kind.is_empty() && self.ids.is_empty() && self.role.is_empty() && self.field.is_empty()
    }

    /// The rule the row describes; its own mistakes go to `e` under `path`
    /// (`steps.J.approvers.K`).
    pub fn build(&self, path: &str, dir: &Directory, e: &mut FieldErrors) -> Option<ApproverRule> {
        let mut bad = |k: &str, why: &str| {
            e.insert(format!("{path}.{k}"), why.into());
            None
        };
        match self.kind.as_str() {
            "manager" => match self.levels.parse::<u8>() {
                Ok(levels) => Some(ApproverRule::Manager { levels }),
                Err(_) => bad("levels", "error.workflow.levels"),
            },
            "department_head" => Some(ApproverRule::DepartmentHead),
            "enterprise_head" => Some(ApproverRule::EnterpriseHead),
            "role" if self.role.is_empty() => bad("role", "error.required"),
            "role" => match parse_enum::<RoleScope>(&self.scope) {
                Some(scope) => Some(ApproverRule::Role {
                    role: self.role.clone(),
                    scope,
                }),
                None => bad("scope", "error.invalid"),
            },
            "users" => {
                let logins: Vec<&str> = self
                    .ids
                    .split([',', '，', '、', ' ', ';', '；'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect();
                if logins.is_empty() {
                    return bad("ids", "error.required");
                }
                let mut ids = Vec::new();
                for l in logins {
                    match person_of(dir, l) {
                        Ok(id) if !ids.contains(&id) => ids.push(id),
                        Ok(_) => {}
                        Err(why) => return bad("ids", why),
                    }
                }
                Some(ApproverRule::Users { ids })
            }
            "field" if self.field.is_empty() => bad("field", "error.required"),
            "field" => Some(ApproverRule::Field {
                field: self.field.clone(),
            }),
            "" => bad("type", "error.workflow.rule_type"),
            _ => bad("type", "error.invalid"),
        }
    }
}

/// A person named in a rule, by login (or a unique name, or an id): an active account.
fn person_of(dir: &Directory, typed: &str) -> Result<u64, &'static str> {
    let lower = typed.to_lowercase();
    let id = match dir.people().find(|p| p.login.to_lowercase() == lower) {
        Some(p) => p.id,
        None => person_value(dir, typed)
            .as_u64()
            .ok_or("error.workflow.user")?,
    };
    match dir.person(id) {
        Some(p) if p.is_active() => Ok(id),
        Some(_) => Err("error.workflow.user_disabled"),
        None => Err("error.workflow.user"),
    }
}

/// An approver rule's type (`manager`, `role`…).
pub fn rule_type(a: &ApproverRule) -> String {
    serde_json::to_value(a)
        .ok()
        .and_then(|v| v.get("type")?.as_str().map(str::to_string))
        .unwrap_or_default()
}
#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant of [`ApproverRule`] has a row type, and the row gives the rule back.
    #[test]
    fn every_approver_rule_has_an_editable_row() {
        let dir = Directory::default();
        let all = [
            ApproverRule::Manager { levels: 3 },
            ApproverRule::DepartmentHead,
            ApproverRule::EnterpriseHead,
            ApproverRule::Role {
                role: "workflow_admin".into(),
                scope: RoleScope::Department,
            },
            ApproverRule::Field {
                field: "account".into(),
            },
        ];
        for a in &all {
            let row = RuleRow::of(a, &dir);
            assert!(RULES.iter().any(|r| r.0 == row.kind), "{a:?}");
            let mut e = FieldErrors::new();
            assert_eq!(row.build("p", &dir, &mut e).as_ref(), Some(a), "{e:?}");
        }
        // Users need people: the directory-backed round trip is in the integration tests.
        let users = rule_type(&ApproverRule::Users { ids: vec![1] });
        assert!(RULES.iter().any(|r| r.0 == users));
        assert_eq!(
            RULES.len(),
            6,
            "a new ApproverRule variant needs a row type"
        );
    }
}
