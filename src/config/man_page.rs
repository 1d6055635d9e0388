//! `guichet.toml(5)` documents every key of the config, and only those: the key list is read
//! from the raw structs themselves (see [`config_keys`]), so a key added to [`RawConfig`]
//! without a paragraph in `packaging/man/guichet.toml.5`, or a paragraph about a key that does
//! not exist, fails this test.

use std::collections::BTreeSet;

use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::raw::RawConfig;

/// `toml::Spanned` deserializes as a struct with this name; its fields are not keys.
const SPANNED: &str = "$__serde_spanned_private_Spanned";

/// Every key of the config as `section.key`, from the field names serde gives each struct.
fn config_keys() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    RawConfig::deserialize(Tracer {
        prefix: String::new(),
        keys: &mut keys,
    })
    .expect("the tracer walks the whole config");
    keys
}

/// A deserializer that answers every struct with all its fields, recording their names, and
/// every other value with the simplest value of its type (empty string, 0, empty list).
struct Tracer<'a> {
    prefix: String,
    keys: &'a mut BTreeSet<String>,
}

#[derive(Debug)]
struct TraceError(String);

impl std::fmt::Display for TraceError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for TraceError {}
impl de::Error for TraceError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        TraceError(msg.to_string())
    }
}

impl<'de> Deserializer<'de> for Tracer<'_> {
    type Error = TraceError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_str("")
    }
    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_bool(false)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_u64(0)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_u64(0)
    }
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_some(self)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_seq(de::value::SeqDeserializer::new(std::iter::empty::<u64>()))
    }
    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_map(de::value::MapDeserializer::new(std::iter::empty::<(
            String,
            String,
        )>()))
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, TraceError> {
        v.visit_enum(variants[0].into_deserializer())
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, TraceError> {
        if name != SPANNED {
            for field in fields {
                self.keys.insert(format!("{}{field}", self.prefix));
            }
        }
        v.visit_map(Fields {
            spanned: name == SPANNED,
            prefix: self.prefix,
            fields: fields.iter(),
            current: "",
            keys: self.keys,
        })
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct tuple tuple_struct identifier ignored_any
    }
}

/// The fields of one struct, each value traced under `prefix.field` (a `Spanned` value keeps
/// the prefix of the key it wraps).
struct Fields<'a> {
    spanned: bool,
    prefix: String,
    fields: std::slice::Iter<'static, &'static str>,
    current: &'static str,
    keys: &'a mut BTreeSet<String>,
}

impl<'de> MapAccess<'de> for Fields<'_> {
    type Error = TraceError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, TraceError> {
        let Some(field) = self.fields.next() else {
            return Ok(None);
        };
        self.current = field;
        seed.deserialize(de::value::BorrowedStrDeserializer::new(field))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, TraceError> {
        let prefix = if self.spanned {
            self.prefix.clone()
        } else {
            format!("{}{}.", self.prefix, self.current)
        };
        seed.deserialize(Tracer {
            prefix,
            keys: self.keys,
        })
    }
}

/// The keys the man page documents: `.SS [section]` opens a section, `.TP` then `.B key`
/// names a key of it (`.SS [policy.logout]` is the key `policy.logout`).
fn man_page_keys(page: &str) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let mut section = String::new();
    let mut after_tp = false;
    for line in page.lines() {
        if let Some(name) = line
            .strip_prefix(".SS [")
            .and_then(|rest| rest.strip_suffix(']'))
        {
            section = name.to_owned();
            keys.insert(name.to_owned());
        } else if after_tp {
            if let Some(key) = line.strip_prefix(".B ") {
                keys.insert(format!("{section}.{}", key.trim()));
            }
        }
        after_tp = line == ".TP";
    }
    keys
}

#[test]
fn the_man_page_documents_every_key_and_no_other() {
    let page = include_str!("../../packaging/man/guichet.toml.5");
    let config = config_keys();
    let documented = man_page_keys(page);
    let undocumented: Vec<_> = config.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&config).collect();
    assert!(
        undocumented.is_empty() && unknown.is_empty(),
        "packaging/man/guichet.toml.5 misses {undocumented:?} and documents keys the config \
         does not have: {unknown:?}"
    );
}

#[test]
fn the_key_list_comes_from_the_raw_structs() {
    let keys = config_keys();
    for key in [
        "terminal",
        "terminal.name",
        "session.idle_timeout_secs",
        "policy.logout",
        "stats.openmetrics_file",
        "printing.server",
    ] {
        assert!(keys.contains(key), "{key} missing from {keys:?}");
    }
}
