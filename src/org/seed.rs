//! `oanode seed`: a synthetic but realistic group, for the load harness (`tests/load/`) and for
//! trying the node at scale. Later features add their own records to it.
//!
//! What it makes, deterministically for a given (users, units): the group (中恒实业集团) with its
//! headquarters departments; a handful of member enterprises (子公司); departments (财务部,
//! 人力资源部, 生产部, ...) and sub-departments (一车间, 会计核算科, ...) under them, each with a code;
//! a small catalog of positions (岗位) with their reporting line; people with Chinese names
//! (surnames weighted as in the population), pinyin logins, employee numbers, mobiles and
//! e-mails; a head for every unit (as far as the people go) and everyone reporting to a manager;
//! one `group_admin` (login `admin`) and one `enterprise_admin` per enterprise.
//!
//! Every account is source `Demo` and shares one password without the forced change: that is
//! exactly what `Demo` means elsewhere (the demo organization: shipped, synthetic people with a
//! known shared password, never touched by an eHR sync). `Local` would claim that an
//! administrator created real accounts, and eHR-created accounts are `Ehr`.
//!
//! Fast by construction: the password is hashed ONCE (argon2 costs ~15 ms a hash; 10,000 hashes
//! would take minutes) and its PHC string shared; ids are taken in blocks; everything is written
//! in ONE transaction through the store's own insert functions, so the indexes are right and
//! `oanode check` passes.

use std::collections::HashMap;

use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::model::{Grant, OrgEvent, Position, Source, Unit, UnitKind, User, UserStatus};
use super::store as org_store;
use crate::clock::Clock;
use crate::error::{Code, Error, Result};
use crate::store::{self, Store, audit};

/// The shared password of seeded accounts unless `--password` says otherwise.
pub const DEFAULT_PASSWORD: &str = "Seed2026ok";
/// The group administrator's login.
pub const ADMIN_LOGIN: &str = "admin";
pub const MAX_USERS: usize = 200_000;
pub const MAX_UNITS: usize = 20_000;

const GROUP_NAME: &str = "中恒实业集团";
const BRAND: &str = "中恒";
const MAIL_DOMAIN: &str = "zhongheng.example";

