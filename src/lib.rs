//! squarely puts backend repositories on a production folder standard and keeps them there.
//!
//! The library is organised as rooms with one-way doors:
//! `commands` -> {`standard`, `detect`, `audit`, `report`, `scaffold`} -> {`fs`, `analyze`}.
//! Only `commands` prints or reads the environment; only `fs` reads or writes the disk; only
//! `standard` knows the YAML rule-set format.

pub mod analyze;
pub mod audit;
pub mod cli;
pub mod commands;
pub mod detect;
pub mod fs;
pub mod organize;
pub mod report;
pub mod scaffold;
pub mod standard;
