//! Timestamp parsing and formatting.