#[derive(Debug, Clone)]
pub struct SeedOptions {
    /// People, the administrator included.
    pub users: usize,
    /// Units, the group included.
    pub units: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeded {
    pub units: usize,
    pub enterprises: usize,
    pub users: usize,
    pub positions: usize,
    pub grants: usize,
}

/// Seeds an empty store. Refused (Conflict, nothing written) when the store already holds an
/// organization; `password_hash` is the PHC string every account gets (hash it once, outside).
pub fn seed(
    store: &Store,
    clock: &dyn Clock,
    opts: &SeedOptions,
    password_hash: &str,
) -> Result<Seeded> {
    if !(1..=MAX_USERS).contains(&opts.users) {
        return Err(Error::field("users", "error.out_of_range"));
    }
    if !(1..=MAX_UNITS).contains(&opts.units) {
        return Err(Error::field("units", "error.out_of_range"));
    }
    let now = clock.now_ms();
    store.write(|tx| {
        if org_store::root_unit_w(tx)?.is_some() {
            return Err(Error::Conflict(Code::Conflict));
        }
        let mut units = plan_units(opts.units);
        let positions = positions();
        let people = plan_people(&mut units, opts.users);
        let unit_base = store::allocate_ids(tx, "unit", units.len() as u64)?;
        let user_base = store::allocate_ids(tx, "user", people.len() as u64)?;
        let position_base = store::allocate_ids(tx, "position", positions.len() as u64)?;
        let grant_base = store::allocate_ids(tx, "grant", count_grants(&units, &people) as u64)?;
        let unit_id = |i: usize| unit_base + i as u64;
        let user_id = |i: usize| user_base + i as u64;
        let position_id = |p: Post| position_base + p as u64;

        for (i, p) in positions.iter().enumerate() {
            org_store::insert_position(
                tx,
                &Position {
                    id: position_base + i as u64,
                    code: p.code.into(),
                    name: p.name.into(),
                    unit_id: None,
                    parent_id: p.parent.map(position_id),
                    source: Source::Demo,
                    created_ms: now,
                    updated_ms: now,
                },
            )?;
        }
        for (i, u) in units.iter().enumerate() {
            org_store::insert_unit(
                tx,
                &Unit {
                    id: unit_id(i),
                    code: u.code.clone(),
                    name: u.name.clone(),
                    kind: u.kind,
                    parent_id: u.parent.map(unit_id),
                    head_id: u.head.map(user_id),
                    order: u.order,
                    source: Source::Demo,
                    created_ms: now,
                    updated_ms: now,
                },
            )?;
        }
        for (i, p) in people.iter().enumerate() {
            org_store::insert_user(
                tx,
                &User {
                    id: user_id(i),
                    login: p.login.clone(),
                    name: p.name.clone(),
                    employee_no: p.employee_no.clone(),
                    mobile: p.mobile.clone(),
                    email: p.email.clone(),
                    ad_login: None,
                    unit_id: unit_id(p.unit),
                    position_id: Some(position_id(p.post)),
                    manager_id: p.manager.map(user_id),
                    status: UserStatus::Active,
                    password_hash: password_hash.to_string(),
                    must_change_password: false,
                    password_changed_ms: now,
                    source: Source::Demo,
                    created_ms: now,
                    updated_ms: now,
                },
            )?;
            // As the demo (through the eHR sync) does: followers of org events see the hires.
            org_store::append_event(
                tx,
                &OrgEvent::Hired {
                    user_id: user_id(i),
                    at_ms: now,
                },
            )?;
        }
        let mut grants = 0;
        for (user, role, unit) in grant_list(&units, &people) {
            org_store::insert_grant(
                tx,
                &Grant {
                    id: grant_base + grants as u64,
                    user_id: user_id(user),
                    role: role.into(),
                    unit_id: unit_id(unit),
                    granted_by: None,
                    created_ms: now,
                },
            )?;
            grants += 1;
        }
        let enterprises = units
            .iter()
            .filter(|u| u.kind == UnitKind::Enterprise)
            .count();
        audit::append(
            tx,
            now,
            audit::Event::system(
                "node.seed",
                "org",
                format!(
                    "{} units, {} enterprises, {} people",
                    units.len(),
                    enterprises,
                    people.len()
                ),
            ),
        )?;
        Ok(Seeded {
            units: units.len(),
            enterprises,
            users: people.len(),
            positions: positions.len(),
            grants,
        })
    })
}

// ---------------------------------------------------------------- units

/// A unit being planned; `parent` and `head` are indexes into the plan's lists.
#[derive(Debug, Clone)]
struct PlannedUnit {
    code: String,
    name: String,
    kind: UnitKind,
    parent: Option<usize>,
    head: Option<usize>,
    order: i64,
    /// Index into `DEPTS` of the (parent) department, for departments.
    dept: Option<usize>,
    /// Children planned so far (to name and number sub-departments).
    children: usize,
}

struct Dept {
    name: &'static str,
    code: &'static str,
    /// Staff weight: production and sales are bigger than the audit office.
    weight: u32,
    /// The name at the group's headquarters, if headquarters has such a department.
    hq: Option<&'static str>,
    subs: &'static [&'static str],
}

