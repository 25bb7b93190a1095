use std::path::Path;

use super::tokenizer::{BigramTokenizer, WordTokenizer, texts};
use super::*;
use crate::store::outbox::{Change, SearchDoc};
use crate::web::richtext::escape;

const SENTENCE: &str = "集团信息管理部负责系统用户账号的运维管理";

fn store_in(dir: &Path) -> Store {
    Store::open(dir, 8 << 20).unwrap()
}

fn open(dir: &Path) -> (Store, Search) {
    let store = store_in(dir);
    let blobs = crate::store::blobs::Blobs::open(&dir.join("blobs")).unwrap();
    let search = Search::open(&dir.join("search"), store.clone(), blobs).unwrap();
    (store, search)
}

fn doc(key: &str, kind: &str, title: &str, body: &str, acl: &[&str], time_ms: i64) -> SearchDoc {
    SearchDoc {
        key: key.into(),
        kind: kind.into(),
        title: title.into(),
        body: body.into(),
        acl: acl.iter().map(|s| s.to_string()).collect(),
        time_ms,
        url: format!("/{}", key.replace(':', "/")),
        ..Default::default()
    }
}

fn append(store: &Store, change: Change) -> u64 {
    store.write(|tx| outbox::append(tx, &change)).unwrap()
}

fn upsert(store: &Store, d: SearchDoc) -> u64 {
    append(store, Change::Upsert(d))
}

fn terms(t: &[&str]) -> Vec<String> {
    t.iter().map(|s| s.to_string()).collect()
}

fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        limit: 10,
        ..Default::default()
    }
}

fn keys(search: &Search, q: &SearchQuery, acl: &[&str]) -> Vec<String> {
    search
        .search(q, &terms(acl))
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.key)
        .collect()
}

fn pending(store: &Store) -> u64 {
    store.read(outbox::pending).unwrap()
}

#[test]
fn tokenizers_cut_words_and_bigrams() {
    let words = texts(&mut WordTokenizer::for_index(), SENTENCE);
    for w in ["信息", "管理", "账号", "集团"] {
        assert!(words.iter().any(|t| t == w), "{w} missing from {words:?}");
    }
    let mixed = texts(&mut WordTokenizer::for_index(), "OA系统，Hello World！");
    assert!(
        mixed.contains(&"oa".to_string()) && mixed.contains(&"hello".to_string()),
        "{mixed:?}"
    );
    assert!(
        mixed.iter().all(|t| t.chars().any(char::is_alphanumeric)),
        "punctuation kept: {mixed:?}"
    );

    assert_eq!(
        texts(&mut BigramTokenizer, "规章制度abc"),
        ["规章", "章制", "制度", "abc"]
    );
    assert_eq!(
        texts(&mut BigramTokenizer, "会 ABC-12 议室"),
        ["会", "abc", "12", "议室"]
    );
    assert!(texts(&mut BigramTokenizer, "，。 !").is_empty());
}

