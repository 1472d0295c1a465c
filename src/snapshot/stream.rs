//! Reads the big snapshot files record by record, so that memory holds the records read so far
//! and one JSON value at a time, never the whole file as a `serde_json::Value` (a 270 MB
//! `list-secrets.json` of 200,000 secrets would take gigabytes as a tree).
//!
//! A file is either an object (one page or one output: its records are the array under the
//! reader's `RECORDS` key, streamed one by one; other keys are skipped) or an array (of pages or
//! outputs, each element read whole). A `PieceReader` receives each piece with its JSON path and
//! builds its result; `read_value` feeds it from a value already in memory, so both ways give
//! the same result.

use std::cell::RefCell;
use std::fmt;
use std::io::Read;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::json_path::{FieldError, JsonAt};
use super::problem::Reading;

/// One piece of a file: a page or output (an element of a root array, or the root object when
/// the reader has no `RECORDS` key), or one record of the root object's `RECORDS` array.
#[derive(Debug)]
pub(crate) enum Piece<'a> {
    Page(JsonAt<'a>),
    Record(JsonAt<'a>),
}

/// Builds a result from the pieces of one file.
pub(crate) trait PieceReader {
    type Output;
    /// The key of a root object whose array is streamed record by record (`SecretList`).
    const RECORDS: Option<&'static str>;
    /// Reads one piece; an error here is an error of the whole file.
    fn piece(&mut self, piece: Piece<'_>, reading: &mut Reading) -> Result<(), FieldError>;
    fn finish(self, reading: &mut Reading) -> Self::Output;
}

/// Feeds a value already in memory to `reader` (tests compare it with streaming).
#[cfg(test)]
pub(crate) fn read_value<R: PieceReader>(
    root: &JsonAt<'_>,
    reading: &mut Reading,
    mut reader: R,
) -> Result<R::Output, FieldError> {
    match root.value() {
        Value::Array(_) => {
            for page in root.items()? {
                reader.piece(Piece::Page(page), reading)?;
            }
        }
        Value::Object(_) => match R::RECORDS {
            None => reader.piece(Piece::Page(root.clone()), reading)?,
            Some(key) => {
                if let Some(list) = root.get(key)? {
                    for record in list.items()? {
                        reader.piece(Piece::Record(record), reading)?;
                    }
                }
            }
        },
        other => {
            return Err(root.error(format!(
                "expected an object or an array, found {}",
                super::json_path::kind(other)
            )));
        }
    }
    Ok(reader.finish(reading))
}

/// Why a streamed file could not be read at all.
#[derive(Debug)]
pub(crate) enum StreamError {
    /// Not JSON (or not readable).
    Json(serde_json::Error),
    /// JSON, but not the shape the AWS CLI prints.
    Content(FieldError),
}

/// Streams the JSON text of `input` to `reader`.
pub(crate) fn read_stream<R: PieceReader>(
    input: impl Read,
    reading: &mut Reading,
    reader: R,
) -> Result<R::Output, StreamError> {
    let state = RefCell::new(State {
        reader,
        reading,
        failure: None,
    });
    let mut deserializer = serde_json::Deserializer::from_reader(input);
    let parsed = Root { state: &state }
        .deserialize(&mut deserializer)
        .and_then(|()| deserializer.end());
    let state = state.into_inner();
    if let Some(failure) = state.failure {
        return Err(StreamError::Content(failure));
    }
    parsed.map_err(StreamError::Json)?;
    Ok(state.reader.finish(state.reading))
}

struct State<'r, R> {
    reader: R,
    reading: &'r mut Reading,
    failure: Option<FieldError>,
}

impl<R: PieceReader> State<'_, R> {
    fn feed<E: de::Error>(&mut self, piece: Piece<'_>) -> Result<(), E> {
        self.reader.piece(piece, self.reading).map_err(|error| {
            let message = error.to_string();
            self.failure = Some(error);
            E::custom(message)
        })
    }

    fn fail<E: de::Error>(&mut self, error: FieldError) -> E {
        let message = error.to_string();
        self.failure = Some(error);
        E::custom(message)
    }
}

struct Root<'s, 'r, R> {
    state: &'s RefCell<State<'r, R>>,
}