const DEPTS: &[Dept] = &[
    Dept {
        name: "综合办公室",
        code: "OFF",
        weight: 1,
        hq: Some("集团办公室"),
        subs: &["文秘科", "行政科", "档案室"],
    },
    Dept {
        name: "财务部",
        code: "FIN",
        weight: 1,
        hq: Some("财务部"),
        subs: &["会计核算科", "资金管理科", "税务科", "预算科"],
    },
    Dept {
        name: "人力资源部",
        code: "HR",
        weight: 1,
        hq: Some("人力资源部"),
        subs: &["招聘培训科", "薪酬福利科", "员工关系科"],
    },
    Dept {
        name: "信息管理部",
        code: "IT",
        weight: 1,
        hq: Some("信息管理部"),
        subs: &["网络运维科", "系统开发科", "信息安全科", "数据管理科"],
    },
    Dept {
        name: "市场部",
        code: "MKT",
        weight: 2,
        hq: Some("市场营销部"),
        subs: &[
            "市场策划科",
            "华东区域",
            "华南区域",
            "华北区域",
            "华中区域",
            "西南区域",
            "西北区域",
            "东北区域",
        ],
    },
    Dept {
        name: "生产部",
        code: "PRD",
        weight: 3,
        hq: Some("生产运营部"),
        subs: &[
            "一车间",
            "二车间",
            "三车间",
            "四车间",
            "五车间",
            "六车间",
            "七车间",
            "八车间",
            "九车间",
            "十车间",
            "调度室",
            "设备科",
        ],
    },
    Dept {
        name: "安全环保部",
        code: "HSE",
        weight: 1,
        hq: Some("安全环保部"),
        subs: &["安全监督科", "环境保护科", "职业健康科"],
    },
    Dept {
        name: "技术研发部",
        code: "RD",
        weight: 2,
        hq: Some("科技创新部"),
        subs: &["工艺研究室", "产品开发室", "试验中心", "标准化室"],
    },
    Dept {
        name: "采购部",
        code: "PUR",
        weight: 1,
        hq: None,
        subs: &["采购一科", "采购二科", "供应商管理科"],
    },
    Dept {
        name: "质量管理部",
        code: "QA",
        weight: 1,
        hq: None,
        subs: &["质量检验科", "质量体系科", "计量室"],
    },
    Dept {
        name: "审计部",
        code: "AUD",
        weight: 1,
        hq: Some("审计部"),
        subs: &["内审一科", "内审二科"],
    },
    Dept {
        name: "法律事务部",
        code: "LAW",
        weight: 1,
        hq: Some("法律事务部"),
        subs: &["合同管理科", "合规科"],
    },
    Dept {
        name: "党群工作部",
        code: "PTY",
        weight: 1,
        hq: Some("党群工作部"),
        subs: &["宣传科", "组织科", "工会办公室"],
    },
    Dept {
        name: "纪检监察部",
        code: "DIS",
        weight: 1,
        hq: Some("纪检监察部"),
        subs: &["监督检查科", "案件审理科"],
    },
    Dept {
        name: "工程管理部",
        code: "ENG",
        weight: 1,
        hq: None,
        subs: &["项目管理科", "造价管理科", "基建科"],
    },
    Dept {
        name: "物资供应部",
        code: "SUP",
        weight: 1,
        hq: None,
        subs: &["仓储科", "物流科"],
    },
    Dept {
        name: "销售部",
        code: "SAL",
        weight: 2,
        hq: None,
        subs: &["销售一部", "销售二部", "大客户部", "销售服务科"],
    },
    Dept {
        name: "客户服务部",
        code: "CS",
        weight: 1,
        hq: None,
        subs: &["呼叫中心", "售后服务科"],
    },
    Dept {
        name: "设备管理部",
        code: "EQP",
        weight: 1,
        hq: None,
        subs: &["设备维修科", "动力科", "仪表科"],
    },
    Dept {
        name: "规划发展部",
        code: "PLN",
        weight: 1,
        hq: Some("规划发展部"),
        subs: &["战略规划科", "投资管理科"],
    },
];

const INDUSTRIES: &[&str] = &[
    "能源有限公司",
    "化工有限公司",
    "电力有限公司",
    "物流有限公司",
    "建设工程有限公司",
    "新材料科技有限公司",
    "矿业有限公司",
    "信息技术有限公司",
    "装备制造有限公司",
    "环保科技有限公司",
    "国际贸易有限公司",
    "置业有限公司",
    "投资有限公司",
    "机械有限公司",
    "石化销售有限公司",
    "医药有限公司",
    "水务有限公司",
    "检测技术有限公司",
    "物业服务有限公司",
    "新能源有限公司",
];

const CITIES: &[&str] = &[
    "北京", "上海", "天津", "重庆", "广州", "深圳", "南京", "杭州", "武汉", "成都", "西安", "沈阳",
    "济南", "郑州", "长沙", "合肥", "福州", "昆明", "南宁", "太原",
];

/// How many member enterprises a group of `units` units has: about √units / 2 (12 of 500).
fn enterprise_count(units: usize) -> usize {
    let e = ((units as f64).sqrt() / 2.0).round() as usize;
    e.clamp(1, 60).min(units.saturating_sub(1))
}

fn enterprise_name(i: usize) -> String {
    let industry = INDUSTRIES[i % INDUSTRIES.len()];
    match i / INDUSTRIES.len() {
        0 => format!("{BRAND}{industry}"),
        n => format!("{BRAND}{}{industry}", CITIES[(n - 1) % CITIES.len()]),
    }
}

