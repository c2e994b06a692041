//! Hooks a pallet may run at the start and end of every block.

use ghost_primitives::BlockNumber;

use crate::weights::Weight;

/// Per-block hooks, called by the executive in pallet order.
pub trait Hooks {
    /// Runs before any extrinsic of block `n`; returns the weight it used.
    fn on_initialize(_n: BlockNumber) -> Weight {
        Weight::ZERO
    }

    /// Runs after the last extrinsic of block `n` (e.g. an expiry sweep). Its weight must have
    /// been reserved by `on_initialize`.
    fn on_finalize(_n: BlockNumber) {}

    /// Checks the pallet's constants are sane; called by runtime tests.
    fn integrity_test() {}
}
