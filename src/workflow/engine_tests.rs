use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::workflow::model::template::{FieldDef, FieldKind, StepDef};

/// A small organization: unit 1 the group, 2 an enterprise, 3 its department.
/// People: 10 applicant (manager 11), 11 manager (manager 12), 12 director, 13 department head,
/// 14 enterprise head, 15 and 16 workflow admins of the enterprise, 17 someone else, 18 disabled.
struct Org {
    delegations: BTreeMap<u64, u64>,
}

impl OrgView for Org {
    fn person(&self, id: u64) -> Option<Person> {
        let manager = match id {
            10 => Some(11),
            11 => Some(12),
            _ => None,
        };
        (10..=18).contains(&id).then_some(Person {
            id,
            unit_id: 3,
            manager_id: manager,
            active: id != 18,
        })
    }
    fn unit_head(&self, unit: u64) -> Option<u64> {
        match unit {
            3 => Some(13),
            2 => Some(14),
            _ => None,
        }
    }
    fn enterprise_of(&self, unit: u64) -> u64 {
        if unit == 1 { 1 } else { 2 }
    }
    fn root(&self) -> u64 {
        1
    }
    fn role_holders(&self, role: &str, unit: u64) -> Vec<u64> {
        match (role, unit) {
            ("workflow_admin", 2 | 3) => vec![15, 16],
            _ => vec![],
        }
    }
    fn delegate(&self, user: u64, _at: i64, _category: &str) -> Option<u64> {
        self.delegations.get(&user).copied()
    }
}

fn org() -> Org {
    Org {
        delegations: BTreeMap::new(),
    }
}

fn step(id: &str, rules: Vec<ApproverRule>, mode: Mode) -> StepDef {
    StepDef {
        id: id.into(),
        name: id.into(),
        kind: StepKind::Approval,
        approvers: rules,
        mode,
        condition: None,
        field_rights: Default::default(),
        deadline_days: 1,
    }
}

fn template(steps: Vec<StepDef>) -> Template {
    Template {
        id: 1,
        key: "t".into(),
        version: 1,
        category: "hr".into(),
        name: "T".into(),
        description: String::new(),
        fields: vec![FieldDef {
            key: "days".into(),
            label: "days".into(),
            kind: FieldKind::Number,
            required: false,
            help: String::new(),
            min: None,
            max: None,
            options: vec![],
            columns: vec![],
            compute: None,
        }],
        steps,
        quick_approve: false,
        subject: None,
        title_field: None,
        enabled: true,
        builtin: false,
        created_by: None,
        created_ms: 0,
    }
}

fn draft(days: i64) -> Instance {
    Instance {
        id: 7,
        template_id: 1,
        template_key: "t".into(),
        template_version: 1,
        category: "hr".into(),
        title: "T".into(),
        applicant: 10,
        unit_id: 3,
        form: [("days".to_string(), json!(days))].into(),
        status: Status::Draft,
        current: None,
        tasks: vec![],
        timeline: vec![],
        created_ms: 0,
        submitted_ms: None,
        ended_ms: None,
        updated_ms: 0,
        last_urged_ms: None,
        round_from: 0,
        restart_from: 0,
    }
}

const DAY: i64 = 86_400_000;
fn plus_days(start: i64, days: u32) -> i64 {
    start + days as i64 * DAY
}

fn open_of(inst: &Instance, user: u64) -> u64 {
    inst.open_tasks()
        .find(|t| t.assignee == user)
        .unwrap_or_else(|| panic!("no open task for {user}: {:?}", inst.tasks))
        .id
}

/// Who holds an open task, in id order of people (the order tasks were made does not matter).
fn holders(inst: &Instance) -> Vec<u64> {
    let mut h: Vec<u64> = inst.open_tasks().map(|t| t.assignee).collect();
    h.sort_unstable();
    h
}

