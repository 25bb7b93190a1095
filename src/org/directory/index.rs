//! The people index of the directory (通讯录): every account and every unit in memory, with each
//! name's pinyin (`zhangwei`) and initials (`zw`), so that a search over 10,000 people never
//! touches the store. Built once from the store (`App::directory`) and dropped by
//! `App::org_changed`, to be rebuilt at the next use. Pure: no I/O, no Rocket.
//!
//! Polyphonic characters read with the `pinyin` crate's default (most common) reading, so a few
//! surnames come out in their everyday reading rather than the surname one (曾 `ceng`, not
//! `zeng`; 单 `dan`, not `shan`); the name itself and the login still find them.

use std::collections::{HashMap, HashSet};

use pinyin::ToPinyin;

use crate::org::model::{Position, Unit, UnitKind, User, UserStatus};

/// One person as the directory shows and searches them.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: u64,
    pub login: String,
    pub name: String,
    /// Full pinyin without tones, lower-case, concatenated: 张伟 → `zhangwei`.
    pub pinyin: String,
    /// The first letter of each syllable: 张伟 → `zw`.
    pub initials: String,
    pub unit_id: u64,
    /// The position's name.
    pub position: Option<String>,
    pub manager_id: Option<u64>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub status: UserStatus,
    login_lc: String,
    name_lc: String,
}

/// One unit of the tree.
#[derive(Debug, Clone)]
pub struct UnitNode {
    pub id: u64,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<u64>,
    /// Active people in this unit and below.
    pub active_count: usize,
}

/// How well a person matches a query; lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    /// The whole name, login, pinyin or initials.
    Exact,
    /// The start of one of them.
    Prefix,
    /// Part of the name, the login or the pinyin.
    Substring,
}

/// A normalized search text: lower-cased and trimmed, and a second form without spaces for
/// pinyin (`zhang wei` finds 张伟).
#[derive(Debug, Clone)]
pub struct Query {
    text: String,
    compact: String,
}

impl Query {
    /// `None` for an empty or blank text.
    pub fn new(q: &str) -> Option<Query> {
        let text = q.trim().to_lowercase();
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        (!compact.is_empty()).then_some(Query { text, compact })
    }
}

/// Full pinyin and initials of a name. Characters without a reading keep themselves when they
/// are letters or digits (lower-cased; a run of them gives one initial) and are skipped
/// otherwise (spaces, the `·` of transliterated names). `ü` is written `v`, as people type it.
pub fn romanize(name: &str) -> (String, String) {
    let mut full = String::with_capacity(name.len() * 2);
    let mut initials = String::new();
    let mut in_word = false;
    for c in name.chars() {
        if let Some(p) = c.to_pinyin() {
            let plain = p.plain().replace('ü', "v");
            full.push_str(&plain);
            initials.push_str(&plain[..1]);
            in_word = false;
        } else if c.is_alphanumeric() {
            let lower: String = c.to_lowercase().collect();
            full.push_str(&lower);
            if !in_word {
                initials.push_str(&lower);
            }
            in_word = true;
        } else {
            in_word = false;
        }
    }
    (full, initials)
}

impl Person {
    fn new(u: User, position: Option<String>) -> Person {
        let (pinyin, initials) = romanize(&u.name);
        Person {
            id: u.id,
            login_lc: u.login.to_lowercase(),
            name_lc: u.name.to_lowercase(),
            login: u.login,
            name: u.name,
            pinyin,
            initials,
            unit_id: u.unit_id,
            position,
            manager_id: u.manager_id,
            mobile: u.mobile,
            email: u.email,
            status: u.status,
        }
    }

    /// How this person matches `q`: name and login by their text, pinyin as written without
    /// spaces, initials only from the start.
    pub fn matches(&self, q: &Query) -> Option<Match> {
        let (t, c) = (q.text.as_str(), q.compact.as_str());
        if self.name_lc == t || self.login_lc == t || self.pinyin == c || self.initials == c {
            Some(Match::Exact)
        } else if self.name_lc.starts_with(t)
            || self.login_lc.starts_with(t)
            || self.pinyin.starts_with(c)
            || self.initials.starts_with(c)
        {
            Some(Match::Prefix)
        } else if self.name_lc.contains(t) || self.login_lc.contains(t) || self.pinyin.contains(c) {
            Some(Match::Substring)
        } else {
            None
        }
    }

