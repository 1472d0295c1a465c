//! Condition operators: their names, their families, and the parsing of a condition's values
//! into the typed form its operator compares with.

use base64::Engine as _;
use serde_json::Value;

use super::scalar::{self, IpNet, Timestamp};
use super::template::Template;
use super::{BaseOperator, Condition, Operator, PolicyError, SetQualifier};

/// The hash of a lower-cased context key, as conditions, policy variables and contexts store it
/// (FNV-1a folded to 32 bits): a lookup compares these before it compares names.
pub(crate) const fn key_hash(lower: &[u8]) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < lower.len() {
        hash = (hash ^ lower[i] as u64).wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    #[expect(clippy::cast_possible_truncation, reason = "folding 64 bits into 32")]
    let folded = (hash ^ (hash >> 32)) as u32;
    folded
}

/// A context key compiled for lookups: lower-cased, with its [`key_hash`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct KeyName {
    hash: u32,
    lower: Box<str>,
}

impl KeyName {
    /// Compiles a key written in any case.
    pub(crate) fn new(key: &str) -> KeyName {
        let lower = key.to_ascii_lowercase();
        KeyName {
            hash: key_hash(lower.as_bytes()),
            lower: lower.into(),
        }
    }

    /// The lower-cased key.
    pub(crate) fn lower(&self) -> &str {
        &self.lower
    }

    /// Its [`key_hash`].
    pub(crate) fn hash(&self) -> u32 {
        self.hash
    }
}

/// A condition's values, parsed for its operator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ValueTest {
    /// `String*` values; lower-cased for the `IgnoreCase` operators.
    Strings(Vec<Template>),
    /// `Numeric*` values.
    Numbers(Vec<f64>),
    /// `Date*` values.
    Dates(Vec<Timestamp>),
    /// `Bool` values.
    Bools(Vec<bool>),
    /// `BinaryEquals` values, decoded from base64.
    Binary(Vec<Vec<u8>>),
    /// `IpAddress` / `NotIpAddress` networks.
    Ips(Vec<IpNet>),
    /// `Arn*` patterns.
    Arns(Vec<Template>),
    /// `Null`: `true` = the key must be absent.
    Null(Vec<bool>),
}

const BASE_OPERATORS: [(BaseOperator, &str); 27] = [
    (BaseOperator::StringEquals, "StringEquals"),
    (BaseOperator::StringNotEquals, "StringNotEquals"),
    (
        BaseOperator::StringEqualsIgnoreCase,
        "StringEqualsIgnoreCase",
    ),
    (
        BaseOperator::StringNotEqualsIgnoreCase,
        "StringNotEqualsIgnoreCase",
    ),
    (BaseOperator::StringLike, "StringLike"),
    (BaseOperator::StringNotLike, "StringNotLike"),
    (BaseOperator::NumericEquals, "NumericEquals"),
    (BaseOperator::NumericNotEquals, "NumericNotEquals"),
    (BaseOperator::NumericLessThan, "NumericLessThan"),
    (BaseOperator::NumericLessThanEquals, "NumericLessThanEquals"),
    (BaseOperator::NumericGreaterThan, "NumericGreaterThan"),
    (
        BaseOperator::NumericGreaterThanEquals,
        "NumericGreaterThanEquals",
    ),
    (BaseOperator::DateEquals, "DateEquals"),
    (BaseOperator::DateNotEquals, "DateNotEquals"),
    (BaseOperator::DateLessThan, "DateLessThan"),
    (BaseOperator::DateLessThanEquals, "DateLessThanEquals"),
    (BaseOperator::DateGreaterThan, "DateGreaterThan"),
    (BaseOperator::DateGreaterThanEquals, "DateGreaterThanEquals"),
    (BaseOperator::Bool, "Bool"),
    (BaseOperator::BinaryEquals, "BinaryEquals"),
    (BaseOperator::IpAddress, "IpAddress"),
    (BaseOperator::NotIpAddress, "NotIpAddress"),
    (BaseOperator::ArnEquals, "ArnEquals"),
    (BaseOperator::ArnNotEquals, "ArnNotEquals"),
    (BaseOperator::ArnLike, "ArnLike"),
    (BaseOperator::ArnNotLike, "ArnNotLike"),
    (BaseOperator::Null, "Null"),
];

impl BaseOperator {
    /// The IAM name (`StringNotLike`).
    pub fn name(self) -> &'static str {
        BASE_OPERATORS
            .iter()
            .find(|(op, _)| *op == self)
            .map_or("", |(_, name)| name)
    }

    /// Parses an IAM base operator name (case-sensitive).
    pub fn from_name(name: &str) -> Option<BaseOperator> {
        BASE_OPERATORS
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(op, _)| *op)
    }

    /// The negated operators: a missing key makes them true, several values act as NOR.
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            BaseOperator::StringNotEquals
                | BaseOperator::StringNotEqualsIgnoreCase
                | BaseOperator::StringNotLike
                | BaseOperator::NumericNotEquals
                | BaseOperator::DateNotEquals
                | BaseOperator::NotIpAddress
                | BaseOperator::ArnNotEquals
                | BaseOperator::ArnNotLike
        )
    }

    /// Whether policy variables are substituted in this operator's values.
    pub fn takes_variables(self) -> bool {
        matches!(
            self,
            BaseOperator::StringEquals
                | BaseOperator::StringNotEquals
                | BaseOperator::StringEqualsIgnoreCase
                | BaseOperator::StringNotEqualsIgnoreCase
                | BaseOperator::StringLike
                | BaseOperator::StringNotLike
                | BaseOperator::ArnEquals
                | BaseOperator::ArnNotEquals
                | BaseOperator::ArnLike
                | BaseOperator::ArnNotLike
        )
    }
}

