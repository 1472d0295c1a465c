//! ARN parsing. Placeholder: being written.
