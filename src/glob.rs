//! Segment-aware `*`/`?` matching. Placeholder: being written.
