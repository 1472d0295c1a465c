//! The case-file format and runner behind `secaudit test`. Placeholder: being written.
