//! `oanode seed --posts N`: published posts for the load harness, spread over the past year:
//! notices, news, flash bulletins, regulations and resources from departments, half to
//! everyone, the others to one department or a few named people (the seeded administrator among
//! them in one of ten). Older posts are read by the administrator. No search entries are written
//! (`oanode reindex` indexes them). Deterministic for a given organization and N.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::model::{Audience, Kind, Post, Read, Regulation, Status};
use super::store as ps;
use crate::App;
use crate::error::{Error, Result};
use crate::org::model::{UnitKind, UserStatus};
use crate::store::{self, Record};

pub const MAX_POSTS: usize = 1_000_000;
const BATCH: usize = 2_000;
const DAY: i64 = 24 * 3_600_000;

const SUBJECTS: [&str; 12] = [
    "会议室预约",
    "安全生产检查",
    "年度预算编制",
    "信息系统升级",
    "节假日值班安排",
    "员工培训计划",
    "合同管理",
    "办公用品采购",
    "差旅费用报销",
    "数据安全保护",
    "档案归档整理",
    "消防演练",
];
const PHRASES: [&str; 8] = [
    "请各部门认真组织落实，确保按时完成。",
    "有关事项说明如下，请遵照执行。",
    "如有疑问，请与综合管理部联系。",
    "本制度自发布之日起施行，原有规定同时废止。",
    "各单位应结合实际制定具体实施方案。",
    "请相关人员准时参加，不得无故缺席。",
    "费用标准按照集团财务管理办法执行。",
    "资料已上传至常用资料栏目，请自行下载。",
];

fn title(kind: Kind, subject: &str, i: usize) -> String {
    match kind {
        Kind::Notice => format!("关于{subject}的通知"),
        Kind::News => format!("集团召开{subject}工作会议（第{}期）", i % 97 + 1),
        Kind::Flash => format!("快讯：{subject}工作顺利推进"),
        Kind::Regulation => format!("{subject}管理办法"),
        Kind::Resource => format!("{subject}常用表格"),
    }
}

pub struct Seeded {
    pub posts: usize,
}

