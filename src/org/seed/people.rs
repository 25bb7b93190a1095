//! The seeded people: names weighted as in the population, pinyin logins, heads and managers.

use super::*;

#[derive(Debug, Clone)]
pub(super) struct Person {
    pub(super) login: String,
    pub(super) name: String,
    pub(super) employee_no: Option<String>,
    pub(super) mobile: Option<String>,
    pub(super) email: Option<String>,
    pub(super) unit: usize,
    pub(super) post: Post,
    pub(super) manager: Option<usize>,
}

/// Common surnames with their pinyin and a weight (roughly per ten thousand people).
pub(super) const SURNAMES: &[(&str, &str, u32)] = &[
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
pub(super) const GIVEN: &[(&str, &str)] = &[
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
pub(super) const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "158", "159", "166", "177", "180", "181", "185", "186", "187", "188", "189",
    "198", "199",
];

pub(super) struct Names {
    pub(super) rng: StdRng,
    pub(super) surnames: WeightedIndex<u32>,
    pub(super) taken: HashMap<String, u32>,
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
pub(super) fn add_person(
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
pub(super) fn plan_people(units: &mut [PlannedUnit], total: usize) -> Vec<Person> {
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
pub(super) fn grant_list(
    units: &[PlannedUnit],
    people: &[Person],
) -> Vec<(usize, &'static str, usize)> {
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

pub(super) fn count_grants(units: &[PlannedUnit], people: &[Person]) -> usize {
    grant_list(units, people).len()
}