#[test]
fn finds_words_and_substrings_with_snippets() {
    let dir = tempfile::tempdir().unwrap();
    let (store, search) = open(dir.path());
    upsert(
        &store,
        doc("post:1", "post", "运维通知", SENTENCE, &["all"], 1),
    );
    upsert(
        &store,
        doc(
            "post:2",
            "post",
            "食堂菜单",
            "本周食堂供应饺子",
            &["all"],
            2,
        ),
    );
    assert_eq!(search.catch_up().unwrap(), 2);

    for text in [
        "信息管理",
        "账号",
        "息管理",
        "户账",
        "运维 账号",
        "ACCOUNT 账号",
    ] {
        let found = search.search(&query(text), &terms(&["all"])).unwrap();
        if text.starts_with("ACCOUNT") {
            assert_eq!(found.total, 0, "every chunk must match: {text}");
            continue;
        }
        assert_eq!(found.total, 1, "{text}");
        let hit = &found.hits[0];
        assert_eq!(hit.key, "post:1");
        assert_eq!(hit.url, "/post/1");
        assert!(
            hit.snippet_html.contains("<b>"),
            "{text}: {}",
            hit.snippet_html
        );
        assert!(hit.score > 0.0);
    }
    let hit = &search
        .search(&query("账号"), &terms(&["all"]))
        .unwrap()
        .hits[0];
    assert!(
        hit.snippet_html.contains("<b>账号</b>"),
        "{}",
        hit.snippet_html
    );
    assert_eq!(hit.title_html, "运维通知");
    // Found only through the bigram fallback (jieba cuts the query into 息 + 管理, and 息 is no
    // word of the document): the bigrams are what is highlighted.
    let hit = &search
        .search(&query("息管理"), &terms(&["all"]))
        .unwrap()
        .hits[0];
    assert!(
        hit.snippet_html.starts_with("集团信<b>息管理</b>部"),
        "{}",
        hit.snippet_html
    );
    let hit = &search
        .search(&query("运维"), &terms(&["all"]))
        .unwrap()
        .hits[0];
    assert_eq!(hit.title_html, "<b>运维</b>通知");

    // Nothing for text that is not there, for blank text, or for a caller without terms.
    assert!(keys(&search, &query("报销"), &["all"]).is_empty());
    assert!(keys(&search, &query("  ，。 "), &["all"]).is_empty());
    assert!(keys(&search, &query(""), &["all"]).is_empty());
    assert!(keys(&search, &query("账号"), &[]).is_empty());
}

#[test]
fn html_is_escaped_and_body_start_is_the_fallback_snippet() {
    let dir = tempfile::tempdir().unwrap();
    let (store, search) = open(dir.path());
    upsert(
        &store,
        doc(
            "post:1",
            "post",
            "<script>会议</script>",
            "a<b>&\"c 说明",
            &["all"],
            1,
        ),
    );
    search.catch_up().unwrap();
    let hit = &search
        .search(&query("会议"), &terms(&["all"]))
        .unwrap()
        .hits[0];
    assert_eq!(hit.title_html, "&lt;script&gt;<b>会议</b>&lt;/script&gt;");
    assert_eq!(hit.snippet_html, escape("a<b>&\"c 说明"));
    assert!(!hit.snippet_html.contains('<'));
}

#[test]
fn acl_filters_hits_and_facets() {
    let dir = tempfile::tempdir().unwrap();
    let (store, search) = open(dir.path());
    upsert(
        &store,
        doc(
            "document:1",
            "document",
            "预算通知",
            "年度预算",
            &["user:2"],
            1,
        ),
    );
    upsert(
        &store,
        doc("post:1", "post", "预算新闻", "预算", &["all"], 2),
    );
    upsert(
        &store,
        doc(
            "post:2",
            "post",
            "预算公告",
            "预算",
            &["unit:7", "user:9"],
            3,
        ),
    );
    search.catch_up().unwrap();

    let mine = search
        .search(&query("预算"), &terms(&["all", "user:2"]))
        .unwrap();
    assert_eq!(mine.total, 2);
    let mut got: Vec<_> = mine.hits.iter().map(|h| h.key.as_str()).collect();
    got.sort();
    assert_eq!(got, ["document:1", "post:1"]);
    assert_eq!(
        mine.facets,
        [("document".to_string(), 1), ("post".to_string(), 1)]
    );

    let theirs = search
        .search(&query("预算"), &terms(&["all", "user:3"]))
        .unwrap();
    assert_eq!(theirs.total, 1);
    assert_eq!(theirs.hits[0].key, "post:1");
    assert_eq!(theirs.facets, [("post".to_string(), 1)]);

    assert_eq!(keys(&search, &query("预算"), &["unit:7"]), ["post:2"]);
}