/// The unit tree: the group first, then its enterprises, then departments level by level, so
/// that a parent always comes before its children.
fn plan_units(total: usize) -> Vec<PlannedUnit> {
    let mut units = vec![PlannedUnit {
        code: "G".into(),
        name: GROUP_NAME.into(),
        kind: UnitKind::Group,
        parent: None,
        head: None,
        order: 0,
        dept: None,
        children: 0,
    }];
    let enterprises = enterprise_count(total);
    for i in 0..enterprises {
        units.push(PlannedUnit {
            code: format!("E{:02}", i + 1),
            name: enterprise_name(i),
            kind: UnitKind::Enterprise,
            parent: Some(0),
            head: None,
            order: 1000 + 100 * i as i64,
            dept: None,
            children: 0,
        });
    }
    let owners = enterprises + 1;
    let rest = total - units.len();
    // About 60 % of the departments are first-level, at most one of each kind per company.
    let per_owner = (rest * 6).div_ceil(10 * owners).clamp(1, DEPTS.len());
    let first_level = rest.min(per_owner * owners);
    let mut level1 = Vec::new();
    'outer: for (d, dept) in DEPTS.iter().enumerate().take(per_owner) {
        for owner in 0..owners {
            if level1.len() == first_level {
                break 'outer;
            }
            let name = match (owner, dept.hq) {
                (0, Some(hq)) => hq.to_string(),
                (0, None) => continue, // no workshops at headquarters
                _ => dept.name.to_string(),
            };
            let code = format!("{}-{}", units[owner].code, dept.code);
            units[owner].children += 1;
            level1.push(units.len());
            units.push(PlannedUnit {
                code,
                name,
                kind: UnitKind::Department,
                parent: Some(owner),
                head: None,
                order: 10 * (d as i64 + 1),
                dept: Some(d),
                children: 0,
            });
        }
    }
    // Sub-departments under the enterprises' departments (headquarters stays flat), the bigger
    // departments getting more: each round gives a department `weight` of them.
    let parents: Vec<usize> = level1
        .iter()
        .copied()
        .filter(|&i| units[i].parent != Some(0))
        .collect();
    let mut left = total - units.len();
    while left > 0 && !parents.is_empty() {
        for &p in &parents {
            let weight = DEPTS[units[p].dept.unwrap_or(0)].weight;
            for _ in 0..weight {
                if left == 0 {
                    break;
                }
                let d = units[p].dept.unwrap_or(0);
                let n = units[p].children;
                let subs = DEPTS[d].subs;
                let name = match subs.get(n) {
                    Some(s) => s.to_string(),
                    None => format!("第{}组", n + 1 - subs.len()),
                };
                let code = format!("{}-{:02}", units[p].code, n + 1);
                units[p].children += 1;
                units.push(PlannedUnit {
                    code,
                    name,
                    kind: UnitKind::Department,
                    parent: Some(p),
                    head: None,
                    order: 10 * (n as i64 + 1),
                    dept: Some(d),
                    children: 0,
                });
                left -= 1;
            }
        }
    }
    units
}

// ---------------------------------------------------------------- positions

/// The position catalog, in the order of `POSITIONS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Post {
    Chairman,
    GeneralManager,
    DeputyGeneralManager,
    DeptManager,
    DeputyManager,
    SectionChief,
    WorkshopDirector,
    Supervisor,
    Engineer,
    Technician,
    Operator,
    Accountant,
    Specialist,
    Clerk,
    SystemAdmin,
}

struct PositionDef {
    code: &'static str,
    name: &'static str,
    parent: Option<Post>,
}

fn positions() -> Vec<PositionDef> {
    use Post::*;
    let p = |code, name, parent| PositionDef { code, name, parent };
    vec![
        p("P01", "董事长", None),
        p("P02", "总经理", Some(Chairman)),
        p("P03", "副总经理", Some(GeneralManager)),
        p("P04", "部门经理", Some(DeputyGeneralManager)),
        p("P05", "副经理", Some(DeptManager)),
        p("P06", "科长", Some(DeptManager)),
        p("P07", "车间主任", Some(DeptManager)),
        p("P08", "主管", Some(DeputyManager)),
        p("P09", "工程师", Some(Supervisor)),
        p("P10", "技术员", Some(Supervisor)),
        p("P11", "操作工", Some(Supervisor)),
        p("P12", "会计", Some(Supervisor)),
        p("P13", "专员", Some(Supervisor)),
        p("P14", "科员", Some(Supervisor)),
        p("P15", "系统管理员", Some(GeneralManager)),
    ]
}