pub fn posts(app: &App, n: usize) -> Result<Seeded> {
    if n > MAX_POSTS {
        return Err(Error::field("posts", "error.out_of_range"));
    }
    let (units, users) = app.store().read(|tx| {
        Ok((
            crate::org::store::units_all(tx)?,
            crate::org::store::users_all(tx)?,
        ))
    })?;
    let tree = crate::org::tree::UnitTree::new(&units);
    let mut by_unit: std::collections::HashMap<u64, Vec<u64>> = Default::default();
    for u in users.iter().filter(|u| u.status == UserStatus::Active) {
        by_unit.entry(u.unit_id).or_default().push(u.id);
    }
    let mut departments: Vec<u64> = units
        .iter()
        .filter(|u| u.kind == UnitKind::Department && by_unit.contains_key(&u.id))
        .map(|u| u.id)
        .collect();
    departments.sort_unstable();
    let admin = users
        .iter()
        .find(|u| u.login == crate::org::seed::ADMIN_LOGIN)
        .map(|u| u.id);
    if departments.is_empty() {
        return Err(Error::internal("seed the organization first"));
    }
    let now = app.now_ms();
    let mut made = 0;
    while made < n {
        let batch = BATCH.min(n - made);
        app.store().write(|tx| {
            // Its own generator per batch: a write closure may run twice (store/group.rs).
            let mut rng = StdRng::seed_from_u64(0x9057_2026 ^ made as u64);
            let first = store::allocate_ids(tx, Post::KIND, batch as u64)?;
            for k in 0..batch {
                let i = made + k;
                let at = now - 365 * DAY + (365 * DAY / n.max(1) as i64) * i as i64;
                let kind = match rng.gen_range(0..20) {
                    0..=7 => Kind::Notice,
                    8..=11 => Kind::News,
                    12..=14 => Kind::Flash,
                    15..=16 => Kind::Regulation,
                    _ => Kind::Resource,
                };
                let dept = departments[rng.gen_range(0..departments.len())];
                let author = by_unit
                    .get(&dept)
                    .and_then(|p| p.first())
                    .copied()
                    .unwrap_or(0);
                let subject = SUBJECTS[rng.gen_range(0..SUBJECTS.len())];
                let body: String = (0..3)
                    .map(|_| format!("<p>{}</p>", PHRASES[rng.gen_range(0..PHRASES.len())]))
                    .collect();
                let audience = match rng.gen_range(0..10) {
                    0..=4 => Audience {
                        everyone: true,
                        ..Audience::default()
                    },
                    5..=8 => Audience {
                        units: vec![departments[rng.gen_range(0..departments.len())]],
                        ..Audience::default()
                    },
                    _ => Audience {
                        users: admin.into_iter().chain([author]).collect(),
                        ..Audience::default()
                    },
                };
                let enterprise = tree.enterprise_of(dept).unwrap_or(dept);
                let post = Post {
                    id: first + k as u64,
                    kind,
                    title: title(kind, subject, i),
                    body_html: format!("<p>{subject}相关事项。</p>{body}"),
                    unit_id: dept,
                    author_id: author,
                    audience,
                    status: Status::Published,
                    publish_ms: Some(at),
                    published_ms: Some(at),
                    pinned_until_ms: None,
                    expires_ms: None,
                    require_ack: kind == Kind::Notice && i % 5 == 0,
                    attachments: Vec::new(),
                    cover: None,
                    regulation: (kind == Kind::Regulation).then(|| Regulation {
                        number: format!("ZD-{:06}", i),
                        category: subject.chars().take(2).collect(),
                        effective_date: None,
                        repeal_date: None,
                        scope_unit_id: enterprise,
                        supersedes: None,
                        superseded_by: None,
                        version: 1,
                    }),
                    created_ms: at - DAY,
                    updated_ms: at,
                    withdrawn_ms: None,
                };
                ps::put_post(tx, None, &post)?;
                if let Some(a) = admin
                    && now - at > 30 * DAY
                    && (post.audience.everyone || post.audience.users.contains(&a))
                    && i % 2 == 0
                {
                    let r = Read {
                        post_id: post.id,
                        user_id: a,
                        read_ms: at + DAY,
                        ack_ms: post.require_ack.then_some(at + DAY),
                    };
                    ps::put_read(tx, None, &r)?;
                }
            }
            Ok(())
        })?;
        made += batch;
    }
    Ok(Seeded { posts: made })
}

/// kind, title, body, author, unit, audience, days ago, asks for confirmation, regulation.
type DemoPost<'a> = (
    Kind,
    &'a str,
    &'a str,
    u64,
    u64,
    Audience,
    i64,
    bool,
    Option<Regulation>,
);

