//! Placeholder: being written.

pub mod schedule;