/// What the staff of a department do.
fn staff_posts(dept_code: &str) -> &'static [Post] {
    use Post::*;
    match dept_code {
        "FIN" => &[Accountant, Accountant, Specialist],
        "IT" => &[Engineer, Engineer, Specialist],
        "PRD" => &[Operator, Operator, Technician, Engineer],
        "RD" | "QA" | "ENG" | "EQP" | "HSE" => &[Engineer, Technician, Specialist],
        _ => &[Specialist, Clerk],
    }
}

// ---------------------------------------------------------------- people

#[derive(Debug, Clone)]
struct Person {
    login: String,
    name: String,
    employee_no: Option<String>,
    mobile: Option<String>,
    email: Option<String>,
    unit: usize,
    post: Post,
    manager: Option<usize>,
}

/// Common surnames with their pinyin and a weight (roughly per ten thousand people).
const SURNAMES: &[(&str, &str, u32)] = &[
    ("王", "wang", 710),
    ("李", "li", 700),
    ("张", "zhang", 670),
    ("刘", "liu", 540),
    ("陈", "chen", 460),
    ("杨", "yang", 310),
    ("黄", "huang", 220),
    ("赵", "zhao", 200),
    ("吴", "wu", 200),
    ("周", "zhou", 190),
    ("徐", "xu", 150),
    ("孙", "sun", 140),
    ("马", "ma", 130),
    ("朱", "zhu", 120),
    ("胡", "hu", 110),
    ("郭", "guo", 110),
    ("何", "he", 100),
    ("高", "gao", 100),
    ("林", "lin", 90),
    ("罗", "luo", 90),
    ("郑", "zheng", 80),
    ("梁", "liang", 80),
    ("谢", "xie", 70),
    ("宋", "song", 70),
    ("唐", "tang", 60),
    ("许", "xu", 60),
    ("韩", "han", 60),
    ("冯", "feng", 60),
    ("邓", "deng", 60),
    ("曹", "cao", 50),
    ("彭", "peng", 50),
    ("曾", "zeng", 50),
    ("肖", "xiao", 50),
    ("田", "tian", 50),
    ("董", "dong", 50),
    ("袁", "yuan", 40),
    ("潘", "pan", 40),
    ("于", "yu", 40),
    ("蒋", "jiang", 40),
    ("蔡", "cai", 40),
    ("余", "yu", 40),
    ("杜", "du", 40),
    ("叶", "ye", 40),
    ("程", "cheng", 40),
    ("苏", "su", 30),
    ("魏", "wei", 30),
    ("吕", "lv", 30),
    ("丁", "ding", 30),
    ("任", "ren", 30),
    ("沈", "shen", 30),
    ("姚", "yao", 30),
    ("卢", "lu", 30),
    ("姜", "jiang", 30),
    ("崔", "cui", 30),
    ("钟", "zhong", 30),
    ("谭", "tan", 30),
    ("陆", "lu", 30),
    ("汪", "wang", 30),
    ("范", "fan", 30),
    ("金", "jin", 30),
    ("石", "shi", 30),
    ("廖", "liao", 30),
    ("贾", "jia", 30),
    ("夏", "xia", 30),
    ("韦", "wei", 20),
    ("付", "fu", 20),
    ("方", "fang", 20),
    ("白", "bai", 20),
    ("邹", "zou", 20),
    ("孟", "meng", 20),
    ("熊", "xiong", 20),
    ("秦", "qin", 20),
    ("邱", "qiu", 20),
    ("江", "jiang", 20),
    ("尹", "yin", 20),
    ("薛", "xue", 20),
    ("闫", "yan", 20),
    ("段", "duan", 20),
    ("雷", "lei", 20),
    ("侯", "hou", 20),
    ("龙", "long", 20),
    ("史", "shi", 20),
    ("陶", "tao", 20),
    ("黎", "li", 20),
    ("贺", "he", 20),
    ("顾", "gu", 20),
    ("毛", "mao", 20),
    ("郝", "hao", 20),
    ("龚", "gong", 20),
    ("邵", "shao", 20),
    ("万", "wan", 20),
    ("钱", "qian", 20),
    ("严", "yan", 20),
    ("武", "wu", 20),
    ("戴", "dai", 20),
    ("孔", "kong", 10),
    ("汤", "tang", 10),
];

