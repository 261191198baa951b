//! Report documents as typed values, and their HTML, XLSX, Markdown and JSON renderers.
//!
//! Nothing is here yet: the sponsor report arrives with issue #6.