    pub fn is_active(&self) -> bool {
        self.status == UserStatus::Active
    }
}

/// The whole organization as the directory reads it.
#[derive(Debug, Default)]
pub struct Directory {
    /// In directory order: by pinyin, then name, then id.
    people: Vec<Person>,
    /// Indexes into `people` in browsing order: by unit as the tree lists them, each unit's
    /// head first, then directory order.
    browse: Vec<usize>,
    by_id: HashMap<u64, usize>,
    /// `manager id -> indexes of their direct reports` (in directory order).
    reports: HashMap<u64, Vec<usize>>,
    units: HashMap<u64, UnitNode>,
    /// `unit id -> child unit ids`, in display order (`order`, then code).
    children: HashMap<u64, Vec<u64>>,
    /// Units without a parent (normally one: the group).
    roots: Vec<u64>,
    /// `character -> indexes into people` (ascending) of the people whose name, login, pinyin
    /// or initials hold it. Any match holds every character of the query, so a search scans only
    /// the list of the query's rarest character, not everyone.
    by_char: HashMap<char, Vec<u32>>,
}

impl Directory {
    pub fn build(units: Vec<Unit>, users: Vec<User>, positions: Vec<Position>) -> Directory {
        let position_names: HashMap<u64, String> =
            positions.into_iter().map(|p| (p.id, p.name)).collect();
        let mut people: Vec<Person> = users
            .into_iter()
            .map(|u| {
                let pos = u.position_id.and_then(|p| position_names.get(&p).cloned());
                Person::new(u, pos)
            })
            .collect();
        people.sort_by(|a, b| (&a.pinyin, &a.name, a.id).cmp(&(&b.pinyin, &b.name, b.id)));
        let by_id = people.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
        let mut reports: HashMap<u64, Vec<usize>> = HashMap::new();
        for (i, p) in people.iter().enumerate() {
            if let Some(m) = p.manager_id.filter(|m| *m != p.id) {
                reports.entry(m).or_default().push(i);
            }
        }

        let known: HashSet<u64> = units.iter().map(|u| u.id).collect();
        let heads: HashSet<(u64, u64)> = units
            .iter()
            .filter_map(|u| u.head_id.map(|h| (u.id, h)))
            .collect();
        let mut sorted: Vec<&Unit> = units.iter().collect();
        sorted.sort_by(|a, b| (a.order, &a.code, a.id).cmp(&(b.order, &b.code, b.id)));
        let mut children: HashMap<u64, Vec<u64>> = HashMap::new();
        let mut roots = Vec::new();
        for u in &sorted {
            match u.parent_id.filter(|p| known.contains(p) && *p != u.id) {
                Some(p) => children.entry(p).or_default().push(u.id),
                None => roots.push(u.id),
            }
        }
        let mut nodes: HashMap<u64, UnitNode> = units
            .into_iter()
            .map(|u| {
                let node = UnitNode {
                    id: u.id,
                    name: u.name,
                    kind: u.kind,
                    parent_id: u.parent_id,
                    active_count: 0,
                };
                (u.id, node)
            })
            .collect();
        // Browsing order: units in tree order (depth first), heads before their staff.
        let mut unit_rank: HashMap<u64, usize> = HashMap::new();
        let mut stack: Vec<u64> = roots.iter().rev().copied().collect();
        while let Some(u) = stack.pop() {
            if unit_rank.contains_key(&u) {
                continue;
            }
            unit_rank.insert(u, unit_rank.len());
            if let Some(kids) = children.get(&u) {
                stack.extend(kids.iter().rev());
            }
        }
        let mut browse: Vec<usize> = (0..people.len()).collect();
        browse.sort_by_key(|i| {
            let p = &people[*i];
            let rank = unit_rank.get(&p.unit_id).copied().unwrap_or(usize::MAX);
            (rank, !heads.contains(&(p.unit_id, p.id)), *i)
        });
        let mut by_char: HashMap<char, Vec<u32>> = HashMap::new();
        for (i, p) in people.iter().enumerate() {
            let mut seen: Vec<char> = [&p.name_lc, &p.login_lc, &p.pinyin, &p.initials]
                .into_iter()
                .flat_map(|f| f.chars())
                .collect();
            seen.sort_unstable();
            seen.dedup();
            for c in seen {
                by_char.entry(c).or_default().push(i as u32);
            }
        }
        let mut dir = Directory {
            by_char,
            people,
            browse,
            by_id,
            reports,
            units: HashMap::new(),
            children,
            roots,
        };
        // Each active person counts in their unit and every unit above it.
        let mut counts: HashMap<u64, usize> = HashMap::new();
        for p in dir.people.iter().filter(|p| p.is_active()) {
            let mut cur = Some(p.unit_id);
            let mut seen = 0;
            while let Some(u) = cur.filter(|u| nodes.contains_key(u)) {
                *counts.entry(u).or_default() += 1;
                seen += 1;
                if seen > nodes.len() {
                    break; // a cycle in bad data
                }
                cur = nodes[&u].parent_id;
            }
        }
        for (id, n) in counts {
            if let Some(node) = nodes.get_mut(&id) {
                node.active_count = n;
            }
        }
        dir.units = nodes;
        dir
    }

