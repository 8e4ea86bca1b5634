//! Communication identifiers.