impl<'de, R: PieceReader> DeserializeSeed<'de> for Root<'_, '_, R> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, R: PieceReader> Visitor<'de> for Root<'_, '_, R> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object or an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        while let Some(page) = seq.next_element::<Value>()? {
            let at = JsonAt::at_path(&page, format!("[{index}]"));
            self.state.borrow_mut().feed(Piece::Page(at))?;
            index += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some(key) = R::RECORDS else {
            // One output: read it whole.
            let mut object = serde_json::Map::new();
            while let Some((name, value)) = map.next_entry::<String, Value>()? {
                object.insert(name, value);
            }
            let root = Value::Object(object);
            return self
                .state
                .borrow_mut()
                .feed(Piece::Page(JsonAt::root(&root)));
        };
        while let Some(name) = map.next_key::<String>()? {
            if name == key {
                map.next_value_seed(Records {
                    state: self.state,
                    key,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.not_a_container("a boolean"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.not_a_container("a number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.not_a_container("a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.not_a_container("a number"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.not_a_container("a string"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(self.not_a_container("null"))
    }
}

impl<R: PieceReader> Root<'_, '_, R> {
    fn not_a_container<E: de::Error>(&self, found: &str) -> E {
        self.state.borrow_mut().fail(FieldError::new(
            crate::json_error::JsonPath::root(),
            format!("expected an object or an array, found {found}"),
        ))
    }
}

/// The records array of a root object.
struct Records<'s, 'r, R> {
    state: &'s RefCell<State<'r, R>>,
    key: &'static str,
}

impl<'de, R: PieceReader> DeserializeSeed<'de> for Records<'_, '_, R> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, R: PieceReader> Visitor<'de> for Records<'_, '_, R> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        while let Some(record) = seq.next_element::<Value>()? {
            let at = JsonAt::at_path(&record, format!("{}[{index}]", self.key));
            self.state.borrow_mut().feed(Piece::Record(at))?;
            index += 1;
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        // `null` counts as absent, as everywhere in the loader.
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self.not_an_array("an object"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.not_an_array("a string"))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.not_an_array("a boolean"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.not_an_array("a number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.not_an_array("a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.not_an_array("a number"))
    }
}

impl<R: PieceReader> Records<'_, '_, R> {
    fn not_an_array<E: de::Error>(&self, found: &str) -> E {
        self.state.borrow_mut().fail(FieldError::new(
            crate::json_error::JsonPath::from_relative(self.key.to_owned()),
            format!("expected an array, found {found}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::cloudtrail::LookupEventsReader;
    use crate::snapshot::secrets::{
        DescribeSecretsReader, ListSecretsReader, ResourcePoliciesReader, SecretVersionsReader,
    };
    use chrono::{DateTime, Utc};

    const DEMO: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/snapshots/demo/us-east-1/"
    );

    fn both<R: PieceReader + Default>(file: &str, text: &str) -> (String, String)
    where
        R::Output: fmt::Debug,
    {
        let collected: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap_or_default();
        let run = |streamed: bool| {
            let mut reading = Reading::new(collected);
            let output = if streamed {
                read_stream(text.as_bytes(), &mut reading, R::default())
                    .map_err(|error| format!("{error:?}"))
            } else {
                let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
                read_value(&JsonAt::root(&value), &mut reading, R::default())
                    .map_err(|error| format!("{error:?}"))
            };
            Ok::<_, String>(format!("{output:?} {:?}", reading.skipped))
        };
        let (streamed, whole) = (run(true), run(false));
        assert!(streamed.is_ok() && whole.is_ok(), "{file}");
        (streamed.unwrap_or_default(), whole.unwrap_or_default())
    }

    /// Streaming and reading the whole tree give the same data and the same bad records, for
    /// every streamed file of the demo, for the same files wrapped as an array of pages, and
    /// for pages with bad records.
    #[test]
    fn streaming_reads_what_the_whole_tree_reads() {
        let read =
            |file: &str| std::fs::read_to_string(format!("{DEMO}{file}")).unwrap_or_default();
        let list = read("secretsmanager/list-secrets.json");
        let broken = list.replacen("\"ARN\"", "\"ARN\": 5, \"X\"", 1);
        for text in [list.clone(), format!("[{list}, {list}]"), broken] {
            let (a, b) = both::<ListSecretsReader>("list-secrets", &text);
            assert_eq!(a, b);
        }
        let (a, b) =
            both::<DescribeSecretsReader>("describe", &read("secretsmanager/describe-secret.json"));
        assert_eq!(a, b);
        let versions = read("secretsmanager/list-secret-version-ids.json");
        let (a, b) = both::<SecretVersionsReader>("versions", &versions);
        assert_eq!(a, b);
        let (a, b) = both::<ResourcePoliciesReader>(
            "policies",
            &read("secretsmanager/get-resource-policy.json"),
        );
        assert_eq!(a, b);
        let events = read("cloudtrail/lookup-events.json");
        let (a, b) = both::<LookupEventsReader>("events", &events);
        assert_eq!(a, b);
        assert!(a.contains("TrailEvent"), "{a}");
    }

    #[test]
    fn a_scalar_root_or_a_records_key_that_is_not_an_array_is_a_whole_file_error() {
        let collected = DateTime::<Utc>::MIN_UTC;
        for (text, path) in [("5", ""), ("{\"SecretList\": {}}", "SecretList")] {
            let mut reading = Reading::new(collected);
            match read_stream(text.as_bytes(), &mut reading, ListSecretsReader::default()) {
                Err(StreamError::Content(error)) => assert_eq!(error.path, path, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}