#[test]
fn manager_then_head_then_leaders_over_three_days() {
    let mut leaders = step("leaders", vec![ApproverRule::EnterpriseHead], Mode::AnyOf);
    leaders.condition = Some(Condition::Compare {
        field: "days".into(),
        op: Op::Gt,
        value: json!(3),
    });
    let t = template(vec![
        step(
            "manager",
            vec![ApproverRule::Manager { levels: 1 }],
            Mode::AnyOf,
        ),
        step("head", vec![ApproverRule::DepartmentHead], Mode::AnyOf),
        leaders,
    ]);
    let o = org();
    for (days, chain) in [(2, vec![11, 13]), (5, vec![11, 13, 14])] {
        let mut inst = draft(days);
        let mut e = Engine::new(&t, &o, &plus_days, 1000);
        e.submit(&mut inst).unwrap();
        for who in &chain {
            assert_eq!(holders(&inst), vec![*who]);
            let task = open_of(&inst, *who);
            assert_eq!(inst.task(task).unwrap().due_ms, Some(1000 + DAY));
            e.approve(&mut inst, task, "同意", &[]).unwrap();
        }
        assert_eq!(inst.status, Status::Approved, "{days} days");
        assert!(e.notices.contains(&Notice {
            user: 10,
            kind: NoticeKind::Approved
        }));
    }
}

#[test]
fn the_applicant_never_approves_their_own_request() {
    // The department head applies: the head step resolves to them and is skipped.
    let t = template(vec![
        step("head", vec![ApproverRule::DepartmentHead], Mode::AnyOf),
        step("leaders", vec![ApproverRule::EnterpriseHead], Mode::AnyOf),
    ]);
    let o = org();
    let mut inst = draft(1);
    inst.applicant = 13;
    let mut e = Engine::new(&t, &o, &plus_days, 0);
    e.submit(&mut inst).unwrap();
    assert_eq!(holders(&inst), vec![14]);
    let skipped = inst
        .timeline
        .iter()
        .find(|e| e.kind == EventKind::StepSkipped)
        .unwrap();
    assert_eq!(skipped.reason, "workflow.reason.self");
}

#[test]
fn whoever_approved_already_is_not_asked_again() {
    let t = template(vec![
        step(
            "a",
            vec![ApproverRule::Users { ids: vec![15] }],
            Mode::AnyOf,
        ),
        step(
            "b",
            vec![ApproverRule::Users { ids: vec![15, 16] }],
            Mode::AnyOf,
        ),
        step(
            "c",
            vec![ApproverRule::Users { ids: vec![15, 17] }],
            Mode::AllOf,
        ),
    ]);
    let o = org();
    let mut inst = draft(1);
    let mut e = Engine::new(&t, &o, &plus_days, 0);
    e.submit(&mut inst).unwrap();
    let t = open_of(&inst, 15);
    e.approve(&mut inst, t, "", &[]).unwrap();
    assert_eq!(holders(&inst), vec![17], "b skipped; c asks only 17");
    let skipped: Vec<_> = inst
        .timeline
        .iter()
        .filter(|e| e.kind == EventKind::StepSkipped)
        .map(|e| (e.step, e.reason.as_str()))
        .collect();
    assert_eq!(skipped, vec![(Some(1), "workflow.reason.already")]);
}

#[test]
fn nobody_found_goes_to_the_workflow_admins() {
    let t = template(vec![step(
        "dir",
        vec![ApproverRule::Users { ids: vec![18] }], // disabled
        Mode::AnyOf,
    )]);
    let o = org();
    let mut inst = draft(1);
    let mut e = Engine::new(&t, &o, &plus_days, 0);
    e.submit(&mut inst).unwrap();
    assert_eq!(holders(&inst), vec![15, 16]);
}

