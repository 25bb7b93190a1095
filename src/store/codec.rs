//! The value codec: `[version byte] ++ MessagePack with field names`. Field names make a record
//! written before a field was added still readable (`#[serde(default)]`), and unknown fields from
//! a newer writer are ignored. The redb type name is ours (`oanode:<kind>`), never a Rust path,
//! so that renaming a struct cannot make a table unreadable.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use redb::{TypeName, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// A type stored as a redb value.
pub trait Record: Serialize + DeserializeOwned + 'static {
    /// Stable name of the kind, part of the table's type identity: never change it.
    const KIND: &'static str;
    /// Bumped when a migration rewrites the records of this kind.
    const VERSION: u8 = 1;
}

/// The redb value type for records of `T`.
pub struct Stored<T>(PhantomData<fn() -> T>);

impl<T> fmt::Debug for Stored<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Stored")
    }
}

/// The encoded bytes of one `T`, decoded on demand so that a bad record is an error, not a panic.
pub struct Encoded<'a, T> {
    bytes: Cow<'a, [u8]>,
    _t: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for Encoded<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Encoded({} bytes)", self.bytes.len())
    }
}

impl<T: Record> Encoded<'static, T> {
    pub fn encode(value: &T) -> Result<Self> {
        let mut bytes = vec![T::VERSION];
        rmp_serde::encode::write_named(&mut bytes, value)
            .map_err(|e| Error::internal(format!("encode {}: {e}", T::KIND)))?;
        Ok(Encoded {
            bytes: Cow::Owned(bytes),
            _t: PhantomData,
        })
    }
}

impl<T: Record> Encoded<'_, T> {
    pub fn decode(&self) -> Result<T> {
        let (version, body) = self
            .bytes
            .split_first()
            .ok_or_else(|| Error::internal(format!("empty {} record", T::KIND)))?;
        if *version > T::VERSION {
            return Err(Error::internal(format!(
                "{} record has version {version}, newer than this binary's {}",
                T::KIND,
                T::VERSION
            )));
        }
        rmp_serde::from_slice(body).map_err(|e| Error::internal(format!("decode {}: {e}", T::KIND)))
    }

    pub fn version(&self) -> u8 {
        self.bytes.first().copied().unwrap_or(0)
    }
}

impl<T: Record> Value for Stored<T> {
    type SelfType<'a>
        = Encoded<'a, T>
    where
        Self: 'a;
    type AsBytes<'a>
        = &'a [u8]
    where
        Self: 'a;

    fn fixed_width() -> Option<usize> {
        None
    }

    fn from_bytes<'a>(data: &'a [u8]) -> Encoded<'a, T>
    where
        Self: 'a,
    {
        Encoded {
            bytes: Cow::Borrowed(data),
            _t: PhantomData,
        }
    }

    fn as_bytes<'a, 'b: 'a>(value: &'a Encoded<'b, T>) -> &'a [u8]
    where
        Self: 'b,
    {
        &value.bytes
    }

    fn type_name() -> TypeName {
        TypeName::new(&format!("oanode:{}", T::KIND))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct V1 {
        id: u64,
        name: String,
    }
    impl Record for V1 {
        const KIND: &'static str = "test.thing";
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct V2 {
        id: u64,
        name: String,
        #[serde(default)]
        mobile: Option<String>,
        #[serde(default = "default_order")]
        order: i64,
    }
    fn default_order() -> i64 {
        100
    }
    impl Record for V2 {
        const KIND: &'static str = "test.thing";
    }

    #[test]
    fn round_trip_keeps_every_field() {
        let v = V2 {
            id: 7,
            name: "张伟".into(),
            mobile: Some("13800000000".into()),
            order: 3,
        };
        let enc = Encoded::encode(&v).unwrap();
        assert_eq!(enc.version(), 1);
        assert_eq!(enc.decode().unwrap(), v);
    }

    #[test]
    fn record_written_before_a_field_was_added_still_reads() {
        let old = Encoded::encode(&V1 {
            id: 1,
            name: "李娜".into(),
        })
        .unwrap();
        let bytes = <Stored<V1> as Value>::as_bytes(&old).to_vec();
        let new: V2 = <Stored<V2> as Value>::from_bytes(&bytes).decode().unwrap();
        assert_eq!(
            new,
            V2 {
                id: 1,
                name: "李娜".into(),
                mobile: None,
                order: 100
            }
        );
    }

    #[test]
    fn record_from_a_newer_writer_with_extra_fields_reads_in_an_older_binary() {
        let newer = Encoded::encode(&V2 {
            id: 2,
            name: "王芳".into(),
            mobile: None,
            order: 1,
        })
        .unwrap();
        let bytes = <Stored<V2> as Value>::as_bytes(&newer).to_vec();
        let old: V1 = <Stored<V1> as Value>::from_bytes(&bytes).decode().unwrap();
        assert_eq!(
            old,
            V1 {
                id: 2,
                name: "王芳".into()
            }
        );
    }

    #[test]
    fn garbage_and_newer_versions_are_errors_not_panics() {
        assert!(<Stored<V1> as Value>::from_bytes(&[]).decode().is_err());
        assert!(
            <Stored<V1> as Value>::from_bytes(&[1, 0xc1, 0xff])
                .decode()
                .is_err()
        );
        let mut bytes = <Stored<V1> as Value>::as_bytes(
            &Encoded::encode(&V1 {
                id: 1,
                name: "x".into(),
            })
            .unwrap(),
        )
        .to_vec();
        bytes[0] = 9;
        assert!(<Stored<V1> as Value>::from_bytes(&bytes).decode().is_err());
    }

    #[test]
    fn type_name_is_stable_and_ours() {
        assert_eq!(
            <Stored<V1> as Value>::type_name(),
            TypeName::new("oanode:test.thing")
        );
    }
}
