//! 系统管理 → 流程模板管理 as a browser uses it: the list, the editor (create, a new version,
//! clone), disable and enable, export and import, the preview; refusals included.

use rocket::http::{Method, Status};
use serde_json::{Value, json};

use crate::common::{Agent, PW, World, page, post};

pub(crate) fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub(crate) fn body(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub(crate) fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub(crate) fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let pat = format!(" {name}=\"");
    let at = tag.find(&pat)? + pat.len();
    Some(unescape(&tag[at..at + tag[at..].find('"')?]))
}

fn has_flag(tag: &str, name: &str) -> bool {
    tag.contains(&format!(" {name}>")) || tag.contains(&format!(" {name} "))
}

/// What a browser posts for the form `id` on `html`: inputs (checked boxes and radios only),
/// textareas and the selected (or first) option of each select, in order.
pub(crate) fn form_of(html: &str, id: &str) -> Vec<(String, String)> {
    let start = html.find(&format!("id=\"{id}\"")).expect("form");
    let form = &html[start..start + html[start..].find("</form>").expect("form end")];
    let mut out = Vec::new();
    let mut rest = form;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt..];
        let end = rest.find('>').unwrap() + 1;
        let tag = &rest[..end];
        if tag.starts_with("<input") {
            let kind = attr(tag, "type").unwrap_or_default();
            if let Some(name) = attr(tag, "name")
                && (!matches!(kind.as_str(), "checkbox" | "radio") || has_flag(tag, "checked"))
            {
                let v = attr(tag, "value").unwrap_or_else(|| "on".into());
                out.push((name, v));
            }
        } else if tag.starts_with("<textarea") {
            let close = rest.find("</textarea>").unwrap();
            out.push((attr(tag, "name").unwrap(), unescape(&rest[end..close])));
        } else if tag.starts_with("<select") {
            let close = rest.find("</select>").unwrap();
            let options: Vec<&str> = rest[end..close].split("<option").skip(1).collect();
            let chosen = options
                .iter()
                .find(|o| o.contains(" selected"))
                .or(options.first())
                .map(|o| attr(o, "value").unwrap_or_default())
                .unwrap_or_default();
            out.push((attr(tag, "name").unwrap(), chosen));
        }
        rest = &rest[end..];
    }
    out
}

pub(crate) fn set(form: &mut [(String, String)], name: &str, value: &str) {
    let slot = form.iter_mut().find(|(k, _)| k == name).expect(name);
    slot.1 = value.to_string();
}