/// Characters of given names, with their pinyin.
const GIVEN: &[(&str, &str)] = &[
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀", "xiu"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("桂", "gui"),
    ("英", "ying"),
    ("华", "hua"),
    ("建", "jian"),
    ("国", "guo"),
    ("文", "wen"),
    ("辉", "hui"),
    ("玲", "ling"),
    ("鹏", "peng"),
    ("婷", "ting"),
    ("宇", "yu"),
    ("浩", "hao"),
    ("鑫", "xin"),
    ("晨", "chen"),
    ("欣", "xin"),
    ("雪", "xue"),
    ("琳", "lin"),
    ("斌", "bin"),
    ("波", "bo"),
    ("梅", "mei"),
    ("红", "hong"),
    ("燕", "yan"),
    ("峰", "feng"),
    ("亮", "liang"),
    ("飞", "fei"),
    ("健", "jian"),
    ("志", "zhi"),
    ("俊", "jun"),
    ("海", "hai"),
    ("东", "dong"),
    ("佳", "jia"),
    ("慧", "hui"),
    ("颖", "ying"),
    ("倩", "qian"),
    ("博", "bo"),
    ("子", "zi"),
    ("轩", "xuan"),
    ("思", "si"),
    ("雨", "yu"),
    ("嘉", "jia"),
    ("怡", "yi"),
    ("晓", "xiao"),
    ("春", "chun"),
    ("兰", "lan"),
    ("凤", "feng"),
    ("成", "cheng"),
    ("云", "yun"),
    ("宁", "ning"),
    ("新", "xin"),
    ("永", "yong"),
    ("立", "li"),
    ("正", "zheng"),
    ("德", "de"),
    ("振", "zhen"),
    ("玉", "yu"),
    ("荣", "rong"),
    ("琴", "qin"),
    ("冬", "dong"),
    ("凯", "kai"),
    ("楠", "nan"),
    ("瑶", "yao"),
    ("诗", "shi"),
    ("梓", "zi"),
    ("涵", "han"),
    ("一", "yi"),
    ("可", "ke"),
    ("天", "tian"),
    ("泽", "ze"),
    ("家", "jia"),
    ("乐", "le"),
    ("安", "an"),
    ("彤", "tong"),
    ("帆", "fan"),
];

/// Mobile prefixes of the three carriers.
const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "158", "159", "166", "177", "180", "181", "185", "186", "187", "188", "189",
    "198", "199",
];

struct Names {
    rng: StdRng,
    surnames: WeightedIndex<u32>,
    taken: HashMap<String, u32>,
}

impl Names {
    fn new(seed: u64) -> Names {
        let weights = SURNAMES.iter().map(|s| s.2);
        Names {
            rng: StdRng::seed_from_u64(seed),
            surnames: WeightedIndex::new(weights).expect("weights are positive"),
            taken: HashMap::new(),
        }
    }

    /// A name and a unique login: `wangwei`, then `wangwei2`, `wangwei3`... (a base is letters
    /// only, so a numbered login never meets another base).
    fn next(&mut self) -> (String, String) {
        let (surname, py, _) = SURNAMES[self.surnames.sample(&mut self.rng)];
        let mut name = surname.to_string();
        let mut login = py.to_string();
        let chars = if self.rng.gen_bool(0.35) { 1 } else { 2 };
        for _ in 0..chars {
            let (c, p) = GIVEN[self.rng.gen_range(0..GIVEN.len())];
            name.push_str(c);
            login.push_str(p);
        }
        let n = self.taken.entry(login.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            login = format!("{login}{n}");
        }
        (name, login)
    }
}

/// Adds one person unless `total` people exist already; returns their index.
fn add_person(
    people: &mut Vec<Person>,
    names: &mut Names,
    total: usize,
    unit: usize,
    post: Post,
    manager: Option<usize>,
) -> Option<usize> {
    if people.len() >= total {
        return None;
    }
    let (name, login) = names.next();
    let i = people.len();
    let mobile = format!(
        "{}{:08}",
        MOBILE_PREFIXES[names.rng.gen_range(0..MOBILE_PREFIXES.len())],
        // A bijection on 0..10^8 (the factor is prime to 10^8): mobiles never repeat.
        (i as u64 * 7_919_993 + 12_345_678) % 100_000_000
    );
    people.push(Person {
        email: Some(format!("{login}@{MAIL_DOMAIN}")),
        login,
        name,
        employee_no: Some(format!("ZH{i:06}")),
        mobile: Some(mobile),
        unit,
        post,
        manager,
    });
    Some(i)
}

