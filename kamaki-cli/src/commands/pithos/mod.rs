//! The Pithos command groups: `container`, `file`, `sharer`, `group` and
//! `scripts`.
//!
//! Where things are: [`common`] (account and container options, locations,
//! errors, object lines), [`container`], [`file`] (listing, information,
//! changes, delete), [`edit`] (publish, create, append, truncate,
//! overwrite: one object changed in place), [`copy`] (copy and move),
//! [`upload`] and [`download`] (transfers, `cat`) with [`transfer`] (bars,
//! Ctrl-C, content types) and [`tree`] (`-r`: whole trees in parallel),
//! [`sharing`] (`sharer` and `group`), [`scripts`] (`verifyfs`).

pub mod common;
pub mod container;
pub mod copy;
pub mod download;
pub mod edit;
pub mod file;
pub mod scripts;
pub mod sharing;
pub mod transfer;
pub mod tree;
pub mod upload;
