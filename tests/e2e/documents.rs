//! An official document's life in a browser: 陈静 (信息管理部) drafts a notice to 财务部 of
//! 示例能源 in the rich-text editor and submits it; 张伟 (her department head), 马超 (行政办公室's
//! document clerk) and 李明 (the issuer) approve it; 曹阳 finds it in 收文, reads it under his
//! watermark, acknowledges it and opens the print preview; at a desktop and a phone width.

use crate::harness::World;

const DEMO_PASSWORD: &str = "Demo2026";

async fn sign_out(w: &World) {
    w.click("#sign-out").await;
    w.wait_until("location.pathname === '/login'").await;
}

/// Approves the open task the signed-in person holds on the document's approval.
async fn approve(w: &World, login: &str, approval: &str) {
    w.sign_in(login, DEMO_PASSWORD).await;
    w.goto(approval).await;
    w.wait_until("document.querySelector('#approve') !== null")
        .await;
    w.fill("#decide textarea[name=comment]", "同意").await;
    w.click("#approve").await;
    w.wait_until("location.search === '?done=approve'").await;
    sign_out(w).await;
}

#[tokio::test]
async fn a_notice_is_drafted_approved_three_times_read_acknowledged_and_print_previewed() {
    let Some(w) = World::start_demo("documents").await else {
        return;
    };
    w.sign_in("chenjing", DEMO_PASSWORD).await;
    w.click("a.nav-documents").await;
    w.wait_until("location.pathname === '/documents'").await;
    w.click("#new-document").await;
    w.wait_until("document.querySelector('.ql-editor') !== null")
        .await;
    w.fill("#title", "关于开展年末信息系统安全检查的通知").await;
    w.fill("#issuer", "liming").await;
    w.js("(function(){var s=document.querySelector('#to_units'); for (const o of s.options) { if (o.text.trim() === '财务部' && o.index > 8) o.selected = true; } return true;})()")
        .await;
    w.js("(function(){document.querySelector('input[name=print_mode][value=all]').checked = true; return true;})()")
        .await;
    w.fill(
        ".ql-editor",
        "各单位：请于12月20日前完成信息系统安全自查，并报送自查结果。",
    )
    .await;
    w.wait_until("document.querySelector('#body_html').value.includes('安全自查')")
        .await;
    w.screenshot("documents-editor-zh-desktop").await;
    w.click("#save-submit").await;
    w.wait_until("location.search === '?done=submit'").await;
    assert!(w.text("#doc-status").await.contains("审批中"));
    let document = w.js_string("location.pathname").await;
    let approval = w
        .js_string("document.querySelector('#approval').getAttribute('href')")
        .await;
    sign_out(&w).await;

    for who in ["zhangwei", "machao", "liming"] {
        approve(&w, who, &approval).await;
    }

    w.sign_in("caoyang", DEMO_PASSWORD).await;
    assert!(
        w.text("#nav-badge-documents").await.contains('1'),
        "the badge counts it"
    );
    w.click("a.nav-documents").await;
    w.wait_until("location.pathname === '/documents'").await;
    assert!(w.text("#doc-list").await.contains("信息系统安全检查"));
    w.screenshot("documents-inbox-zh-desktop").await;
    w.click("#doc-list a.task-title").await;
    w.wait_until("document.querySelector('#doc-paper') !== null")
        .await;
    assert!(w.text("#doc-status").await.contains("已发布"));
    assert!(w.text("#doc-number").await.contains("〔2026〕1号"));
    assert!(w.text("#doc-body").await.contains("安全自查"));
    assert!(
        w.text(".watermark").await.contains("caoyang"),
        "the reader's watermark"
    );
    w.screenshot("documents-read-zh-desktop").await;
    w.click("#acknowledge").await;
    w.wait_until("location.search === '?done=acknowledge'")
        .await;
    assert!(w.text("#acknowledged-at").await.contains("2026"));
    w.click("#print").await;
    w.wait_until("document.querySelector('#print-sheet') !== null")
        .await;
    assert!(w.text(".red-head").await.contains("文件"));
    assert!(w.text("#print-sheet .watermark").await.contains("曹阳"));
    w.screenshot("documents-print-zh-desktop").await;

    w.resize(390, 844).await;
    for (path, shot) in [
        ("/documents".to_string(), "documents-inbox-zh-phone"),
        (document.clone(), "documents-read-zh-phone"),
        (format!("{document}/print"), "documents-print-zh-phone"),
        ("/documents/new".to_string(), "documents-editor-zh-phone"),
    ] {
        w.goto(&path).await;
        w.wait_until("document.readyState === 'complete'").await;
        assert!(w.fits_width().await, "{path} scrolls sideways on a phone");
        w.screenshot(shot).await;
    }
    w.close().await;
}