/// Who runs each unit and who works where. Fills each unit's `head`. People come in this order:
/// the administrator; the leaders (chairman, general managers); the heads of departments, then
/// of sub-departments; deputy general managers; then the staff spread over the departments by
/// weight. When `total` runs out, the rest of the list is simply not made.
fn plan_people(units: &mut [PlannedUnit], total: usize) -> Vec<Person> {
    let mut names = Names::new(0x5eed_0a0e ^ ((total as u64) << 20) ^ units.len() as u64);
    let mut people: Vec<Person> = Vec::with_capacity(total);
    let add = |people: &mut Vec<Person>, names: &mut Names, unit, post, manager| {
        add_person(people, names, total, unit, post, manager)
    };
    people.push(Person {
        login: ADMIN_LOGIN.into(),
        name: "系统管理员".into(),
        employee_no: None,
        mobile: None,
        email: None,
        unit: 0,
        post: Post::SystemAdmin,
        manager: None,
    });

    // The head of the nearest unit above `unit` that has one.
    fn head_above(units: &[PlannedUnit], unit: usize) -> Option<usize> {
        let mut cur = units[unit].parent;
        while let Some(u) = cur {
            if units[u].head.is_some() {
                return units[u].head;
            }
            cur = units[u].parent;
        }
        None
    }

    // Leaders: the group's chairman and general manager, then each enterprise's general manager.
    units[0].head = add(&mut people, &mut names, 0, Post::Chairman, None);
    let group_gm = add(
        &mut people,
        &mut names,
        0,
        Post::GeneralManager,
        units[0].head,
    );
    for (u, unit) in units.iter_mut().enumerate().skip(1) {
        if unit.kind == UnitKind::Enterprise {
            unit.head = add(&mut people, &mut names, u, Post::GeneralManager, group_gm);
        }
    }
    // Heads of departments (parents come first in `units`, so a head reports to the head above).
    for u in 1..units.len() {
        if units[u].kind != UnitKind::Department {
            continue;
        }
        let sub = units[units[u].parent.unwrap_or(0)].kind == UnitKind::Department;
        let post = match (sub, units[u].name.ends_with("车间")) {
            (false, _) => Post::DeptManager,
            (true, true) => Post::WorkshopDirector,
            (true, false) => Post::SectionChief,
        };
        // Headquarters departments report to the group's general manager, not the chairman.
        let manager = if units[u].parent == Some(0) {
            group_gm.or(units[0].head)
        } else {
            head_above(units, u)
        };
        units[u].head = add(&mut people, &mut names, u, post, manager);
    }
    // Deputy general managers: two at the group, one per enterprise.
    for _ in 0..2 {
        add(
            &mut people,
            &mut names,
            0,
            Post::DeputyGeneralManager,
            group_gm,
        );
    }
    for (u, unit) in units.iter().enumerate().skip(1) {
        if unit.kind == UnitKind::Enterprise {
            add(
                &mut people,
                &mut names,
                u,
                Post::DeputyGeneralManager,
                unit.head,
            );
        }
    }

    // Staff: spread over the departments by weight (a department with sub-departments keeps a
    // small office of its own), then given their posts and managers unit by unit.
    let depts: Vec<usize> = (0..units.len())
        .filter(|&u| units[u].kind == UnitKind::Department)
        .collect();
    if depts.is_empty() || people.len() >= total {
        // Only the group (and maybe enterprises): everyone else works at the top.
        while add(
            &mut people,
            &mut names,
            0,
            Post::Specialist,
            group_gm.or(units[0].head),
        )
        .is_some()
        {}
        return people;
    }
    let weights: Vec<u32> = depts
        .iter()
        .map(|&u| {
            let w = DEPTS[units[u].dept.unwrap_or(0)].weight;
            if units[u].children > 0 { w } else { 2 * w }
        })
        .collect();
    let pick = WeightedIndex::new(&weights).expect("weights are positive");
    let staff = total - people.len();
    let mut sizes = vec![0usize; depts.len()];
    for _ in 0..staff {
        sizes[pick.sample(&mut names.rng)] += 1;
    }
    for (k, &u) in depts.iter().enumerate() {
        let size = sizes[k];
        let head = units[u].head.or_else(|| head_above(units, u));
        let code = DEPTS[units[u].dept.unwrap_or(0)].code;
        let posts = staff_posts(code);
        let deputies = usize::from(size >= 6);
        let supervisors = size / 8;
        let mut sups = Vec::new();
        for j in 0..size {
            let (post, manager) = if j < deputies {
                (Post::DeputyManager, head)
            } else if j < deputies + supervisors {
                (Post::Supervisor, head)
            } else {
                let m = if sups.is_empty() {
                    head
                } else {
                    Some(sups[j % sups.len()])
                };
                (posts[j % posts.len()], m)
            };
            let Some(i) = add(&mut people, &mut names, u, post, manager) else {
                break;
            };
            if post == Post::Supervisor {
                sups.push(i);
            }
        }
    }
    people
}

