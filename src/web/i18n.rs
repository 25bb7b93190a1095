//! Languages and message catalogs. zh-CN is the default; English is the switch. The catalogs are
//! TOML files in `assets/i18n/`, embedded in the binary; every string people read comes from them.

use std::collections::HashMap;
use std::sync::OnceLock;

use rocket::Request;

use super::assets::Assets;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    ZhCn,
    En,
}

pub const LANG_COOKIE: &str = "lang";

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Parses a language tag loosely: `zh`, `zh-CN`, `zh-Hans-CN` are Chinese; `en*` English.
    pub fn parse(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag == "zh" || tag.starts_with("zh-") || tag.starts_with("zh_") {
            Some(Lang::ZhCn)
        } else if tag == "en" || tag.starts_with("en-") || tag.starts_with("en_") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The best of our languages for an `Accept-Language` header, by q-value.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, usize, Lang)> = None;
        for (i, part) in header.split(',').enumerate() {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Lang::parse) else {
                continue;
            };
            let q = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            // Higher q wins; on a tie the earlier entry wins.
            if q > 0.0 && best.is_none_or(|(bq, _, _)| q > bq) {
                best = Some((q, i, lang));
            }
        }
        best.map(|(_, _, l)| l)
    }

    fn index(self) -> usize {
        match self {
            Lang::ZhCn => 0,
            Lang::En => 1,
        }
    }
}

/// The caller's language: the `lang` cookie, then `Accept-Language`, then the node's default.
pub fn lang_of(req: &Request<'_>) -> Lang {
    if let Some(l) = req
        .cookies()
        .get(LANG_COOKIE)
        .and_then(|c| Lang::parse(c.value()))
    {
        return l;
    }
    if let Some(l) = req
        .headers()
        .get_one("Accept-Language")
        .and_then(Lang::from_accept_language)
    {
        return l;
    }
    req.rocket()
        .state::<crate::App>()
        .and_then(|app| Lang::parse(&app.config().default_lang))
        .unwrap_or(Lang::ZhCn)
}

type Catalog = HashMap<String, String>;

fn catalogs() -> &'static [Catalog; 2] {
    static CATALOGS: OnceLock<[Catalog; 2]> = OnceLock::new();
    CATALOGS.get_or_init(|| Lang::ALL.map(|l| load(l).unwrap_or_default()))
}

/// A language's catalog: `i18n/LANG.toml` (shared words) and one `i18n/LANG/FEATURE.toml` per
/// feature, so features add their strings without editing one another's files.
fn load(lang: Lang) -> Result<Catalog, String> {
    let main = format!("i18n/{}.toml", lang.code());
    let dir = format!("i18n/{}/", lang.code());
    let mut files: Vec<String> = Assets::iter()
        .filter(|p| p.starts_with(&dir) && p.ends_with(".toml"))
        .map(|p| p.to_string())
        .collect();
    files.sort();
    files.insert(0, main);
    let mut out = Catalog::new();
    for path in files {
        let file = Assets::get(&path).ok_or_else(|| format!("{path} missing"))?;
        let text = std::str::from_utf8(&file.data).map_err(|e| e.to_string())?;
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| format!("{path}: {e}"))?;
        flatten("", &table, &mut out);
    }
    Ok(out)
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut Catalog) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let value = match v {
            toml::Value::Table(t) => {
                flatten(&key, t, out);
                continue;
            }
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        // Two files defining one key is a mistake the catalog test must see, not a silent win.
        if out.insert(key.clone(), value).is_some() {
            out.insert(format!("!duplicate.{key}"), String::new());
        }
    }
}

/// The message for `key` in `lang`, falling back to Chinese, then to the key itself (so a missing
/// entry is visible, never a crash).
pub fn t(lang: Lang, key: &str) -> &str {
    let cats = catalogs();
    cats[lang.index()]
        .get(key)
        .or_else(|| cats[0].get(key))
        .map_or(key, String::as_str)
}

/// The translator handed to templates.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        t(self.0, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogs_have_the_same_keys() {
        let [zh, en] = catalogs();
        assert!(!zh.is_empty());
        let dups: Vec<_> = zh
            .keys()
            .chain(en.keys())
            .filter(|k| k.starts_with('!'))
            .collect();
        assert!(dups.is_empty(), "keys defined twice: {dups:?}");
        let mut missing: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
        missing.extend(en.keys().filter(|k| !zh.contains_key(*k)));
        assert!(missing.is_empty(), "keys in one catalog only: {missing:?}");
        assert_eq!(t(Lang::ZhCn, "nav.workbench"), "工作台");
        assert_eq!(t(Lang::En, "nav.workbench"), "Workbench");
        assert_eq!(t(Lang::En, "no.such.key"), "no.such.key");
    }

    #[test]
    fn accept_language_is_read_by_quality() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("fr;q=1, zh-Hans-CN;q=0.9, en;q=0.5"),
            Some(Lang::ZhCn)
        );
        assert_eq!(
            Lang::from_accept_language("en;q=0.2,zh;q=0.7"),
            Some(Lang::ZhCn)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
        assert_eq!(Lang::from_accept_language("en;q=0"), None);
    }
}