impl Operator {
    /// Parses `[ForAnyValue:|ForAllValues:]Base[IfExists]`; `Null` takes neither addition.
    pub fn parse(name: &str) -> Option<Operator> {
        let (set, rest) = if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else {
            (None, name)
        };
        let (base, if_exists) = match BaseOperator::from_name(rest) {
            Some(base) => (base, false),
            None => (
                BaseOperator::from_name(rest.strip_suffix("IfExists")?)?,
                true,
            ),
        };
        if base == BaseOperator::Null && (if_exists || set.is_some()) {
            return None;
        }
        Some(Operator {
            set,
            base,
            if_exists,
        })
    }
}

impl std::fmt::Display for Operator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.set {
            Some(SetQualifier::ForAnyValue) => f.write_str("ForAnyValue:")?,
            Some(SetQualifier::ForAllValues) => f.write_str("ForAllValues:")?,
            None => {}
        }
        f.write_str(self.base.name())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

/// Builds one condition from its operator, key and JSON value (a scalar or an array).
pub(crate) fn condition(
    operator: Operator,
    key: &str,
    value: &Value,
    variables: bool,
    path: &str,
) -> Result<Condition, PolicyError> {
    let mut texts = Vec::new();
    match value {
        Value::Array(items) => {
            if items.is_empty() {
                return Err(PolicyError::new(path, "expected at least one value"));
            }
            for (i, item) in items.iter().enumerate() {
                texts.push(scalar_text(item, &format!("{path}[{i}]"))?);
            }
        }
        other => texts.push(scalar_text(other, path)?),
    }
    let value_path = |i: usize| match value {
        Value::Array(_) => format!("{path}[{i}]"),
        _ => path.to_owned(),
    };
    let variables = variables && operator.base.takes_variables();
    let test = match operator.base {
        BaseOperator::StringEquals
        | BaseOperator::StringNotEquals
        | BaseOperator::StringLike
        | BaseOperator::StringNotLike => ValueTest::Strings(
            texts
                .iter()
                .map(|t| Template::parse(t, variables))
                .collect(),
        ),
        BaseOperator::StringEqualsIgnoreCase | BaseOperator::StringNotEqualsIgnoreCase => {
            ValueTest::Strings(
                texts
                    .iter()
                    .map(|t| Template::parse(t, variables).lowercased())
                    .collect(),
            )
        }
        BaseOperator::ArnEquals
        | BaseOperator::ArnNotEquals
        | BaseOperator::ArnLike
        | BaseOperator::ArnNotLike => ValueTest::Arns(
            texts
                .iter()
                .map(|t| Template::parse(t, variables))
                .collect(),
        ),
        BaseOperator::NumericEquals
        | BaseOperator::NumericNotEquals
        | BaseOperator::NumericLessThan
        | BaseOperator::NumericLessThanEquals
        | BaseOperator::NumericGreaterThan
        | BaseOperator::NumericGreaterThanEquals => ValueTest::Numbers(parse_each(
            &texts,
            &value_path,
            scalar::parse_number,
            "expected a number",
        )?),
        BaseOperator::DateEquals
        | BaseOperator::DateNotEquals
        | BaseOperator::DateLessThan
        | BaseOperator::DateLessThanEquals
        | BaseOperator::DateGreaterThan
        | BaseOperator::DateGreaterThanEquals => ValueTest::Dates(parse_each(
            &texts,
            &value_path,
            scalar::parse_date,
            "expected an ISO 8601 date or epoch seconds",
        )?),
        BaseOperator::Bool => ValueTest::Bools(parse_each(
            &texts,
            &value_path,
            scalar::parse_bool,
            "expected `true` or `false`",
        )?),
        BaseOperator::Null => ValueTest::Null(parse_each(
            &texts,
            &value_path,
            scalar::parse_bool,
            "expected `true` or `false`",
        )?),
        BaseOperator::BinaryEquals => ValueTest::Binary(parse_each(
            &texts,
            &value_path,
            |t| base64::engine::general_purpose::STANDARD.decode(t).ok(),
            "expected base64",
        )?),
        BaseOperator::IpAddress | BaseOperator::NotIpAddress => ValueTest::Ips(parse_each(
            &texts,
            &value_path,
            scalar::parse_ip_net,
            "expected an ip address or cidr block",
        )?),
    };
    Ok(Condition {
        operator,
        key: key.to_owned(),
        values: texts,
        key_name: KeyName::new(key),
        test,
    })
}

fn parse_each<T>(
    texts: &[String],
    value_path: &impl Fn(usize) -> String,
    parse: impl Fn(&str) -> Option<T>,
    expected: &str,
) -> Result<Vec<T>, PolicyError> {
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            parse(text).ok_or_else(|| {
                PolicyError::new(value_path(i), format!("{expected}, found `{text}`"))
            })
        })
        .collect()
}

fn scalar_text(value: &Value, path: &str) -> Result<String, PolicyError> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Err(PolicyError::new(
            path,
            "expected a string, number or boolean, found null",
        )),
        Value::Array(_) => Err(PolicyError::new(
            path,
            "expected a string, number or boolean, found an array",
        )),
        Value::Object(_) => Err(PolicyError::new(
            path,
            "expected a string, number or boolean, found an object",
        )),
    }
}
