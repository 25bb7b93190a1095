//! 刘洋 (the demo's workflow administrator) builds a template in the editor as a person would:
//! a table field whose columns are added with the button, a step whose approver rules are added,
//! typed and reordered; then edits the leave template; at a desktop and a phone width.

use serde_json::Value;

use crate::harness::World;

const DEMO_PASSWORD: &str = "Demo2026";

/// Sets a form control's value as a person picking it would.
async fn set(w: &World, css: &str, value: &str) {
    let (css, value) = (Value::from(css), Value::from(value));
    w.js(&format!(
        "(function(){{var e=document.querySelector({css}); e.value={value}; e.dispatchEvent(new Event('change', {{bubbles:true}})); return true;}})()"
    ))
    .await;
}

/// Clicks a button as a person would, scrolling it to the middle of the window first (the
/// sticky save bar covers the bottom edge).
async fn press(w: &World, css: &str) {
    let sel = Value::from(css);
    w.js(&format!(
        "document.querySelector({sel}).scrollIntoView({{block: 'center'}})"
    ))
    .await;
    w.click(css).await;
}

/// Whether the element for `css` is shown (not `display: none`, nor inside such).
async fn shown(w: &World, css: &str) -> bool {
    let css = Value::from(css);
    w.js(&format!(
        "document.querySelector({css}).offsetParent !== null"
    ))
    .await
        == Value::Bool(true)
}

#[tokio::test]
async fn a_template_is_built_with_the_form_and_step_editors() {
    let Some(w) = World::start_demo("a_template_is_built_with_the_form_and_step_editors").await
    else {
        return;
    };
    w.sign_in("liuyang", DEMO_PASSWORD).await;
    w.resize(1280, 1800).await;
    w.goto("/admin/workflow").await;
    w.wait_until("document.querySelector('#tpl-leave') !== null")
        .await;
    w.screenshot("template-list-zh-desktop").await;

    w.goto("/admin/workflow/new").await;
    w.wait_until("document.querySelector('#tpl-editor') !== null")
        .await;
    w.fill("input[name=key]", "purchase").await;
    w.fill("input[name=name]", "采购申请").await;
    w.fill("input[name=category]", "行政").await;
    w.fill("input[name='fields.0.key']", "buyer").await;
    w.fill("input[name='fields.0.label']", "采购经办人").await;
    set(&w, "select[name='fields.0.kind']", "user").await;
    w.fill("input[name='fields.1.key']", "items").await;
    w.fill("input[name='fields.1.label']", "采购明细").await;
    // The columns appear once the field is a table; the button adds a row after the blank one.
    assert!(!shown(&w, "input[name='fields.1.columns.0.key']").await);
    set(&w, "select[name='fields.1.kind']", "table").await;
    assert!(shown(&w, "input[name='fields.1.columns.0.key']").await);
    w.fill("input[name='fields.1.columns.0.key']", "item").await;
    w.fill("input[name='fields.1.columns.0.label']", "物品")
        .await;
    press(&w, "button[aria-controls='cols-1']").await;
    w.fill("input[name='fields.1.columns.1.key']", "amount")
        .await;
    w.fill("input[name='fields.1.columns.1.label']", "金额")
        .await;
    set(&w, "select[name='fields.1.columns.1.kind']", "money").await;

    // A step: the manager two levels up in the blank row, then (each added with the button) a
    // role and a named person moved to the front by its order number.
    w.fill("input[name='steps.0.id']", "approve").await;
    w.fill("input[name='steps.0.name']", "审批").await;
    set(&w, "select[name='steps.0.mode']", "sequence").await;
    assert!(!shown(&w, "input[name='steps.0.approvers.0.levels']").await);
    set(&w, "select[name='steps.0.approvers.0.type']", "manager").await;
    assert!(shown(&w, "input[name='steps.0.approvers.0.levels']").await);
    assert!(!shown(&w, "select[name='steps.0.approvers.0.role']").await);
    w.fill("input[name='steps.0.approvers.0.levels']", "2")
        .await;
    press(&w, "button[aria-controls='rules-0']").await;
    set(&w, "select[name='steps.0.approvers.1.type']", "role").await;
    assert!(shown(&w, "select[name='steps.0.approvers.1.role']").await);
    set(
        &w,
        "select[name='steps.0.approvers.1.role']",
        "workflow_admin",
    )
    .await;
    set(&w, "select[name='steps.0.approvers.1.scope']", "group").await;
    press(&w, "button[aria-controls='rules-0']").await;
    set(&w, "select[name='steps.0.approvers.2.type']", "users").await;
    w.fill("input[name='steps.0.approvers.2.ids']", "zhangwei")
        .await;
    w.fill("input[name='steps.0.approvers.2.order']", "0").await;
    w.js("document.querySelector('#step-0').scrollIntoView()")
        .await;
    w.screenshot("template-editor-rules-zh-desktop").await;
    w.click("#save").await;
    w.wait_until("location.search === '?done=saved'").await;
    assert!(w.text("#tpl-purchase").await.contains("采购申请"));

    // The saved template reads back in the editor: the rules in their new order.
    w.goto("/admin/workflow/purchase/edit").await;
    w.wait_until("document.querySelector('#tpl-editor') !== null")
        .await;
    let types = w
        .js_string(
            "Array.prototype.map.call(document.querySelectorAll('#rules-0 select.rule-kind'), function (s) { return s.value; }).join(',')",
        )
        .await;
    assert_eq!(types, "users,manager,role,", "a blank row follows");
    assert_eq!(
        w.js_string("document.querySelector(\"input[name='fields.1.columns.1.key']\").value")
            .await,
        "amount"
    );
    w.screenshot("template-editor-purchase-zh-desktop").await;
    w.js("document.querySelector('#step-editor').scrollIntoView()")
        .await;
    w.screenshot("template-editor-purchase-steps-zh-desktop")
        .await;

    w.goto("/admin/workflow/leave/edit").await;
    w.wait_until("document.querySelector('#tpl-editor') !== null")
        .await;
    w.screenshot("template-editor-leave-zh-desktop").await;
    w.js("document.querySelector('#step-editor').scrollIntoView()")
        .await;
    w.screenshot("template-editor-leave-steps-zh-desktop").await;

    w.resize(390, 844).await;
    for (path, shot) in [
        ("/admin/workflow", "template-list-zh-phone"),
        ("/admin/workflow/purchase/edit", "template-editor-zh-phone"),
    ] {
        w.goto(path).await;
        w.wait_until("document.readyState === 'complete'").await;
        assert!(w.fits_width().await, "{path} scrolls sideways on a phone");
        w.screenshot(shot).await;
    }
    w.js("document.querySelector('#step-editor').scrollIntoView()")
        .await;
    w.screenshot("template-editor-steps-zh-phone").await;
    w.js("document.querySelector('#field-1').scrollIntoView()")
        .await;
    w.screenshot("template-editor-table-zh-phone").await;

    // The English switch: every label of the editor has its English word.
    w.resize(1280, 1800).await;
    w.goto("/lang/en?next=/admin/workflow/purchase/edit").await;
    w.wait_until("document.documentElement.lang === 'en'").await;
    assert!(
        w.text("#step-0")
            .await
            .contains("Manager chain (up N levels)")
    );
    w.js("document.querySelector('#step-editor').scrollIntoView()")
        .await;
    w.screenshot("template-editor-steps-en-desktop").await;
    w.close().await;
}
