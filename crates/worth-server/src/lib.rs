//! The HTTP API and the web app served by `worth serve`.
//!
//! Nothing is here yet: the server arrives with issue #9.
