//! Key helpers shared by the features' index tables: reverse time (newest first in a forward
//! range scan) and opaque pagination cursors.

/// Newest-first ordering for a time in UTC milliseconds inside an ascending key.
pub fn rev_time(ms: i64) -> u64 {
    u64::MAX - (ms.max(0) as u64)
}

pub fn from_rev_time(k: u64) -> i64 {
    (u64::MAX - k) as i64
}

/// One page of `(rev time, id)` from an `(owner, rev time, id)` index (an owner's list, newest
/// first), after the cursor.
pub fn owner_page(
    t: &impl redb::ReadableTable<(u64, u64, u64), ()>,
    owner: u64,
    after: Option<(u64, u64)>,
    limit: usize,
) -> crate::error::Result<Vec<(u64, u64)>> {
    let start = match after {
        Some((rev, id)) => (owner, rev, id.saturating_add(1)),
        None => (owner, 0, 0),
    };
    let mut out = Vec::new();
    for row in t.range(start..=(owner, u64::MAX, u64::MAX))? {
        let (_, rev, id) = row?.0.value();
        out.push((rev, id));
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

/// Encodes the last key of a page as an opaque cursor (`next_cursor` in list answers).
pub fn encode_cursor(parts: &[u64]) -> String {
    parts
        .iter()
        .map(|p| format!("{p:x}"))
        .collect::<Vec<_>>()
        .join(".")
}

/// Decodes a cursor made by [`encode_cursor`] with exactly `n` parts; `None` when malformed.
pub fn decode_cursor(s: &str, n: usize) -> Option<Vec<u64>> {
    let parts: Option<Vec<u64>> = s
        .split('.')
        .map(|p| u64::from_str_radix(p, 16).ok())
        .collect();
    parts.filter(|p| p.len() == n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rev_time_orders_newest_first() {
        assert!(rev_time(2_000) < rev_time(1_000));
        assert_eq!(
            from_rev_time(rev_time(1_764_000_000_000)),
            1_764_000_000_000
        );
    }

    #[test]
    fn cursor_round_trips_and_refuses_garbage() {
        let c = encode_cursor(&[7, u64::MAX, 0]);
        assert_eq!(decode_cursor(&c, 3), Some(vec![7, u64::MAX, 0]));
        assert_eq!(decode_cursor(&c, 2), None);
        assert_eq!(decode_cursor("zz.1", 2), None);
        assert_eq!(decode_cursor("", 1), None);
    }
}