pub(crate) async fn api_templates(w: &World, who: &Agent, all: bool) -> Vec<Value> {
    let r =
        w.t.call(
            who,
            Method::Get,
            &format!("/api/v1/workflow/templates?all={all}"),
            None,
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    r.json().as_array().cloned().unwrap_or_default()
}

pub(crate) async fn api_template(w: &World, who: &Agent, key: &str) -> Option<Value> {
    api_templates(w, who, true)
        .await
        .into_iter()
        .find(|t| t["key"] == key)
}

/// The editor's post for a new `trip` template: two fields (and a blank row), an approval step
/// by the manager and a cc step to bob (and a blank block).
pub(crate) fn trip_form() -> Vec<(String, String)> {
    pairs(&[
        ("mode", "new"),
        ("key", "trip"),
        ("name", "出差申请"),
        ("category", "行政"),
        ("description", "出差前提交"),
        ("title_field", "dest"),
        ("fields.0.order", "1"),
        ("fields.0.key", "dest"),
        ("fields.0.label", "目的地"),
        ("fields.0.kind", "text"),
        ("fields.0.required", "on"),
        ("fields.1.order", "2"),
        ("fields.1.key", "days"),
        ("fields.1.label", "天数"),
        ("fields.1.kind", "number"),
        ("fields.1.min", "1"),
        ("fields.1.max", "30"),
        ("fields.2.order", ""),
        ("fields.2.key", ""),
        ("fields.2.label", ""),
        ("fields.2.kind", "text"),
        ("steps.0.order", "1"),
        ("steps.0.id", "manager"),
        ("steps.0.name", "上级审批"),
        ("steps.0.kind", "approval"),
        ("steps.0.mode", "any_of"),
        ("steps.0.deadline_days", "2"),
        ("steps.0.approvers.0.order", "1"),
        ("steps.0.approvers.0.type", "manager"),
        ("steps.0.approvers.0.levels", "1"),
        ("steps.0.approvers.1.type", ""),
        ("steps.0.approvers.1.levels", "1"),
        ("steps.0.cond.0.field", "days"),
        ("steps.0.cond.0.op", "gt"),
        ("steps.0.cond.0.value", "0"),
        ("steps.0.right.0", "editable"),
        ("steps.0.right.1", "read_only"),
        ("steps.1.order", "2"),
        ("steps.1.id", "notify"),
        ("steps.1.name", "抄送行政"),
        ("steps.1.kind", "cc"),
        ("steps.1.mode", "any_of"),
        ("steps.1.deadline_days", "1"),
        ("steps.1.approvers.0.type", "users"),
        ("steps.1.approvers.0.ids", "bob"),
        ("steps.2.id", ""),
        ("steps.2.name", ""),
        ("steps.2.kind", "approval"),
    ])
}

#[rocket::async_test]
async fn an_administrator_lists_creates_and_edits_templates() {
    let w = World::standard().await;
    let gadmin = w.t.agent("gadmin", PW).await;
    let alice = w.t.agent("alice", PW).await;

    let home = page(&w, &gadmin, "/admin").await;
    assert!(home.body.contains(r#"href="/admin/workflow""#));
    let list = page(&w, &gadmin, "/admin/workflow").await;
    assert_eq!(list.status, Status::Ok);
    for key in [
        "leave",
        "general_submission",
        "workflow_change",
        "permission_change",
        "issue_report",
        "new_requirement",
    ] {
        assert!(list.body.contains(&format!(r#"id="tpl-{key}""#)), "{key}");
        assert!(list.body.contains(&format!("/admin/workflow/{key}/export")));
    }
    assert!(list.body.contains("内置") && list.body.contains("请假单"));

    let editor = page(&w, &gadmin, "/admin/workflow/new").await;
    assert_eq!(editor.status, Status::Ok);
    assert!(editor.body.contains(r#"name="fields.2.key""#) && editor.body.contains("日期区间"));

    let r = post(
        &w,
        &gadmin,
        "/admin/workflow/save",
        &body(&trip_form()),
        false,
    )
    .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    assert_eq!(r.header("Location"), Some("/admin/workflow?done=saved"));
    let t = api_template(&w, &gadmin, "trip").await.expect("trip");
    assert_eq!(t["version"], 1);
    assert_eq!(t["fields"].as_array().unwrap().len(), 2);
    assert_eq!(t["fields"][1]["max"], 30.0);
    assert_eq!(t["title_field"], "dest");
    assert_eq!(
        t["steps"][0]["approvers"],
        json!([{"type": "manager", "levels": 1}])
    );
    assert_eq!(t["steps"][0]["deadline_days"], 2);
    assert_eq!(
        t["steps"][0]["condition"],
        json!({"type": "compare", "field": "days", "op": "gt", "value": 0})
    );
    assert_eq!(t["steps"][0]["field_rights"], json!({"dest": "editable"}));
    assert_eq!(t["steps"][1]["kind"], "cc");
    assert_eq!(
        t["steps"][1]["approvers"],
        json!([{"type": "users", "ids": [w.bob]}])
    );
    // Everyone may start it.
    assert!(
        api_templates(&w, &alice, false)
            .await
            .iter()
            .any(|t| t["key"] == "trip")
    );

    // alice starts one on version 1 …
    let r =
        w.t.call(
            &alice,
            Method::Post,
            "/api/v1/workflow/instances",
            Some(r#"{"template_key": "trip", "form": {"dest": "上海", "days": 2}}"#),
        )
        .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    let inst = r.json()["id"].as_u64().unwrap();

    // … then the template is edited through the editor as prefilled: a new version.
    let edit = page(&w, &gadmin, "/admin/workflow/trip/edit").await;
    assert_eq!(edit.status, Status::Ok);
    assert!(edit.body.contains("readonly") && edit.body.contains(r#"value="bob""#));
    let mut f = form_of(&edit.body, "tpl-editor");
    set(&mut f, "name", "出差申请单");
    set(&mut f, "fields.2.key", "reason");
    set(&mut f, "fields.2.label", "事由");
    set(&mut f, "fields.2.kind", "long_text");
    set(&mut f, "fields.2.order", "0");
    let r = post(&w, &gadmin, "/admin/workflow/save", &body(&f), false).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let t2 = api_template(&w, &gadmin, "trip").await.unwrap();
    assert_eq!(t2["version"], 2);
    assert_eq!(t2["name"], "出差申请单");
    let keys: Vec<&str> = t2["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["reason", "dest", "days"], "the order numbers decide");
    assert_eq!(t2["steps"], t["steps"], "the steps round-trip unchanged");
    let r =
        w.t.call(
            &alice,
            Method::Get,
            &format!("/api/v1/workflow/instances/{inst}"),
            None,
        )
        .await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert_eq!(r.json()["template_version"], 1);
    let list = page(&w, &gadmin, "/admin/workflow").await;
    assert!(list.body.contains("v2") && list.body.contains("版本 · 2"));

    // Deleting a row and a step through their boxes.
    let edit = page(&w, &gadmin, "/admin/workflow/trip/edit").await;
    let mut f = form_of(&edit.body, "tpl-editor");
    f.push(("fields.0.delete".into(), "on".into()));
    f.push(("steps.1.delete".into(), "on".into()));
    let r = post(&w, &gadmin, "/admin/workflow/save", &body(&f), false).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let t3 = api_template(&w, &gadmin, "trip").await.unwrap();
    assert_eq!(t3["version"], 3);
    assert_eq!(t3["fields"].as_array().unwrap().len(), 2);
    assert_eq!(t3["steps"].as_array().unwrap().len(), 1);

    // The preview: the form as an applicant sees it, the steps in words.
    let p = page(&w, &gadmin, "/admin/workflow/leave/preview").await;
    assert_eq!(p.status, Status::Ok);
    assert!(p.body.contains(r#"name="f.leave_type""#) && p.body.contains("<fieldset disabled"));
    assert!(p.body.contains("直属上级（1 级）") && p.body.contains("部门负责人"));
    assert!(unescape(&p.body).contains("仅当 请假天数（工作日） > 3"));
    assert!(
        !p.body.contains(r#"id="submit""#),
        "a preview cannot be submitted"
    );
}

#[rocket::async_test]
async fn clone_disable_export_and_import() {
    let w = World::standard().await;
    let gadmin = w.t.agent("gadmin", PW).await;
    let alice = w.t.agent("alice", PW).await;

    // Clone: the editor prefilled with a new key and name; the copy has the same form and steps.
    let c = page(&w, &gadmin, "/admin/workflow/general_submission/clone").await;
    assert_eq!(c.status, Status::Ok);
    let mut f = form_of(&c.body, "tpl-editor");
    assert!(f.contains(&("key".into(), "general_submission_copy".into())));
    set(&mut f, "key", "submission_hq");
    set(&mut f, "name", "总部事项呈报");
    let r = post(&w, &gadmin, "/admin/workflow/save", &body(&f), false).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let orig = api_template(&w, &gadmin, "general_submission")
        .await
        .unwrap();
    let copy = api_template(&w, &gadmin, "submission_hq").await.unwrap();
    assert_eq!(copy["version"], 1);
    assert_eq!(copy["builtin"], false);
    assert_eq!(copy["fields"], orig["fields"]);
    assert_eq!(copy["steps"], orig["steps"]);
    // Cloning onto a key in use is refused beside the key.
    let r = post(&w, &gadmin, "/admin/workflow/save", &body(&f), false).await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("已存在相同的记录"));

    // Disable: gone from alice's list, and starting it is 404; enable brings it back.
    let r = post(&w, &gadmin, "/admin/workflow/leave/disable", "", false).await;
    assert_eq!(r.status, Status::SeeOther);
    let list = page(&w, &gadmin, "/admin/workflow?done=disabled").await;
    assert!(list.body.contains("已停用") && list.body.contains("/admin/workflow/leave/enable"));
    assert!(
        !api_templates(&w, &alice, false)
            .await
            .iter()
            .any(|t| t["key"] == "leave")
    );
    let start = r#"{"template_key": "leave", "form": {}}"#;
    let r =
        w.t.call(
            &alice,
            Method::Post,
            "/api/v1/workflow/instances",
            Some(start),
        )
        .await;
    assert_eq!(r.status, Status::NotFound);
    let r = post(&w, &gadmin, "/admin/workflow/leave/enable", "", false).await;
    assert_eq!(r.status, Status::SeeOther);
    assert!(
        api_templates(&w, &alice, false)
            .await
            .iter()
            .any(|t| t["key"] == "leave")
    );

    // Export: the JSON as a download.
    let e = page(&w, &gadmin, "/admin/workflow/general_submission/export").await;
    assert_eq!(e.status, Status::Ok);
    assert_eq!(
        e.header("Content-Disposition"),
        Some("attachment; filename=general_submission.json")
    );
    assert_eq!(e.json()["key"], "general_submission");

    // Import it back: a new version of the known key.
    let r = post(
        &w,
        &gadmin,
        "/admin/workflow/import",
        &format!("json={}", enc(&e.body)),
        false,
    )
    .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    assert_eq!(r.header("Location"), Some("/admin/workflow?done=imported"));
    let again = api_template(&w, &gadmin, "general_submission")
        .await
        .unwrap();
    assert_eq!(again["version"], 2);
    assert_eq!(again["builtin"], true);
    // A new key is created.
    let mut other: Value = e.json();
    other["key"] = json!("imported_one");
    let r = post(
        &w,
        &gadmin,
        "/admin/workflow/import",
        &format!("json={}", enc(&other.to_string())),
        false,
    )
    .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    assert_eq!(
        api_template(&w, &gadmin, "imported_one").await.unwrap()["version"],
        1
    );
    // Not JSON, or not a valid template: 400 with the reason, the paste kept.
    let r = post(&w, &gadmin, "/admin/workflow/import", "json=%7Bnope", false).await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("JSON 格式不正确") && r.body.contains("{nope"));
    other["steps"] = json!([]);
    let r = post(
        &w,
        &gadmin,
        "/admin/workflow/import",
        &format!("json={}", enc(&other.to_string())),
        false,
    )
    .await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("流程至少要有一个审批环节"));
    assert_eq!(
        api_template(&w, &gadmin, "imported_one").await.unwrap()["version"],
        1
    );
}

#[rocket::async_test]
async fn a_bad_template_comes_back_with_its_reasons_and_changes_nothing() {
    let w = World::standard().await;
    let gadmin = w.t.agent("gadmin", PW).await;
    let before = api_templates(&w, &gadmin, true).await.len();

    let mut f = trip_form();
    set(&mut f, "fields.1.key", "dest");
    f.retain(|(k, _)| !k.starts_with("steps.0.approvers"));
    let r = post(&w, &gadmin, "/admin/workflow/save", &body(&f), false).await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("已存在相同的记录"), "the duplicate key");
    assert!(r.body.contains("此项必填"), "the step without approvers");
    assert!(
        r.body.contains(r#"value="出差申请""#),
        "what was typed is kept"
    );
    assert_eq!(api_templates(&w, &gadmin, true).await.len(), before);

    // Rows' own mistakes: an unknown login, a minimum that is not a number.
    let mut f = trip_form();
    set(&mut f, "steps.1.approvers.0.ids", "bob, nobody");
    set(&mut f, "fields.1.min", "one");
    let r = post(&w, &gadmin, "/admin/workflow/save", &body(&f), false).await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("找不到这个人员") && r.body.contains("请输入数字"));
    assert!(api_template(&w, &gadmin, "trip").await.is_none());
}

#[rocket::async_test]
async fn ordinary_people_and_forged_tokens_are_refused() {
    let w = World::standard().await;
    let alice = w.t.agent("alice", PW).await;
    let gadmin = w.t.agent("gadmin", PW).await;
    for path in [
        "/admin/workflow",
        "/admin/workflow/new",
        "/admin/workflow/leave/edit",
        "/admin/workflow/leave/clone",
        "/admin/workflow/leave/preview",
        "/admin/workflow/leave/export",
    ] {
        assert_eq!(
            page(&w, &alice, path).await.status,
            Status::Forbidden,
            "{path}"
        );
    }
    let save = body(&trip_form());
    let import = format!(
        "json={}",
        enc(include_str!("../../src/workflow/builtin/leave.json"))
    );
    for (path, b) in [
        ("/admin/workflow/save", save.as_str()),
        ("/admin/workflow/import", import.as_str()),
        ("/admin/workflow/leave/disable", ""),
        ("/admin/workflow/leave/enable", ""),
    ] {
        assert_eq!(
            post(&w, &alice, path, b, false).await.status,
            Status::Forbidden,
            "{path}"
        );
        assert_eq!(
            post(&w, &gadmin, path, b, true).await.status,
            Status::Forbidden,
            "forged {path}"
        );
    }
    assert!(api_template(&w, &gadmin, "trip").await.is_none());
    let leave = api_template(&w, &gadmin, "leave").await.unwrap();
    assert_eq!(
        (leave["version"].as_u64(), leave["enabled"].as_bool()),
        (Some(1), Some(true))
    );
    assert!(
        !page(&w, &alice, "/admin")
            .await
            .body
            .contains("/admin/workflow\"")
    );
}
