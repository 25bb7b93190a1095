//! Small helpers for services that check input field by field: each refusal goes into the
//! `FieldErrors` under the field's name, and checking goes on, so a form shows every mistake at
//! once.

use chrono::NaiveDate;

use crate::error::FieldErrors;

/// The value trimmed; `error.too_long` when it has more than `max` characters.
pub fn text(fields: &mut FieldErrors, name: &str, v: &str, max: usize) -> String {
    let v = v.trim();
    if v.chars().count() > max {
        fields.insert(name.into(), "error.too_long".into());
    }
    v.to_string()
}

/// A `YYYY-MM-DD` day, `None` for an empty value; `error.date` when it is not one.
pub fn date(fields: &mut FieldErrors, name: &str, v: &str) -> Option<NaiveDate> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| fields.insert(name.into(), "error.date".into()))
        .ok()
}

/// The ids in their first order, each once.
pub fn dedup(ids: &[u64]) -> Vec<u64> {
    let mut out: Vec<u64> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_helper_refuses_by_field_and_keeps_order() {
        let mut f = FieldErrors::new();
        assert_eq!(text(&mut f, "title", "  通知 ", 5), "通知");
        assert!(f.is_empty());
        text(&mut f, "title", "一二三四五六", 5);
        assert_eq!(f.get("title").map(String::as_str), Some("error.too_long"));
        assert_eq!(date(&mut f, "d", ""), None);
        assert_eq!(
            date(&mut f, "d", "2026-11-30"),
            NaiveDate::from_ymd_opt(2026, 11, 30)
        );
        assert_eq!(date(&mut f, "when", "30/11/2026"), None);
        assert_eq!(f.get("when").map(String::as_str), Some("error.date"));
        assert_eq!(dedup(&[3, 1, 3, 2, 1]), vec![3, 1, 2]);
    }
}