    pub fn len(&self) -> usize {
        self.people.len()
    }

    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    /// Everyone, in directory order.
    pub fn people(&self) -> impl Iterator<Item = &Person> {
        self.people.iter()
    }

    pub fn person(&self, id: u64) -> Option<&Person> {
        self.by_id.get(&id).map(|i| &self.people[*i])
    }

    pub fn unit(&self, id: u64) -> Option<&UnitNode> {
        self.units.get(&id)
    }

    /// Every unit, in no particular order.
    pub fn units(&self) -> impl Iterator<Item = &UnitNode> {
        self.units.values()
    }

    /// The units from the root down to `id` (empty for an unknown unit).
    pub fn unit_path(&self, id: u64) -> Vec<&UnitNode> {
        let mut out: Vec<&UnitNode> = Vec::new();
        let mut cur = self.units.get(&id);
        while let Some(u) = cur {
            if out.iter().any(|o| o.id == u.id) {
                break; // a cycle in bad data
            }
            out.push(u);
            cur = u.parent_id.and_then(|p| self.units.get(&p));
        }
        out.reverse();
        out
    }

    pub fn roots(&self) -> &[u64] {
        &self.roots
    }

    pub fn children(&self, id: u64) -> &[u64] {
        self.children.get(&id).map_or(&[], Vec::as_slice)
    }

    /// `id` and every unit below it.
    pub fn subtree(&self, id: u64) -> HashSet<u64> {
        let mut out = HashSet::new();
        let mut stack = vec![id];
        while let Some(u) = stack.pop() {
            if self.units.contains_key(&u) && out.insert(u) {
                stack.extend_from_slice(self.children(u));
            }
        }
        out
    }

    /// The people whose manager is `id`, in directory order.
    pub fn reports(&self, id: u64) -> impl Iterator<Item = &Person> {
        self.reports
            .get(&id)
            .into_iter()
            .flatten()
            .map(|i| &self.people[*i])
    }

