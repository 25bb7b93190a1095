//! The planned unit tree and the catalog of positions (岗位) of a seeded group.

use super::*;

/// A unit being planned; `parent` and `head` are indexes into the plan's lists.
#[derive(Debug, Clone)]
pub(super) struct PlannedUnit {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) kind: UnitKind,
    pub(super) parent: Option<usize>,
    pub(super) head: Option<usize>,
    pub(super) order: i64,
    /// Index into `DEPTS` of the (parent) department, for departments.
    pub(super) dept: Option<usize>,
    /// Children planned so far (to name and number sub-departments).
    pub(super) children: usize,
}

pub(super) struct Dept {
    pub(super) name: &'static str,
    pub(super) code: &'static str,
    /// Staff weight: production and sales are bigger than the audit office.
    pub(super) weight: u32,
    /// The name at the group's headquarters, if headquarters has such a department.
    pub(super) hq: Option<&'static str>,
    pub(super) subs: &'static [&'static str],
}

pub(super) const DEPTS: &[Dept] = &[
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

pub(super) const INDUSTRIES: &[&str] = &[
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

pub(super) const CITIES: &[&str] = &[
    "北京", "上海", "天津", "重庆", "广州", "深圳", "南京", "杭州", "武汉", "成都", "西安", "沈阳",
    "济南", "郑州", "长沙", "合肥", "福州", "昆明", "南宁", "太原",
];

/// How many member enterprises a group of `units` units has: about √units / 2 (12 of 500).
pub(super) fn enterprise_count(units: usize) -> usize {
    let e = ((units as f64).sqrt() / 2.0).round() as usize;
    e.clamp(1, 60).min(units.saturating_sub(1))
}

pub(super) fn enterprise_name(i: usize) -> String {
    let industry = INDUSTRIES[i % INDUSTRIES.len()];
    match i / INDUSTRIES.len() {
        0 => format!("{BRAND}{industry}"),
        n => format!("{BRAND}{}{industry}", CITIES[(n - 1) % CITIES.len()]),
    }
}

/// The unit tree: the group first, then its enterprises, then departments level by level, so
/// that a parent always comes before its children.
pub(super) fn plan_units(total: usize) -> Vec<PlannedUnit> {
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
pub(super) enum Post {
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

pub(super) struct PositionDef {
    pub(super) code: &'static str,
    pub(super) name: &'static str,
    pub(super) parent: Option<Post>,
}

pub(super) fn positions() -> Vec<PositionDef> {
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
pub(super) fn staff_posts(dept_code: &str) -> &'static [Post] {
    use Post::*;
    match dept_code {
        "FIN" => &[Accountant, Accountant, Specialist],
        "IT" => &[Engineer, Engineer, Specialist],
        "PRD" => &[Operator, Operator, Technician, Engineer],
        "RD" | "QA" | "ENG" | "EQP" | "HSE" => &[Engineer, Technician, Specialist],
        _ => &[Specialist, Clerk],
    }
}
