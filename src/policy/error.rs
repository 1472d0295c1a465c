//! The error type of policy parsing: the one JSON error (`json_error`), a JSON path inside the
//! document (`$.Statement[1].Condition.StringLikee`) and a one-line message.

pub use crate::json_error::JsonError as PolicyError;