    /// The people that match `q`, within `units` when given, that `visible` lets through: best
    /// matches first, each rank in directory order. Without `q`, everyone in browsing order
    /// (unit by unit as the tree lists them, each unit's head first).
    pub fn search<'a>(
        &'a self,
        q: Option<&Query>,
        units: Option<&HashSet<u64>>,
        visible: impl Fn(&Person) -> bool,
    ) -> Vec<&'a Person> {
        let in_units = |p: &&Person| units.is_none_or(|set| set.contains(&p.unit_id));
        let Some(q) = q else {
            return self
                .browse
                .iter()
                .map(|i| &self.people[*i])
                .filter(in_units)
                .filter(|p| visible(p))
                .collect();
        };
        let rarest = q
            .compact
            .chars()
            .map(|c| self.by_char.get(&c).map_or(&[][..], Vec::as_slice))
            .min_by_key(|list| list.len())
            .unwrap_or(&[]);
        let mut hits: Vec<(Match, &Person)> = rarest
            .iter()
            .map(|i| &self.people[*i as usize])
            .filter(in_units)
            .filter_map(|p| p.matches(q).map(|m| (m, p)))
            .filter(|(_, p)| visible(p))
            .collect();
        hits.sort_by_key(|(m, _)| *m); // stable: directory order within a rank
        hits.into_iter().map(|(_, p)| p).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::model::Source;

    fn unit(id: u64, name: &str, parent: Option<u64>, order: i64) -> Unit {
        Unit {
            id,
            code: format!("U{id}"),
            name: name.into(),
            kind: if parent.is_none() {
                UnitKind::Group
            } else {
                UnitKind::Department
            },
            parent_id: parent,
            head_id: None,
            order,
            source: Source::Local,
            created_ms: 0,
            updated_ms: 0,
        }
    }

    fn user(id: u64, login: &str, name: &str, unit_id: u64) -> User {
        User {
            id,
            login: login.into(),
            name: name.into(),
            employee_no: None,
            mobile: None,
            email: None,
            ad_login: None,
            unit_id,
            position_id: None,
            manager_id: None,
            status: UserStatus::Active,
            password_hash: String::new(),
            must_change_password: false,
            password_changed_ms: 0,
            source: Source::Local,
            created_ms: 0,
            updated_ms: 0,
        }
    }

    #[test]
    fn names_romanize_to_pinyin_and_initials() {
        assert_eq!(romanize("张伟"), ("zhangwei".into(), "zw".into()));
        assert_eq!(romanize("欧阳 娜娜"), ("ouyangnana".into(), "oynn".into()));
        assert_eq!(
            romanize("吕绿"),
            ("lvlv".into(), "ll".into()),
            "ü is typed v"
        );
        assert_eq!(
            romanize("阿依·买买提"),
            ("ayimaimaiti".into(), "aymmt".into()),
            "the dot of a transliterated name is skipped"
        );
        assert_eq!(romanize("Tom李2"), ("tomli2".into(), "tl2".into()));
        assert_eq!(romanize(""), (String::new(), String::new()));
        assert_eq!(
            romanize("曾鹏").0,
            "cengpeng",
            "a polyphonic surname reads as the crate's default (noted in the README)"
        );
    }

    fn q(s: &str) -> Query {
        Query::new(s).unwrap()
    }

    #[test]
    fn a_person_matches_by_name_login_pinyin_and_initials() {
        let p = Person::new(user(1, "ZhangWei", "张伟", 1), None);
        for (text, want) in [
            ("张伟", Match::Exact),
            ("zhangwei", Match::Exact),
            ("ZhangWei", Match::Exact),
            ("zw", Match::Exact),
            (" zhang wei ", Match::Exact),
            ("张", Match::Prefix),
            ("zhang", Match::Prefix),
            ("z", Match::Prefix),
            ("伟", Match::Substring),
            ("wei", Match::Substring),
        ] {
            assert_eq!(p.matches(&q(text)), Some(want), "{text}");
        }
        for text in ["李", "li", "wz", "zhangweii"] {
            assert_eq!(p.matches(&q(text)), None, "{text}");
        }
        assert!(Query::new("  ").is_none());
    }

    #[test]
    fn results_rank_exact_then_prefix_then_substring_then_by_pinyin() {
        let dir = Directory::build(
            vec![unit(1, "集团", None, 0), unit(2, "信息部", Some(1), 0)],
            vec![
                user(1, "weiming", "魏明", 1),  // pinyin prefix "wei"
                user(2, "zhangwei", "张伟", 2), // pinyin substring
                user(3, "wei", "王二", 2),      // login exact
                user(4, "anwei", "安伟", 1),    // substring, sorts before 张伟
                user(5, "weiguo", "韦国", 2), // pinyin prefix, sorts after 魏明? (weiguo < weiming)
            ],
            vec![],
        );
        let ids = |q: &str, units: Option<&HashSet<u64>>| -> Vec<u64> {
            dir.search(Query::new(q).as_ref(), units, |_| true)
                .iter()
                .map(|p| p.id)
                .collect()
        };
        assert_eq!(ids("wei", None), vec![3, 5, 1, 4, 2]);
        let it = dir.subtree(2);
        assert_eq!(ids("wei", Some(&it)), vec![3, 5, 2], "within 信息部 only");
        assert_eq!(ids("", Some(&it)).len(), 3, "no query: the whole subtree");
        assert_eq!(
            ids("", None),
            vec![4, 1, 3, 5, 2],
            "no query: unit by unit in tree order, then pinyin"
        );
    }

    #[test]
    fn the_character_index_finds_what_a_full_scan_finds() {
        let names = [
            ("zhangwei", "张伟"),
            ("zhangwei2", "张薇"),
            ("wangfang", "王芳"),
            ("liu.yang", "刘洋"),
            ("ouyang", "欧阳 娜娜"),
            ("ZW-01", "Zoe Wu"),
            ("lvbu", "吕布"),
        ];
        let users = names
            .iter()
            .enumerate()
            .map(|(i, (l, n))| user(i as u64 + 1, l, n, 1))
            .collect();
        let dir = Directory::build(vec![unit(1, "集团", None, 0)], users, vec![]);
        for q in [
            "zw",
            "张",
            "ZhangWei",
            "zhang wei",
            "wei",
            "w",
            "ang",
            "oynn",
            "娜娜",
            "zoe w",
            "lv",
            "01",
            "x",
            "liu.",
            "王芳",
        ] {
            let query = Query::new(q).unwrap();
            let got: Vec<u64> = dir
                .search(Some(&query), None, |_| true)
                .iter()
                .map(|p| p.id)
                .collect();
            let mut want: Vec<(Match, u64)> = dir
                .people
                .iter()
                .filter_map(|p| p.matches(&query).map(|m| (m, p.id)))
                .collect();
            want.sort_by_key(|(m, _)| *m);
            let want: Vec<u64> = want.into_iter().map(|(_, id)| id).collect();
            assert_eq!(got, want, "{q}");
        }
    }

    #[test]
    fn units_paths_counts_and_reports() {
        let mut boss = user(1, "boss", "老板", 1);
        boss.status = UserStatus::Active;
        let mut a = user(2, "a", "甲", 3);
        a.manager_id = Some(1);
        let mut b = user(3, "b", "乙", 3);
        b.manager_id = Some(1);
        b.status = UserStatus::Disabled;
        let mut first = unit(3, "一部", Some(1), 10);
        first.head_id = Some(3);
        let dir = Directory::build(
            vec![
                unit(1, "集团", None, 0),
                unit(2, "二部", Some(1), 20),
                first,
            ],
            vec![boss, a, b],
            vec![],
        );
        assert_eq!(dir.children(1), &[3, 2], "by order");
        assert_eq!(dir.roots(), &[1]);
        let path: Vec<&str> = dir.unit_path(3).iter().map(|u| u.name.as_str()).collect();
        assert_eq!(path, vec!["集团", "一部"]);
        assert!(dir.unit_path(99).is_empty());
        assert_eq!(
            dir.unit(1).unwrap().active_count,
            2,
            "the disabled one not counted"
        );
        assert_eq!(dir.unit(3).unwrap().active_count, 1);
        assert_eq!(dir.unit(2).unwrap().active_count, 0);
        let reports: Vec<u64> = dir.reports(1).map(|p| p.id).collect();
        assert_eq!(reports, vec![2, 3]);
        assert_eq!(dir.subtree(1).len(), 3);
        let browse: Vec<u64> = dir
            .search(None, None, |_| true)
            .iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(
            browse,
            vec![1, 3, 2],
            "unit by unit, the head (乙) before 甲"
        );
    }
}
