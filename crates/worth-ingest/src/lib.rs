//! Streaming importers for the exports that low-code platforms produce.
//!
//! Each format gets its own module behind one importer trait (issue #4); nothing is here yet.
