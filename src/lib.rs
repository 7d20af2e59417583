//! squarely puts backend repositories on a production folder standard and keeps them there.
//!
//! The library is organised as rooms with one-way doors:
//! `commands` -> {`config`, `standard`, `detect`, `audit`, `report`, `scaffold`} -> {`fs`, `analyze`}
//! (`config` builds on `standard` and hands the audit its waivers).
//! Only `commands` prints or reads the environment; only `fs` reads or writes the disk; only
//! `standard` knows the YAML rule-set format (`config` parses through it).

pub mod analyze;
pub mod audit;
pub mod cli;
pub mod commands;
pub mod config;
pub mod detect;
pub mod fs;
pub mod organize;
pub mod report;
pub mod scaffold;
pub mod standard;
pub mod text;
