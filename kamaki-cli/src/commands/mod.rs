//! The command groups.

pub mod common;
pub mod config_cmd;
pub mod cyclades;
pub mod history;
pub mod image;
pub mod membership;
pub mod pithos;
pub mod project;
pub mod quota;
pub mod service;
pub mod user;
