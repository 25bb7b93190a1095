//! The facet collectors: matching items counted per kind and per date bucket, in the same pass
//! as the hits.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::schema::Field;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::query::DateBucket;

/// Counts matching documents per `kind` (a fast string field): per segment by term ordinal,
/// turned into names once per segment.
pub(super) struct KindCounts(pub Field);

pub(super) struct SegmentKindCounts {
    column: Option<StrColumn>,
    counts: Vec<u64>,
}

impl Collector for KindCounts {
    type Fruit = BTreeMap<String, u64>;
    type Child = SegmentKindCounts;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentKindCounts> {
        let name = segment.schema().get_field_name(self.0).to_string();
        let column = segment.fast_fields().str(&name)?;
        let counts = vec![0; column.as_ref().map_or(0, |c| c.num_terms())];
        Ok(SegmentKindCounts { column, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<BTreeMap<String, u64>>,
    ) -> tantivy::Result<BTreeMap<String, u64>> {
        let mut all = BTreeMap::new();
        for fruit in fruits {
            for (kind, n) in fruit {
                *all.entry(kind).or_insert(0) += n;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentKindCounts {
    type Fruit = BTreeMap<String, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(column) = &self.column
            && let Some(ord) = column.ords().first(doc)
            && let Some(n) = self.counts.get_mut(ord as usize)
        {
            *n += 1;
        }
    }

    fn harvest(self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        let Some(column) = self.column else {
            return out;
        };
        let mut name = String::new();
        for (ord, n) in self.counts.into_iter().enumerate() {
            if n > 0 && column.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                out.insert(name.clone(), n);
            }
        }
        out
    }
}

/// Counts matching documents per date bucket (a document may fall in several), by the `time`
/// fast field.
#[derive(Clone)]
pub(super) struct DateCounts {
    pub field: Field,
    pub buckets: Vec<DateBucket>,
}

pub(super) struct SegmentDateCounts {
    column: tantivy::columnar::Column<i64>,
    buckets: Vec<DateBucket>,
    counts: Vec<u64>,
}

impl Collector for DateCounts {
    type Fruit = Vec<u64>;
    type Child = SegmentDateCounts;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentDateCounts> {
        let name = segment.schema().get_field_name(self.field).to_string();
        Ok(SegmentDateCounts {
            column: segment.fast_fields().i64(&name)?,
            buckets: self.buckets.clone(),
            counts: vec![0; self.buckets.len()],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<u64>>) -> tantivy::Result<Vec<u64>> {
        let mut all = vec![0; self.buckets.len()];
        for fruit in fruits {
            for (a, n) in all.iter_mut().zip(fruit) {
                *a += n;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentDateCounts {
    type Fruit = Vec<u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(t) = self.column.first(doc) {
            for (b, n) in self.buckets.iter().zip(self.counts.iter_mut()) {
                if b.contains(t) {
                    *n += 1;
                }
            }
        }
    }

    fn harvest(self) -> Vec<u64> {
        self.counts
    }
}