/// The demo node's posts: group news and a flash bulletin from the brand department, a notice
/// of HR to the whole group that asks for confirmation, E1's own notice, a regulation with two
/// versions and a resource, published over the last days and indexed for search.
pub fn demo(app: &App) -> Result<usize> {
    let now = app.now_ms();
    let tree = app.tree()?;
    let at = |login: &str, unit: &str| -> Result<(u64, u64)> {
        app.store().read(|tx| {
            let u = crate::org::store::user_by_login(tx, login)?
                .ok_or_else(|| Error::internal(format!("demo login {login}")))?;
            let unit = crate::org::store::units_all(tx)?
                .into_iter()
                .find(|u| u.code == unit)
                .map(|u| u.id)
                .ok_or_else(|| Error::internal(format!("demo unit {unit}")))?;
            Ok((u.id, unit))
        })
    };
    let (news_author, brand) = at("zhaomin", "G")?;
    let (hr_author, hr) = at("guoting", "G-HR")?;
    let (e1_author, e1) = at("xiedong", "E1")?;
    let (reg_author, group) = at("wufang", "G")?;
    let everyone = Audience {
        everyone: true,
        ..Audience::default()
    };
    let units = |u: u64| Audience {
        units: vec![u],
        ..Audience::default()
    };
    let regulation = |number: &str, supersedes: Option<u64>, version: u32| Regulation {
        number: number.into(),
        category: "信息化".into(),
        effective_date: None,
        repeal_date: None,
        scope_unit_id: group,
        supersedes,
        superseded_by: None,
        version,
    };
    #[rustfmt::skip]
    let posts: Vec<DemoPost<'_>> = vec![
        (Kind::Regulation, "集团信息系统账号管理规章制度", "<p>第一条 为规范集团信息系统账号的申请、变更与注销，制定本制度。</p><p>第二条 账号由信息管理部统一管理。</p>", reg_author, group, units(group), 9, false, Some(regulation("JT-XX-2025-01", None, 1))),
        (Kind::Regulation, "集团信息系统账号管理规章制度（2026年修订）", "<p>第一条 为规范集团信息系统账号的申请、变更与注销，制定本制度。</p><p>第二条 账号由信息管理部统一管理，员工离职当日注销。</p><p>第三条 密码至少十位，每九十天更换一次。</p>", reg_author, group, units(group), 5, false, None),
        (Kind::News, "集团召开2026年度信息化工作会议", "<p>11月20日，集团在总部召开年度信息化工作会议，总结全年信息化建设成果，部署协同办公平台推广工作。</p>", news_author, brand, everyone.clone(), 4, false, None),
        (Kind::Flash, "快讯：协同办公平台在示例能源上线", "<p>示例能源全员开始使用协同办公平台处理请假和公文。</p>", news_author, brand, everyone.clone(), 3, false, None),
        (Kind::Notice, "关于会议室预约规则调整的通知", "<p>各部门：</p><p>自12月1日起，总部会议室预约须提前一个工作日在系统中提交，临时会议请联系综合办公室。</p>", hr_author, hr, units(group), 2, true, None),
        (Kind::Notice, "示例能源关于年度体检安排的通知", "<p>公司全体员工：</p><p>年度体检定于12月8日至12日进行，请按部门顺序参加。</p>", e1_author, e1, units(e1), 1, false, None),
        (Kind::Resource, "常用表格：差旅费报销单", "<p>最新版差旅费报销单，请下载后填写。</p>", hr_author, hr, units(group), 1, false, None),
    ];
    let day = 24 * 3_600_000;
    app.store().write(|tx| {
        let mut first_regulation: Option<u64> = None;
        for (kind, title, body, author, unit, audience, days_ago, ack, reg) in &posts {
            let t = now - days_ago * day;
            let id = store::next_id(tx, Post::KIND)?;
            let mut p = Post::new(*kind, *author, *unit, t);
            p.id = id;
            p.title = title.to_string();
            p.body_html = body.to_string();
            p.audience = audience.clone();
            p.require_ack = *ack;
            if *kind == Kind::Regulation {
                p.regulation = Some(match (reg, first_regulation) {
                    (Some(r), _) => r.clone(),
                    (None, Some(prev)) => regulation("JT-XX-2025-01", Some(prev), 2),
                    (None, None) => regulation("JT-XX-2025-01", None, 1),
                });
            }
            let draft = p.clone();
            p.status = Status::Published;
            p.publish_ms = Some(t);
            p.published_ms = Some(t);
            if *kind == Kind::Notice && *ack {
                p.pinned_until_ms = Some(now + 7 * day);
            }
            ps::put_post(tx, None, &draft)?;
            ps::put_post(tx, Some(&draft), &p)?;
            super::service::edit::index(tx, &tree, &p)?;
            if let Some(prev) = p.regulation.as_ref().and_then(|r| r.supersedes)
                && let Some(old) = ps::post_w(tx, prev)?
            {
                let mut next = old.clone();
                if let Some(r) = next.regulation.as_mut() {
                    r.superseded_by = Some(id);
                }
                ps::put_post(tx, Some(&old), &next)?;
                super::service::edit::index(tx, &tree, &next)?;
            }
            if *kind == Kind::Regulation && first_regulation.is_none() {
                first_regulation = Some(id);
            }
        }
        Ok(posts.len())
    })
}
