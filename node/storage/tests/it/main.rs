//! Integration tests of `ghost-storage` against a real RocksDB in temporary directories.

mod bulk;
mod commits;
mod common;
mod crash;
mod finality;
mod forks;
mod pruning;
mod reorg;
