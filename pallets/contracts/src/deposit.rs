//! Caller-paid storage deposits: the meter of one top-level call.
//!
//! Whatever a run stores (a contract's record at instantiation, the bytes and items its frames
//! write) is paid by the transaction's signer, the *origin*, as in pallet-contracts: the deposit
//! moves from the origin's free balance to the contract's account and is reserved there. Storage
//! a run frees is unreserved on the contract and paid back to that run's origin. The origin's
//! `storage_deposit_limit` bounds what the run may charge, net of what it refunds.
//!
//! The meter is [`ghost_support::deposit::DepositMeter`], the one helper every pallet takes
//! deposits through: the name host functions install it ([`ghost_support::deposit::with_meter`])
//! so the deposits the domains pallet takes for a contract (subnames, commitments) are paid by
//! the same origin under the same limit.
//!
//! One meter is shared by every frame of a call. A nested frame that fails is rolled back by its
//! storage transaction; `snapshot` and `restore` roll the meter back with it.

pub(crate) use ghost_support::deposit::{DepositMeter, SharedMeter};

use crate::StorageDeposit;

/// The net effect of `meter` on its origin.
pub(crate) fn net(meter: &DepositMeter) -> StorageDeposit {
    let (charged, refunded) = (meter.charged(), meter.refunded());
    if charged >= refunded {
        StorageDeposit::Charge(charged - refunded)
    } else {
        StorageDeposit::Refund(refunded - charged)
    }
}
