//! The template editor's form and step editors, as a browser posts them: every template goes
//! through the editor unchanged, approver rules of every kind keep their order and are added,
//! changed and removed row by row, table columns have rows of their own, a clone keeps its
//! subject handler; bad input comes back beside its input with nothing saved.

use rocket::http::Status;
use serde_json::{Value, json};

use crate::common::{Agent, PW, SESSION, World, page, post};
use crate::workflow_templates::{
    api_template, api_templates, body, enc, form_of, pairs, set, trip_form, unescape,
};

/// A template as saved, without what each version has of its own.
fn content(t: &Value) -> Value {
    let mut t = t.clone();
    for k in ["id", "version", "created_by", "created_ms"] {
        t.as_object_mut().unwrap().remove(k);
    }
    t
}

/// Opens `key` in the editor and saves it as it was prefilled.
async fn save_unchanged(w: &World, who: &Agent, key: &str) -> Value {
    let edit = page(w, who, &format!("/admin/workflow/{key}/edit")).await;
    assert_eq!(edit.status, Status::Ok, "{key}");
    let f = form_of(&edit.body, "tpl-editor");
    let r = post(w, who, "/admin/workflow/save", &body(&f), false).await;
    assert_eq!(r.status, Status::SeeOther, "{key}: {}", r.body);
    api_template(w, who, key).await.unwrap()
}

/// The error shown beside the input named `name` (before its label or row closes), if any.
fn error_beside(html: &str, name: &str) -> Option<String> {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no input {name}"));
    let rest = &html[at..];
    let end = ["</label>", "</div>"]
        .iter()
        .filter_map(|c| rest.find(c))
        .min()
        .unwrap_or(rest.len());
    let part = &rest[..end];
    let e = part.find("class=\"field-error\">")? + "class=\"field-error\">".len();
    Some(unescape(&part[e..e + part[e..].find('<')?]))
}

/// A template with every part the editor handles: each field kind, a table with columns of
/// several kinds, a computed field, rules of every type (two of some) in no particular order,
/// conditions one comparison, side-by-side and nested, field rights, a cc step, deadlines.
fn rich(w: &World) -> Value {
    let cmp = |field: &str, op: &str, value: Value| json!({"type": "compare", "field": field, "op": op, "value": value});
    json!({
        "key": "rich", "category": "测试", "name": "全功能模板", "description": "各种字段、规则与条件",
        "title_field": "title", "quick_approve": true,
        "fields": [
            {"key": "title", "label": "标题", "kind": "text", "required": true, "min": 2.0, "max": 100.0, "help": "简要说明"},
            {"key": "amount", "label": "金额", "kind": "money", "min": 0.0, "max": 1000000.5},
            {"key": "start", "label": "开始", "kind": "date"},
            {"key": "end", "label": "结束", "kind": "date"},
            {"key": "days", "label": "天数", "kind": "number",
             "compute": {"type": "working_days", "from": "start", "to": "end"}},
            {"key": "period", "label": "期间", "kind": "date_range"},
            {"key": "sort", "label": "类别", "kind": "single", "required": true,
             "options": [{"value": "a", "label": "甲"}, {"value": "b", "label": "乙"}]},
            {"key": "tags", "label": "标签", "kind": "multiple",
             "options": [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}]},
            {"key": "code", "label": "编号", "kind": "text"},
            {"key": "reviewer", "label": "复核人", "kind": "user"},
            {"key": "unit", "label": "部门", "kind": "unit"},
            {"key": "files", "label": "附件", "kind": "attachment"},
            {"key": "items", "label": "明细", "kind": "table", "columns": [
                {"key": "name", "label": "物品", "kind": "text", "required": true, "max": 50.0, "help": "名称"},
                {"key": "qty", "label": "数量", "kind": "number", "min": 1.0},
                {"key": "grade", "label": "等级", "kind": "single",
                 "options": [{"value": "1", "label": "一等"}, {"value": "2", "label": "二等"}]},
                {"key": "price", "label": "单价", "kind": "money"}
            ]},
            {"key": "notes", "label": "备注", "kind": "long_text"}
        ],
        "steps": [
            {"id": "first", "name": "依次审批", "kind": "approval", "mode": "sequence", "deadline_days": 3,
             "approvers": [
                {"type": "field", "field": "reviewer"},
                {"type": "users", "ids": [w.bob, w.alice]},
                {"type": "department_head"},
                {"type": "manager", "levels": 2},
                {"type": "role", "role": "workflow_admin", "scope": "department"},
                {"type": "enterprise_head"},
                {"type": "role", "role": "group_admin", "scope": "group"},
                {"type": "users", "ids": [w.group_admin]}
             ],
             "field_rights": {"title": "editable", "notes": "hidden", "items": "editable"},
             "condition": {"type": "any", "of": [
                cmp("amount", "ge", json!(1000.5)),
                cmp("sort", "in", json!(["a", "b"])),
                cmp("code", "eq", json!("007"))
             ]}},
            {"id": "notify", "name": "抄送", "kind": "cc", "mode": "any_of", "deadline_days": 1,
             "approvers": [{"type": "users", "ids": [w.bob]}],
             "condition": {"type": "all", "of": [
                cmp("days", "gt", json!(3)),
                {"type": "any", "of": [cmp("tags", "eq", json!("x")), cmp("period", "le", json!(5))]}
             ]}},
            {"id": "together", "name": "会签", "kind": "approval", "mode": "all_of", "deadline_days": 5,
             "approvers": [{"type": "manager", "levels": 1}, {"type": "enterprise_head"}],
             "condition": cmp("days", "gt", json!(3)),
             "field_rights": {"code": "editable"}}
        ]
    })
}