#[test]
fn all_of_needs_everyone_and_any_of_the_first() {
    let users = || vec![ApproverRule::Users { ids: vec![15, 16] }];
    let o = org();
    let t = template(vec![step("s", users(), Mode::AllOf)]);
    let mut inst = draft(1);
    let mut e = Engine::new(&t, &o, &plus_days, 0);
    e.submit(&mut inst).unwrap();
    let t = open_of(&inst, 15);
    e.approve(&mut inst, t, "", &[]).unwrap();
    assert_eq!(inst.status, Status::Running);
    assert_eq!(holders(&inst), vec![16], "15's approval is recorded once");
    let t16 = open_of(&inst, 16);
    e.approve(&mut inst, t16, "", &[]).unwrap();
    assert_eq!(inst.status, Status::Approved);
    assert_eq!(
        e.approve(&mut inst, t16, "", &[]),
        Err(Refusal::State),
        "a second approval of the same task is refused"
    );

    let t = template(vec![step("s", users(), Mode::AnyOf)]);
    let mut inst = draft(1);
    let mut e = Engine::new(&t, &o, &plus_days, 0);
    e.submit(&mut inst).unwrap();
    let t = open_of(&inst, 16);
    e.approve(&mut inst, t, "", &[]).unwrap();
    assert_eq!(inst.status, Status::Approved);
    let t15 = inst.tasks.iter().find(|t| t.assignee == 15).unwrap();
    assert_eq!(t15.state, TaskState::Cancelled);
}

#[test]
fn sequence_goes_one_after_another() {
    let o = org();
    let t = template(vec![step(
        "s",
        vec![ApproverRule::Users {
            ids: vec![16, 15, 17],
        }],
        Mode::Sequence,
    )]);
    let mut inst = draft(1);
    let mut e = Engine::new(&t, &o, &plus_days, 0);
    e.submit(&mut inst).unwrap();
    for who in [16, 15, 17] {
        let t = open_of(&inst, who);
        assert_eq!(holders(&inst), vec![who]);
        e.approve(&mut inst, t, "", &[]).unwrap();
    }
    assert_eq!(inst.status, Status::Approved);
}

#[test]
fn added_before_decides_first_added_after_decides_last() {
    let o = org();
    let t = template(vec![step(
        "s",
        vec![ApproverRule::Users { ids: vec![15, 16] }],
        Mode::AnyOf,
    )]);
    let mut inst = draft(1);
    let mut e = Engine::new(&t, &o, &plus_days, 0);
    e.submit(&mut inst).unwrap();
    let t15 = open_of(&inst, 15);
    e.add_approver(&mut inst, t15, 17, true, "请先看").unwrap();
    let t = open_of(&inst, 17);
    assert_eq!(holders(&inst), vec![16, 17]);
    e.approve(&mut inst, t, "", &[]).unwrap();
    assert_eq!(holders(&inst), vec![15, 16], "15 decides after 17");
    // 15 approves and adds 12 after: the step waits for 12, 16 is no longer needed.
    e.add_approver(&mut inst, t15, 12, false, "").unwrap();
    assert_eq!(holders(&inst), vec![12]);
    let t = open_of(&inst, 12);
    assert_eq!(inst.status, Status::Running);
    e.approve(&mut inst, t, "", &[]).unwrap();
    assert_eq!(inst.status, Status::Approved);
    assert_eq!(
        e.add_approver(&mut inst, t15, 12, false, ""),
        Err(Refusal::State)
    );
}