#[test]
fn upsert_replaces_and_delete_removes() {
    let dir = tempfile::tempdir().unwrap();
    let (store, search) = open(dir.path());
    upsert(&store, doc("post:1", "post", "旧标题", "内容", &["all"], 1));
    search.catch_up().unwrap();
    upsert(&store, doc("post:1", "post", "新标题", "内容", &["all"], 1));
    search.catch_up().unwrap();
    assert_eq!(search.num_docs(), 1);
    assert_eq!(keys(&search, &query("新标题"), &["all"]), ["post:1"]);
    assert!(keys(&search, &query("旧"), &["all"]).is_empty());

    // Twice in one batch: still one document, the last version.
    upsert(&store, doc("post:1", "post", "第三版", "内容", &["all"], 1));
    upsert(&store, doc("post:1", "post", "第四版", "内容", &["all"], 1));
    assert_eq!(search.catch_up().unwrap(), 2);
    assert_eq!(search.num_docs(), 1);
    assert_eq!(keys(&search, &query("第四版"), &["all"]), ["post:1"]);

    append(
        &store,
        Change::Delete {
            key: "post:1".into(),
        },
    );
    search.catch_up().unwrap();
    assert_eq!(search.num_docs(), 0);
    assert!(keys(&search, &query("内容"), &["all"]).is_empty());
}

#[test]
fn catch_up_resumes_after_restart_and_never_twice() {
    let dir = tempfile::tempdir().unwrap();
    let last = {
        let store = store_in(dir.path());
        upsert(
            &store,
            doc("post:1", "post", "甲", "第一篇文章", &["all"], 1),
        );
        upsert(
            &store,
            doc("post:2", "post", "乙", "第二篇文章", &["all"], 2),
        );
        upsert(
            &store,
            doc("post:3", "post", "丙", "第三篇文章", &["all"], 3),
        )
    };
    {
        let (store, search) = open(dir.path());
        assert_eq!(search.position(), 0);
        assert!(!search.needs_rebuild());
        assert_eq!(search.catch_up().unwrap(), 3);
        assert_eq!(search.position(), last);
        assert_eq!(pending(&store), 0);
        assert_eq!(
            search
                .search(&query("文章"), &terms(&["all"]))
                .unwrap()
                .total,
            3
        );
        assert_eq!(search.catch_up().unwrap(), 0, "idempotent");
    }
    {
        let (store, search) = open(dir.path());
        assert_eq!(search.position(), last);
        assert!(!search.needs_rebuild());
        assert_eq!(search.catch_up().unwrap(), 0);
        assert_eq!(search.num_docs(), 3);
        assert_eq!(pending(&store), 0);
    }
}

#[test]
fn an_index_of_another_version_or_unreadable_starts_afresh() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (store, search) = open(dir.path());
        upsert(&store, doc("post:1", "post", "甲", "文章", &["all"], 1));
        search.catch_up().unwrap();
    }
    std::fs::write(
        dir.path().join("search").join(schema::VERSION_FILE),
        "oanode-search 0",
    )
    .unwrap();
    {
        let (_store, search) = open(dir.path());
        assert_eq!((search.position(), search.num_docs()), (0, 0));
        assert!(
            search.needs_rebuild(),
            "the store's change was pruned before the wipe"
        );
        let n = search
            .rebuild_from_store(|_tx, add| add(doc("post:1", "post", "甲", "文章", &["all"], 1)))
            .unwrap();
        assert_eq!(n, 1);
        assert!(!search.needs_rebuild());
        assert_eq!(search.position(), 1);
        assert_eq!(keys(&search, &query("文章"), &["all"]), ["post:1"]);
    }
    std::fs::write(dir.path().join("search").join("meta.json"), "not json").unwrap();
    let (_store, search) = open(dir.path());
    assert_eq!(search.num_docs(), 0);
    assert!(search.is_usable());
}

#[test]
fn rebuild_replaces_everything_then_applies_later_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (store, search) = open(dir.path());
    upsert(
        &store,
        doc("post:1", "post", "过时", "过时内容", &["all"], 1),
    );
    search.catch_up().unwrap();
    let n = search
        .rebuild_from_store(|tx, add| {
            assert_eq!(outbox::last_seq(tx)?, 1);
            add(doc("post:2", "post", "现行", "现行制度", &["all"], 2))?;
            add(doc("post:3", "post", "现行", "现行规定", &["all"], 3))
        })
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(search.num_docs(), 2);
    assert!(keys(&search, &query("过时"), &["all"]).is_empty());

    // A failing collector leaves the index as it was.
    let failed = search.rebuild_from_store(|_tx, add| {
        add(doc("post:9", "post", "半途", "半途", &["all"], 9))?;
        Err(crate::error::Error::internal("boom"))
    });
    assert!(failed.is_err());
    assert_eq!(search.num_docs(), 2);
    assert!(keys(&search, &query("半途"), &["all"]).is_empty());
    let seq = upsert(
        &store,
        doc("post:4", "post", "新增", "新增内容", &["all"], 4),
    );
    assert_eq!(search.catch_up().unwrap(), 1);
    assert_eq!(search.position(), seq);
    assert_eq!(search.num_docs(), 3);
}

