//! Caller-paid storage deposits: the [`DepositMeter`] of one top-level call.
//!
//! Whatever a run stores (a contract's record at instantiation, the bytes and items its frames
//! write) is paid by the transaction's signer, the *origin*, as in pallet-contracts: the deposit
//! moves from the origin's free balance to the contract's account and is reserved there. Storage
//! a run frees is unreserved on the contract and paid back to that run's origin. The origin's
//! `storage_deposit_limit` bounds what the run may charge, net of what it refunds.
//!
//! One meter is shared by every frame of a call. A nested frame that fails is rolled back by its
//! storage transaction; [`DepositMeter::snapshot`] and [`DepositMeter::restore`] roll the meter
//! back with it.

use std::cell::RefCell;
use std::rc::Rc;

use ghost_primitives::{AccountId, Balance};
use ghost_support::traits::Currency;
use ghost_support::transactional;

use crate::{Config, ReturnCode, StorageDeposit};

/// The meter of one top-level call, shared by its frames.
pub(crate) type SharedMeter = Rc<RefCell<DepositMeter>>;

/// Counts the storage deposits one top-level call charges and refunds its origin.
#[derive(Clone, Debug)]
pub(crate) struct DepositMeter {
    origin: AccountId,
    limit: Option<Balance>,
    charged: Balance,
    refunded: Balance,
    limit_hit: bool,
}

/// The counters of a meter, to roll a failed frame back.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Snapshot {
    charged: Balance,
    refunded: Balance,
}

impl DepositMeter {
    /// A meter charging `origin` at most `limit` net (`None`: up to its free balance).
    pub(crate) fn new(origin: AccountId, limit: Option<Balance>) -> Self {
        DepositMeter {
            origin,
            limit,
            charged: 0,
            refunded: 0,
            limit_hit: false,
        }
    }

    /// A new shared meter.
    pub(crate) fn shared(origin: AccountId, limit: Option<Balance>) -> SharedMeter {
        Rc::new(RefCell::new(Self::new(origin, limit)))
    }

    /// Moves `amount` from the origin to `contract` and reserves it there. Refused with
    /// `StorageDepositNotCovered` (nothing moved) when it would take the net charge past the
    /// limit or the origin cannot pay it.
    pub(crate) fn charge<T: Config>(
        &mut self,
        contract: &AccountId,
        amount: Balance,
    ) -> Result<(), ReturnCode> {
        if amount == 0 {
            return Ok(());
        }
        let charged = self.charged.saturating_add(amount);
        if let Some(limit) = self.limit
            && charged.saturating_sub(self.refunded) > limit
        {
            self.limit_hit = true;
            return Err(ReturnCode::StorageDepositNotCovered);
        }
        let origin = self.origin;
        transactional(|| {
            if origin != *contract {
                T::Currency::transfer(&origin, contract, amount)?;
            }
            T::Currency::reserve(contract, amount)
        })
        .map_err(|_| ReturnCode::StorageDepositNotCovered)?;
        self.charged = charged;
        Ok(())
    }

    /// Unreserves up to `amount` on `contract` and pays it to the origin. If the origin cannot
    /// receive it (it would stay below the existential deposit), it stays free on the contract.
    pub(crate) fn refund<T: Config>(&mut self, contract: &AccountId, amount: Balance) {
        let freed = T::Currency::unreserve(contract, amount);
        if freed == 0 || self.origin == *contract {
            return;
        }
        let origin = self.origin;
        if transactional(|| T::Currency::transfer(contract, &origin, freed)).is_ok() {
            self.refunded = self.refunded.saturating_add(freed);
        }
    }

    /// The counters now.
    pub(crate) fn snapshot(&self) -> Snapshot {
        Snapshot {
            charged: self.charged,
            refunded: self.refunded,
        }
    }

    /// Back to `snapshot` (its frame's writes were rolled back). Whether the limit was hit
    /// stays known.
    pub(crate) fn restore(&mut self, snapshot: Snapshot) {
        self.charged = snapshot.charged;
        self.refunded = snapshot.refunded;
    }

    /// Whether a charge was refused for the limit.
    pub(crate) fn limit_hit(&self) -> bool {
        self.limit_hit
    }

    /// The net effect on the origin.
    pub(crate) fn net(&self) -> StorageDeposit {
        if self.charged >= self.refunded {
            StorageDeposit::Charge(self.charged - self.refunded)
        } else {
            StorageDeposit::Refund(self.refunded - self.charged)
        }
    }
}