#[test]
fn transfer_return_reject_withdraw() {
    let o = org();
    let t = template(vec![
        step(
            "a",
            vec![ApproverRule::Users { ids: vec![15] }],
            Mode::AnyOf,
        ),
        step(
            "b",
            vec![ApproverRule::Users { ids: vec![16] }],
            Mode::AnyOf,
        ),
    ]);
    let mut inst = draft(1);
    let mut e = Engine::new(&t, &o, &plus_days, 0);
    e.submit(&mut inst).unwrap();
    let t = open_of(&inst, 15);
    assert_eq!(
        e.transfer(&mut inst, t, 10, ""),
        Err(Refusal::Target),
        "never to the applicant"
    );
    let t = open_of(&inst, 15);
    e.transfer(&mut inst, t, 17, "你来").unwrap();
    assert_eq!(holders(&inst), vec![17]);
    let t = open_of(&inst, 17);
    assert_eq!(e.withdraw(&mut inst), Err(Refusal::State), "someone acted");
    e.approve(&mut inst, t, "", &[]).unwrap();
    let t = open_of(&inst, 16);
    e.send_back(&mut inst, t, Some(0), "再看").unwrap();
    let t = open_of(&inst, 15);
    assert_eq!(holders(&inst), vec![15], "step a again");
    e.send_back(&mut inst, t, None, "补充材料").unwrap();
    assert_eq!(inst.status, Status::Returned);
    assert!(holders(&inst).is_empty());
    e.submit(&mut inst).unwrap();
    assert_eq!(holders(&inst), vec![15]);
    assert!(
        e.withdraw(&mut inst).is_ok(),
        "nobody acted since resubmission"
    );
    assert_eq!(inst.status, Status::Withdrawn);

    let mut inst = draft(1);
    e.submit(&mut inst).unwrap();
    let t = open_of(&inst, 15);
    e.reject(&mut inst, t, "不同意").unwrap();
    assert_eq!(inst.status, Status::Rejected);
    assert!(inst.tasks.iter().all(|t| !t.state.is_pending()));
}

#[test]
fn delegation_sends_new_tasks_to_the_delegate() {
    let mut o = org();
    o.delegations.insert(11, 17);
    let t = template(vec![step(
        "m",
        vec![ApproverRule::Manager { levels: 2 }],
        Mode::Sequence,
    )]);
    let mut inst = draft(1);
    let mut e = Engine::new(&t, &o, &plus_days, 0);
    e.submit(&mut inst).unwrap();
    let task = inst.open_tasks().next().unwrap().clone();
    assert_eq!((task.assignee, task.on_behalf_of), (17, Some(11)));
    e.approve(&mut inst, task.id, "", &[]).unwrap();
    let ev = inst
        .timeline
        .iter()
        .find(|e| e.kind == EventKind::Approved)
        .unwrap();
    assert_eq!((ev.actor, ev.on_behalf_of), (Some(17), Some(11)));
    assert_eq!(holders(&inst), vec![12]);
}

#[test]
fn conditions_compare_numbers_text_and_lists() {
    let mut inst = draft(5);
    inst.form.insert("kind".into(), json!("annual"));
    let c = |field: &str, op, value| Condition::Compare {
        field: field.into(),
        op,
        value,
    };
    assert!(holds(&c("days", Op::Gt, json!(3)), &inst));
    assert!(!holds(&c("days", Op::Le, json!(3)), &inst));
    assert!(holds(&c("kind", Op::Eq, json!("annual")), &inst));
    assert!(holds(&c("kind", Op::In, json!(["sick", "annual"])), &inst));
    assert!(!holds(&c("missing", Op::Ne, json!(1)), &inst));
    assert!(holds(
        &Condition::Any {
            of: vec![c("days", Op::Lt, json!(1)), c("kind", Op::Ne, json!("x"))]
        },
        &inst
    ));
}

// ---------------------------------------------------------------- the state machine's property

#[derive(Debug, Clone)]
enum Act {
    Approve(usize),
    Reject(usize),
    Return(usize, Option<usize>),
    Transfer(usize, u64),
    Add(usize, u64, bool),
    Withdraw,
    Resubmit,
    Reassign(usize, u64),
}

fn act() -> impl Strategy<Value = Act> {
    let who = 10u64..=18;
    prop_oneof![
        4 => (0usize..4).prop_map(Act::Approve),
        1 => (0usize..4).prop_map(Act::Reject),
        1 => (0usize..4, proptest::option::of(0usize..3)).prop_map(|(a, b)| Act::Return(a, b)),
        1 => (0usize..4, who.clone()).prop_map(|(a, b)| Act::Transfer(a, b)),
        1 => (0usize..4, who.clone(), any::<bool>()).prop_map(|(a, b, c)| Act::Add(a, b, c)),
        1 => Just(Act::Withdraw),
        1 => Just(Act::Resubmit),
        1 => (0usize..4, who).prop_map(|(a, b)| Act::Reassign(a, b)),
    ]
}

