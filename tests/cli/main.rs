//! squarely's one integration test binary: the command line, end to end, on fixture trees.
//!
//! Each module covers one verb or concern; `support` holds the shared helpers.

mod action;
mod audit;
mod bad_input;
mod baseline;
mod completions;
mod config;
mod detection;
mod formats;
#[cfg(unix)]
mod hostile;
#[cfg(unix)]
mod install;
mod loaders_fuzz;
mod organize;
mod real;
mod rule_sets;
mod scaffold;
mod standards;
mod support;
mod workspace;