#[test]
fn newest_order_kinds_filter_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let (store, search) = open(dir.path());
    for i in 1..=5 {
        let kind = if i % 2 == 0 { "notice" } else { "post" };
        upsert(
            &store,
            doc(
                &format!("{kind}:{i}"),
                kind,
                &format!("第{i}号"),
                "制度汇编",
                &["all"],
                i * 1000,
            ),
        );
    }
    search.catch_up().unwrap();

    let newest = SearchQuery {
        text: "制度".into(),
        order: Order::Newest,
        limit: 10,
        ..Default::default()
    };
    let found = search.search(&newest, &terms(&["all"])).unwrap();
    assert_eq!(
        found.hits.iter().map(|h| h.time_ms).collect::<Vec<_>>(),
        [5000, 4000, 3000, 2000, 1000]
    );
    assert_eq!(found.total, 5);
    assert_eq!(
        found.facets,
        [("post".to_string(), 3), ("notice".to_string(), 2)]
    );

    let notices = SearchQuery {
        kinds: vec!["notice".into()],
        ..newest.clone()
    };
    let found = search.search(&notices, &terms(&["all"])).unwrap();
    assert_eq!(
        found
            .hits
            .iter()
            .map(|h| h.key.as_str())
            .collect::<Vec<_>>(),
        ["notice:4", "notice:2"]
    );
    assert_eq!(found.total, 2);
    assert_eq!(found.facets.len(), 2, "facets ignore the kinds filter");

    let page = |offset| SearchQuery {
        offset,
        limit: 2,
        ..newest.clone()
    };
    let pages: Vec<Vec<i64>> = (0..3)
        .map(|p| {
            search
                .search(&page(p * 2), &terms(&["all"]))
                .unwrap()
                .hits
                .iter()
                .map(|h| h.time_ms)
                .collect()
        })
        .collect();
    assert_eq!(pages, [vec![5000, 4000], vec![3000, 2000], vec![1000]]);

    let relevance = SearchQuery {
        text: "制度".into(),
        offset: 3,
        limit: 10,
        ..Default::default()
    };
    let found = search.search(&relevance, &terms(&["all"])).unwrap();
    assert_eq!((found.total, found.hits.len()), (5, 2));

    let counts_only = SearchQuery { limit: 0, ..newest };
    let found = search.search(&counts_only, &terms(&["all"])).unwrap();
    assert_eq!((found.total, found.hits.len()), (5, 0));
}

#[test]
fn stop_runs_a_final_catch_up() {
    let dir = tempfile::tempdir().unwrap();
    let (store, search) = open(dir.path());
    search.start_indexer();
    search.start_indexer();
    let seq = upsert(
        &store,
        doc("post:1", "post", "后台", "后台索引", &["all"], 1),
    );
    search.stop();
    assert_eq!(search.position(), seq);
    assert_eq!(keys(&search, &query("后台"), &["all"]), ["post:1"]);
    assert_eq!(pending(&store), 0);
    assert!(search.is_usable());
}

#[test]
fn concurrent_catch_ups_apply_each_change_once() {
    let dir = tempfile::tempdir().unwrap();
    let (store, search) = open(dir.path());
    for i in 0..50 {
        upsert(
            &store,
            doc(
                &format!("post:{i}"),
                "post",
                "并发",
                "并发写入",
                &["all"],
                i,
            ),
        );
    }
    let applied: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| search.catch_up().unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(applied, 50);
    assert_eq!(search.num_docs(), 50);
}