fn rule() -> impl Strategy<Value = ApproverRule> {
    prop_oneof![
        proptest::collection::vec(10u64..=18, 1..4).prop_map(|ids| ApproverRule::Users { ids }),
        (1u8..3).prop_map(|levels| ApproverRule::Manager { levels }),
        Just(ApproverRule::DepartmentHead),
        Just(ApproverRule::EnterpriseHead),
    ]
}

fn steps() -> impl Strategy<Value = Vec<StepDef>> {
    let mode = prop_oneof![Just(Mode::AnyOf), Just(Mode::AllOf), Just(Mode::Sequence)];
    proptest::collection::vec(
        (
            proptest::collection::vec(rule(), 1..3),
            mode,
            any::<bool>(),
            any::<bool>(),
        ),
        1..4,
    )
    .prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (rules, mode, cc, cond))| {
                let mut s = step(&format!("s{i}"), rules, mode);
                if cc && i > 0 {
                    s.kind = StepKind::Cc;
                }
                if cond {
                    s.condition = Some(Condition::Compare {
                        field: "days".into(),
                        op: Op::Gt,
                        value: json!(3),
                    });
                }
                s
            })
            .collect()
    })
}

fn invariant(inst: &Instance) -> Result<(), TestCaseError> {
    let pending = inst
        .tasks
        .iter()
        .filter(|t| t.kind == TaskKind::Approval && t.state.is_pending())
        .count();
    match inst.status {
        Status::Running => {
            prop_assert!(
                inst.open_tasks().next().is_some(),
                "running without an open task: {inst:?}"
            );
            for t in inst.open_tasks() {
                prop_assert!(t.assignee != inst.applicant, "the applicant holds a task");
                prop_assert!(t.due_ms.is_some());
            }
        }
        _ => prop_assert_eq!(pending, 0, "not running but tasks pending: {:?}", inst),
    }
    let mut ids: Vec<u64> = inst.tasks.iter().map(|t| t.id).collect();
    ids.dedup();
    prop_assert_eq!(ids.len(), inst.tasks.len());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn every_instance_ends_or_waits_on_someone(
        steps in steps(),
        days in 1i64..6,
        acts in proptest::collection::vec(act(), 0..25),
    ) {
        let t = template(steps);
        let o = org();
        let mut inst = draft(days);
        let mut e = Engine::new(&t, &o, &plus_days, 0);
        e.submit(&mut inst).unwrap();
        invariant(&inst)?;
        for a in acts {
            let open: Vec<u64> = inst.open_tasks().map(|t| t.id).collect();
            let pick = |i: usize| open.get(i % open.len().max(1)).copied().unwrap_or(0);
            let before = inst.clone();
            let r = match a {
                Act::Approve(i) => e.approve(&mut inst, pick(i), "", &[]),
                Act::Reject(i) => e.reject(&mut inst, pick(i), ""),
                Act::Return(i, to) => e.send_back(&mut inst, pick(i), to, ""),
                Act::Transfer(i, to) => e.transfer(&mut inst, pick(i), to, ""),
                Act::Add(i, to, before) => e.add_approver(&mut inst, pick(i), to, before, ""),
                Act::Withdraw => e.withdraw(&mut inst),
                Act::Resubmit => e.submit(&mut inst),
                Act::Reassign(i, to) => e.reassign(&mut inst, pick(i), to, false, None, ""),
            };
            if r.is_err() {
                prop_assert_eq!(&inst, &before, "a refused action changed the instance");
            }
            invariant(&inst)?;
        }
    }
}
