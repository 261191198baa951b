//! Report documents as typed values, and their renderers.
//!
//! A document is built once from the engine's results; Markdown and HTML are separate
//! renderers of it. HTML goes through templates with automatic escaping, so no text from the
//! store reaches a page unescaped. The sponsor report arrives with issue #6.

pub mod cards;
pub mod guideline;
mod markdown;
pub mod sponsor;
