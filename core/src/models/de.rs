//! Serde helpers shared by the models and timestamps.

use serde::de::{Deserializer, Error, Visitor};
use std::fmt;

/// Deserializes a JSON string and converts it with `convert`, borrowing the input when the
/// format allows, so decoding known enum values and timestamps does not allocate.
///
/// `expecting` completes "invalid type: ..., expected {expecting}" in type errors; an `Err`
/// from `convert` becomes a custom serde error with that message.
pub(crate) fn from_str_with<'de, D, T, F>(
    deserializer: D,
    expecting: &'static str,
    convert: F,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    F: FnOnce(&str) -> Result<T, String>,
{
    struct StrVisitor<F> {
        expecting: &'static str,
        convert: F,
    }

    impl<T, F> Visitor<'_> for StrVisitor<F>
    where
        F: FnOnce(&str) -> Result<T, String>,
    {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.expecting)
        }

        fn visit_str<E: Error>(self, value: &str) -> Result<T, E> {
            (self.convert)(value).map_err(E::custom)
        }
    }

    deserializer.deserialize_str(StrVisitor { expecting, convert })
}