async fn import(w: &World, who: &Agent, t: &Value) {
    let r = post(
        w,
        who,
        "/admin/workflow/import",
        &format!("json={}", enc(&t.to_string())),
        false,
    )
    .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
}

#[rocket::async_test]
async fn every_template_goes_through_the_editor_unchanged() {
    let w = World::standard().await;
    let gadmin = w.t.agent("gadmin", PW).await;
    // The built-in ones: each loaded into the editor and posted back as it came.
    for json in oanode::workflow::service::templates::BUILTIN {
        let key = serde_json::from_str::<Value>(json).unwrap()["key"]
            .as_str()
            .unwrap()
            .to_string();
        let before = api_template(&w, &gadmin, &key).await.unwrap();
        let after = save_unchanged(&w, &gadmin, &key).await;
        assert_eq!(after["version"], 2, "{key}: a new version was saved");
        assert_eq!(content(&after), content(&before), "{key}");
    }
    // One with every part the editor has: nested conditions stay as they were, the rest goes
    // through the rows.
    import(&w, &gadmin, &rich(&w)).await;
    let before = api_template(&w, &gadmin, "rich").await.unwrap();
    let edit = page(&w, &gadmin, "/admin/workflow/rich/edit").await;
    assert!(
        edit.body.contains(r#"name="steps.1.cond_json""#),
        "a nested condition is kept as JSON"
    );
    assert!(
        !edit.body.contains(r#"name="steps.0.cond_json""#)
            && edit
                .body
                .contains(r#"name="steps.0.cond.2.value" value="007""#),
        "comparisons side by side are rows"
    );
    let after = save_unchanged(&w, &gadmin, "rich").await;
    assert_eq!(after["version"], 2);
    assert_eq!(content(&after), content(&before));
    // And once more: a saved version reads back the same way.
    let again = save_unchanged(&w, &gadmin, "rich").await;
    assert_eq!(content(&again), content(&before));

    // The kept condition is cleared and replaced by comparisons in rows.
    let edit = page(&w, &gadmin, "/admin/workflow/rich/edit").await;
    let mut f = form_of(&edit.body, "tpl-editor");
    set(&mut f, "steps.1.cond.0.field", "days");
    set(&mut f, "steps.1.cond.0.op", "ge");
    set(&mut f, "steps.1.cond.0.value", "5");
    f.extend(pairs(&[
        ("steps.1.cond_clear", "on"),
        ("steps.1.cond.1.field", "sort"),
        ("steps.1.cond.1.op", "in"),
        ("steps.1.cond.1.value", "a，b"),
    ]));
    set(&mut f, "steps.1.cond_join", "any");
    let r = post(&w, &gadmin, "/admin/workflow/save", &body(&f), false).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let t = api_template(&w, &gadmin, "rich").await.unwrap();
    assert_eq!(
        t["steps"][1]["condition"],
        json!({"type": "any", "of": [
            {"type": "compare", "field": "days", "op": "ge", "value": 5},
            {"type": "compare", "field": "sort", "op": "in", "value": ["a", "b"]}
        ]})
    );
}

#[rocket::async_test]
async fn approver_rules_keep_their_order_and_are_edited_row_by_row() {
    let w = World::standard().await;
    let gadmin = w.t.agent("gadmin", PW).await;
    import(&w, &gadmin, &rich(&w)).await;
    let rules = |t: &Value, j: usize| t["steps"][j]["approvers"].clone();
    let before = api_template(&w, &gadmin, "rich").await.unwrap();

    // Every rule is a row of its own, its type chosen and its inputs filled in.
    let edit = page(&w, &gadmin, "/admin/workflow/rich/edit").await;
    let f = form_of(&edit.body, "tpl-editor");
    let v = |name: &str| {
        f.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{name}"))
    };
    let types: Vec<&str> = (0..8)
        .map(|k| v(&format!("steps.0.approvers.{k}.type")))
        .collect();
    assert_eq!(
        types,
        [
            "field",
            "users",
            "department_head",
            "manager",
            "role",
            "enterprise_head",
            "role",
            "users"
        ]
    );
    assert_eq!(v("steps.0.approvers.0.field"), "reviewer");
    assert_eq!(v("steps.0.approvers.1.ids"), "bob, alice");
    assert_eq!(v("steps.0.approvers.3.levels"), "2");
    assert_eq!(
        (
            v("steps.0.approvers.4.role"),
            v("steps.0.approvers.4.scope")
        ),
        ("workflow_admin", "department")
    );
    assert_eq!(v("steps.0.approvers.8.type"), "", "a blank row to add one");
    assert!(
        edit.body.contains("用户bob、用户alice"),
        "the names beside the logins"
    );
    for label in [
        "直属上级（逐级向上）",
        "申请人所在部门的负责人",
        "申请人所在企业的负责人",
        "某范围内的角色",
        "指定人员",
        "表单中选择的人员",
    ] {
        assert!(edit.body.contains(label), "{label}");
    }
    let en =
        w.t.get_cookie(
            "/admin/workflow/rich/edit",
            (SESSION, &gadmin.token),
            &[("Accept-Language", "en")],
        )
        .await;
    for label in [
        "Manager chain (up N levels)",
        "Head of the applicant&#39;s department",
        "A role within a unit",
        "Person picked in the form",
        "Add an approver rule",
    ] {
        assert!(en.body.contains(label), "{label}");
    }

    // Renumbered: the order numbers decide, exactly.
    let mut g = f.clone();
    for (k, n) in [
        (0, "8"),
        (1, "7"),
        (2, "6"),
        (3, "5"),
        (4, "4"),
        (5, "3"),
        (6, "2"),
        (7, "1"),
    ] {
        set(&mut g, &format!("steps.0.approvers.{k}.order"), n);
    }
    let r = post(&w, &gadmin, "/admin/workflow/save", &body(&g), false).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let mut reversed = rules(&before, 0).as_array().unwrap().clone();
    reversed.reverse();
    let t = api_template(&w, &gadmin, "rich").await.unwrap();
    assert_eq!(rules(&t, 0), json!(reversed));
    assert_eq!(content(&t)["steps"][1], content(&before)["steps"][1]);

    // Changed, removed and added in one save: the manager goes 3 levels up, a role moves to
    // the group, the department head is removed, a role and a form person are added.
    let edit = page(&w, &gadmin, "/admin/workflow/rich/edit").await;
    let mut f = form_of(&edit.body, "tpl-editor");
    // Now: 0 users[gadmin], 1 role group_admin, 2 enterprise_head, 3 role workflow_admin,
    // 4 manager 2, 5 department_head, 6 users[bob, alice], 7 field reviewer, 8 blank.
    set(&mut f, "steps.0.approvers.4.levels", "3");
    set(&mut f, "steps.0.approvers.3.scope", "group");
    f.push(("steps.0.approvers.5.delete".into(), "on".into()));
    set(&mut f, "steps.0.approvers.6.ids", "alice，bob");
    set(&mut f, "steps.0.approvers.8.type", "role");
    set(&mut f, "steps.0.approvers.8.role", "meeting_admin");
    set(&mut f, "steps.0.approvers.8.scope", "enterprise");
    set(&mut f, "steps.0.approvers.8.order", "0");
    f.extend(pairs(&[
        ("steps.0.approvers.12.type", "field"),
        ("steps.0.approvers.12.field", "reviewer"),
        ("steps.0.approvers.12.levels", "1"),
        ("steps.0.approvers.12.scope", "enterprise"),
        ("steps.2.approvers.5.type", "users"),
        ("steps.2.approvers.5.ids", "alice"),
    ]));
    let r = post(&w, &gadmin, "/admin/workflow/save", &body(&f), false).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let t = api_template(&w, &gadmin, "rich").await.unwrap();
    assert_eq!(
        rules(&t, 0),
        json!([
            {"type": "role", "role": "meeting_admin", "scope": "enterprise"},
            {"type": "users", "ids": [w.group_admin]},
            {"type": "role", "role": "group_admin", "scope": "group"},
            {"type": "enterprise_head"},
            {"type": "role", "role": "workflow_admin", "scope": "group"},
            {"type": "manager", "levels": 3},
            {"type": "users", "ids": [w.alice, w.bob]},
            {"type": "field", "field": "reviewer"},
            {"type": "field", "field": "reviewer"}
        ])
    );
    assert_eq!(
        rules(&t, 2),
        json!([{"type": "manager", "levels": 1}, {"type": "enterprise_head"}, {"type": "users", "ids": [w.alice]}])
    );
    assert_eq!(t["steps"][0]["mode"], "sequence");
}

#[rocket::async_test]
async fn table_columns_have_rows_of_their_own() {
    let w = World::standard().await;
    let gadmin = w.t.agent("gadmin", PW).await;
    // trip_form()'s blank third row becomes a table with three columns and a blank one.
    let mut f = trip_form();
    set(&mut f, "fields.2.order", "3");
    set(&mut f, "fields.2.key", "costs");
    set(&mut f, "fields.2.label", "费用明细");
    set(&mut f, "fields.2.kind", "table");
    f.extend(pairs(&[
        ("fields.2.columns.0.order", "1"),
        ("fields.2.columns.0.key", "item"),
        ("fields.2.columns.0.label", "项目"),
        ("fields.2.columns.0.kind", "text"),
        ("fields.2.columns.0.required", "on"),
        ("fields.2.columns.1.order", "2"),
        ("fields.2.columns.1.key", "amount"),
        ("fields.2.columns.1.label", "金额"),
        ("fields.2.columns.1.kind", "money"),
        ("fields.2.columns.1.max", "5000"),
        ("fields.2.columns.2.key", "class"),
        ("fields.2.columns.2.label", "类别"),
        ("fields.2.columns.2.kind", "single"),
        ("fields.2.columns.2.options", "t=交通\nh=住宿"),
        ("fields.2.columns.3.key", ""),
        ("fields.2.columns.3.label", ""),
        ("fields.2.columns.3.kind", "text"),
    ]));
    let r = post(&w, &gadmin, "/admin/workflow/save", &body(&f), false).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let t = api_template(&w, &gadmin, "trip").await.unwrap();
    assert_eq!(
        t["fields"][2]["columns"],
        json!([
            {"key": "item", "label": "项目", "kind": "text", "required": true, "help": "",
             "min": null, "max": null, "options": [], "columns": [], "compute": null},
            {"key": "amount", "label": "金额", "kind": "money", "required": false, "help": "",
             "min": null, "max": 5000.0, "options": [], "columns": [], "compute": null},
            {"key": "class", "label": "类别", "kind": "single", "required": false, "help": "",
             "min": null, "max": null, "options": [{"value": "t", "label": "交通"}, {"value": "h", "label": "住宿"}],
             "columns": [], "compute": null}
        ])
    );

    // In the editor: a row per column, no JSON; the table kind is not offered for a column.
    let edit = page(&w, &gadmin, "/admin/workflow/trip/edit").await;
    assert!(
        edit.body
            .contains(r#"name="fields.2.columns.1.key" value="amount""#)
    );
    assert!(!edit.body.contains("code-input\" spellcheck=\"false\">[{"));
    let col_kind = &edit.body[edit.body.find(r#"name="fields.2.columns.0.kind""#).unwrap()..];
    let col_kind = &col_kind[..col_kind.find("</select>").unwrap()];
    assert!(col_kind.contains(r#"value="money""#) && !col_kind.contains(r#"value="table""#));
    // Reordered, one removed, one added.
    let mut f = form_of(&edit.body, "tpl-editor");
    set(&mut f, "fields.2.columns.2.order", "0");
    f.push(("fields.2.columns.0.delete".into(), "on".into()));
    set(&mut f, "fields.2.columns.3.key", "note");
    set(&mut f, "fields.2.columns.3.label", "说明");
    set(&mut f, "fields.2.columns.3.kind", "long_text");
    let r = post(&w, &gadmin, "/admin/workflow/save", &body(&f), false).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let t = api_template(&w, &gadmin, "trip").await.unwrap();
    let keys: Vec<&str> = t["fields"][2]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["class", "amount", "note"]);

    // A column's mistake comes back beside it; a table without columns beside the table.
    let edit = page(&w, &gadmin, "/admin/workflow/trip/edit").await;
    let mut f = form_of(&edit.body, "tpl-editor");
    set(&mut f, "fields.2.columns.1.key", "Bad Key");
    set(&mut f, "fields.2.columns.0.options", "");
    let r = post(&w, &gadmin, "/admin/workflow/save", &body(&f), false).await;
    assert_eq!(r.status, Status::BadRequest);
    assert_eq!(
        error_beside(&r.body, "fields.2.columns.1.key").as_deref(),
        Some("标识只能包含小写字母、数字和下划线，以字母开头。")
    );
    assert_eq!(
        error_beside(&r.body, "fields.2.columns.0.options").as_deref(),
        Some("选择类字段须提供选项，其他字段不能有选项。")
    );
    assert!(
        r.body.contains(r#"value="Bad Key""#),
        "what was typed is kept"
    );
    let mut f = form_of(&edit.body, "tpl-editor");
    for c in 0..3 {
        f.push((format!("fields.2.columns.{c}.delete"), "on".into()));
    }
    let r = post(&w, &gadmin, "/admin/workflow/save", &body(&f), false).await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(
        r.body
            .contains("表格字段须有列（最多 20 列），其他字段不能有列。")
    );
    assert_eq!(
        api_template(&w, &gadmin, "trip").await.unwrap()["version"],
        2
    );
}

#[rocket::async_test]
async fn a_clone_keeps_the_subject_handler() {
    let w = World::standard().await;
    let gadmin = w.t.agent("gadmin", PW).await;
    let c = page(&w, &gadmin, "/admin/workflow/leave/clone").await;
    assert_eq!(c.status, Status::Ok);
    let mut f = form_of(&c.body, "tpl-editor");
    assert!(f.contains(&("subject".into(), "leave".into())), "{f:?}");
    assert!(c.body.contains("请假：校验并扣减年假余额"));
    set(&mut f, "key", "leave_hq");
    set(&mut f, "name", "总部请假单");
    let r = post(&w, &gadmin, "/admin/workflow/save", &body(&f), false).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let orig = api_template(&w, &gadmin, "leave").await.unwrap();
    let copy = api_template(&w, &gadmin, "leave_hq").await.unwrap();
    assert_eq!(copy["subject"], "leave");
    assert_eq!(copy["builtin"], false);
    let mut expected = content(&orig);
    expected["key"] = json!("leave_hq");
    expected["name"] = json!("总部请假单");
    expected["builtin"] = json!(false);
    assert_eq!(
        content(&copy),
        expected,
        "the copy is the original but for its key"
    );

    // Editing keeps the version's handler whatever is posted; an unknown one is refused.
    let edit = page(&w, &gadmin, "/admin/workflow/leave/edit").await;
    assert!(edit.body.contains("新版本沿用当前版本的业务处理"));
    let mut f = form_of(&edit.body, "tpl-editor");
    set(&mut f, "subject", "");
    let r = post(&w, &gadmin, "/admin/workflow/save", &body(&f), false).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    assert_eq!(
        api_template(&w, &gadmin, "leave").await.unwrap()["subject"],
        "leave"
    );
    set(&mut f, "mode", "new");
    set(&mut f, "key", "leave_odd");
    set(&mut f, "subject", "payroll");
    let r = post(&w, &gadmin, "/admin/workflow/save", &body(&f), false).await;
    assert_eq!(r.status, Status::BadRequest);
    assert_eq!(
        error_beside(&r.body, "subject").as_deref(),
        Some("内容格式不正确。")
    );
    assert!(api_template(&w, &gadmin, "leave_odd").await.is_none());
}

#[rocket::async_test]
async fn bad_rules_and_keys_come_back_beside_their_inputs_with_nothing_saved() {
    let w = World::standard().await;
    let gadmin = w.t.agent("gadmin", PW).await;
    let before = api_templates(&w, &gadmin, true).await.len();
    // (input, value posted, the input the error shows beside, the error)
    let r0 = |n: &str| format!("steps.0.approvers.0.{n}");
    let same = |n: &str| (n.to_string(), n.to_string());
    let (levels, required) = ("级数须为 1 到 5。", "此项必填。");
    let cases: Vec<((String, String), &str, &str)> = vec![
        (
            same("key"),
            "",
            "标识只能包含小写字母、数字和下划线，以字母开头。",
        ),
        ((r0("levels"), r0("levels")), "9", levels),
        ((r0("levels"), r0("levels")), "x", levels),
        ((r0("levels"), r0("levels")), "0", levels),
        ((r0("type"), r0("field")), "field", required),
        ((r0("type"), r0("role")), "role", required),
        (same("steps.1.approvers.0.ids"), "", required),
        (same("steps.0.cond.0.value"), "many", "请输入数字。"),
        (same("steps.0.deadline_days"), "99", "内容格式不正确。"),
    ];
    for ((input, beside), value, message) in cases {
        let (input, beside) = (input.as_str(), beside.as_str());
        let mut f = trip_form();
        set(&mut f, input, value);
        let r = post(&w, &gadmin, "/admin/workflow/save", &body(&f), false).await;
        assert_eq!(r.status, Status::BadRequest, "{input}={value}");
        assert_eq!(
            error_beside(&r.body, beside).as_deref(),
            Some(message),
            "{input}={value}"
        );
    }

    // A rule or a comparison naming a field the form does not have, or not a person's.
    let mut f = trip_form();
    set(&mut f, "steps.0.approvers.1.type", "field");
    f.extend(pairs(&[
        ("steps.0.approvers.1.field", "nosuch"),
        ("steps.0.approvers.2.type", "field"),
        ("steps.0.approvers.2.field", "dest"),
        ("steps.0.cond.1.field", "gone"),
        ("steps.0.cond.1.op", "eq"),
        ("steps.0.cond.1.value", "1"),
    ]));
    let r = post(&w, &gadmin, "/admin/workflow/save", &body(&f), false).await;
    assert_eq!(r.status, Status::BadRequest);
    assert_eq!(
        error_beside(&r.body, "steps.0.approvers.1.field").as_deref(),
        Some("表单中没有这个字段。")
    );
    assert!(
        r.body.contains(r#"<option value="nosuch" selected>"#),
        "the unknown field is shown as posted"
    );
    assert_eq!(
        error_beside(&r.body, "steps.0.approvers.2.field").as_deref(),
        Some("只能选择“人员”类型的字段。")
    );
    assert_eq!(
        error_beside(&r.body, "steps.0.cond.1.field").as_deref(),
        Some("表单中没有这个字段。")
    );

    // A disabled person cannot approve; a type missing where inputs were filled in is asked for.
    let carol = w.t.add_user("carol", w.e1_dept, PW, &[]);
    let r =
        w.t.call(
            &gadmin,
            rocket::http::Method::Post,
            &format!("/api/v1/users/{carol}/disable"),
            None,
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    let mut f = trip_form();
    set(&mut f, "steps.1.approvers.0.ids", "bob, carol");
    f.extend(pairs(&[("steps.1.approvers.1.ids", "alice")]));
    let r = post(&w, &gadmin, "/admin/workflow/save", &body(&f), false).await;
    assert_eq!(r.status, Status::BadRequest);
    assert_eq!(
        error_beside(&r.body, "steps.1.approvers.0.ids").as_deref(),
        Some("该人员的账号已停用，不能作为审批人。")
    );
    assert_eq!(
        error_beside(&r.body, "steps.1.approvers.1.type").as_deref(),
        Some("请选择审批人规则的类型。")
    );
    assert_eq!(api_templates(&w, &gadmin, true).await.len(), before);
    assert!(api_template(&w, &gadmin, "trip").await.is_none());

    // Refusals of the people and tokens: an ordinary person, a forged token.
    let alice = w.t.agent("alice", PW).await;
    let f = body(&trip_form());
    let r = post(&w, &alice, "/admin/workflow/save", &f, false).await;
    assert_eq!(r.status, Status::Forbidden);
    let r = post(&w, &gadmin, "/admin/workflow/save", &f, true).await;
    assert_eq!(r.status, Status::Forbidden);
    assert!(api_template(&w, &gadmin, "trip").await.is_none());
}
