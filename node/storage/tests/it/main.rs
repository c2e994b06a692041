//! Integration tests of `ghost-storage` against a real RocksDB in temporary directories.

mod common;
mod commits;
mod crash;
mod finality;
mod reorg;