/// The grants: `group_admin` for the administrator; `enterprise_admin` of each enterprise for the
/// head of its 信息管理部 (or its general manager when it has none).
fn grant_list(units: &[PlannedUnit], people: &[Person]) -> Vec<(usize, &'static str, usize)> {
    let mut out = vec![(0, "group_admin", 0)];
    for (e, unit) in units.iter().enumerate() {
        if unit.kind != UnitKind::Enterprise {
            continue;
        }
        let it = units
            .iter()
            .find(|d| d.parent == Some(e) && d.dept.map(|d| DEPTS[d].code) == Some("IT"))
            .and_then(|d| d.head);
        if let Some(user) = it.or(unit.head).filter(|&u| u < people.len()) {
            out.push((user, "enterprise_admin", e));
        }
    }
    out
}

fn count_grants(units: &[PlannedUnit], people: &[Person]) -> usize {
    grant_list(units, people).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_plan_has_the_asked_size_and_parents_first() {
        for total in [1, 2, 3, 7, 20, 60, 500, 2000] {
            let units = plan_units(total);
            assert_eq!(units.len(), total, "{total}");
            for (i, u) in units.iter().enumerate() {
                if let Some(p) = u.parent {
                    assert!(p < i, "parent before child");
                }
            }
            let mut codes: Vec<&str> = units.iter().map(|u| u.code.as_str()).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(codes.len(), total, "codes are unique");
        }
        assert_eq!(enterprise_count(500), 11);
        assert_eq!(enterprise_name(0), "中恒能源有限公司");
        assert_eq!(enterprise_name(21), "中恒北京化工有限公司");
    }

    #[test]
    fn people_plan_is_deterministic_with_unique_logins() {
        let plan = || {
            let mut units = plan_units(40);
            let people = plan_people(&mut units, 1000);
            (units, people)
        };
        let (units, a) = plan();
        let (_, b) = plan();
        assert_eq!(a.len(), 1000);
        assert_eq!(
            a.iter().map(|p| &p.login).collect::<Vec<_>>(),
            b.iter().map(|p| &p.login).collect::<Vec<_>>()
        );
        let mut logins: Vec<&str> = a.iter().map(|p| p.login.as_str()).collect();
        logins.sort_unstable();
        logins.dedup();
        assert_eq!(logins.len(), 1000);
        assert!(a.iter().all(|p| crate::org::model::valid_login(&p.login)));
        assert!(
            units.iter().all(|u| u.head.is_some()),
            "every unit has a head"
        );
        let wang = a.iter().filter(|p| p.name.starts_with('王')).count();
        assert!((30..=120).contains(&wang), "王 is common: {wang}");
        for p in &a[2..] {
            let m = p.mobile.as_deref().unwrap();
            assert_eq!(m.len(), 11);
            assert!(m.starts_with('1') && (b'3'..=b'9').contains(&m.as_bytes()[1]));
            assert!(p.manager.is_some(), "{} reports to someone", p.login);
        }
        assert_eq!(a[1].post, Post::Chairman, "the chairman reports to nobody");
    }

    #[test]
    fn few_people_for_many_units_still_makes_a_valid_plan() {
        let mut units = plan_units(50);
        let people = plan_people(&mut units, 5);
        assert_eq!(people.len(), 5);
        assert!(units.iter().filter_map(|u| u.head).all(|h| h < 5));
        assert!(grant_list(&units, &people).iter().all(|g| g.0 < 5));
    }
}