#[test]
fn rebuild_from_a_snapshot_refuses_a_stale_one() {
    let dir = tempfile::tempdir().unwrap();
    let (store, search) = open(dir.path());
    upsert(&store, doc("post:1", "post", "甲", "旧快照", &["all"], 1));
    let upto = store.read(outbox::last_seq).unwrap();
    let docs = vec![doc("post:1", "post", "甲", "旧快照", &["all"], 1)];
    // The indexer moves past the snapshot before the rebuild runs.
    upsert(&store, doc("post:2", "post", "乙", "新变更", &["all"], 2));
    search.catch_up().unwrap();
    let stale = search.rebuild(docs.clone().into_iter(), upto);
    assert!(
        matches!(
            stale,
            Err(crate::error::Error::Conflict(crate::error::Code::Stale))
        ),
        "{stale:?}"
    );
    assert_eq!(search.num_docs(), 2, "untouched");

    let upto = store.read(outbox::last_seq).unwrap();
    let mut docs = docs;
    docs.push(doc("post:2", "post", "乙", "新变更", &["all"], 2));
    assert_eq!(search.rebuild(docs.into_iter(), upto).unwrap(), 2);
    assert_eq!(search.position(), upto);
    assert_eq!(keys(&search, &query("新变更"), &["all"]), ["post:2"]);
}

#[test]
fn the_bigram_fallback_joins_when_the_words_find_little() {
    // 南京市 / 长江大桥: no word of this sentence is 市长, only one of its bigrams.
    let odd = "南京市长江大桥";
    let mut cut = texts(&mut WordTokenizer::for_index(), odd);
    cut.sort();
    assert!(!cut.contains(&"市长".to_string()), "premise: {cut:?}");
    assert_eq!(texts(&mut WordTokenizer::for_query(), "市长"), ["市长"]);

    let dir = tempfile::tempdir().unwrap();
    let (store, search) = open(dir.path());
    upsert(&store, doc("post:0", "post", "随笔", odd, &["all"], 0));
    let word_docs = |from: usize, to: usize| {
        for i in from..to {
            let body = format!("第{i}位市长出席会议");
            upsert(
                &store,
                doc(
                    &format!("post:{}", i + 1),
                    "post",
                    "进度",
                    &body,
                    &["all"],
                    1,
                ),
            );
        }
    };
    word_docs(0, query::FALLBACK_BELOW - 2);
    search.catch_up().unwrap();
    // Few word matches: the fallback is searched too and finds the odd one.
    let found = search.search(&query("市长"), &terms(&["all"])).unwrap();
    assert_eq!(found.total, query::FALLBACK_BELOW - 1);
    assert!(
        search
            .search(
                &SearchQuery {
                    limit: 100,
                    offset: query::FALLBACK_BELOW - 2,
                    ..query("市长")
                },
                &terms(&["all"])
            )
            .unwrap()
            .hits
            .iter()
            .any(|h| h.key == "post:0"),
        "the fallback's match ranks after the word matches"
    );

    // Enough word matches: the words alone answer.
    word_docs(query::FALLBACK_BELOW - 2, query::FALLBACK_BELOW);
    search.catch_up().unwrap();
    let found = search.search(&query("市长"), &terms(&["all"])).unwrap();
    assert_eq!(found.total, query::FALLBACK_BELOW);
    assert_eq!(
        found.facets,
        vec![("post".to_string(), query::FALLBACK_BELOW as u64)]
    );

    // A word that the documents were never cut into whole is looked for as its parts.
    upsert(
        &store,
        doc("post:900", "post", "会议室预约管理办法", "", &["all"], 2),
    );
    search.catch_up().unwrap();
    let parts = texts(&mut WordTokenizer::for_index(), "管理办法");
    let found = search.search(&query("管理办法"), &terms(&["all"])).unwrap();
    assert_eq!(found.hits[0].key, "post:900", "{parts:?}");
    assert!(
        found.hits[0].title_html.contains("<b>"),
        "{}",
        found.hits[0].title_html
    );
}
