//! Storage deposits, one helper for every pallet that lets an account create state: the
//! transaction's signer pays, also when a contract acts for it.
//!
//! # Model
//! State costs a deposit sized from the bytes it stores, reserved while it exists and returned
//! when it goes (as FRAME's `Currency::reserve` deposits and pallet-contracts' storage deposits).
//! A [`DepositMeter`] counts what one top-level transaction charges its signer (the *origin*)
//! and refunds it, and enforces the signer's `storage_deposit_limit` on the net charge.
//!
//! - The contracts pallet creates a meter per top-level call and charges contract storage to it,
//!   the deposit moving from the origin to the contract's account and reserved there.
//! - Any other pallet takes its deposits with [`reserve_deposit`]: with a meter installed
//!   ([`with_meter`], which the contracts pallet does around the host functions that reach
//!   other pallets) the *meter's origin* pays, within its limit, and the deposit is reserved on
//!   the origin's own account; with none, the signed account of the call pays. The pallet
//!   records who paid and gives it back with [`release_deposit`].
//!
//! So a contract registering a subname for its caller never pays for it itself, and never makes
//! the caller pay past the limit the caller signed.

use std::cell::RefCell;
use std::rc::Rc;

use ghost_primitives::{AccountId, Balance};

use crate::ext::transactional;
use crate::traits::Currency;

/// Why a deposit could not be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DepositError {
    /// It would take the net charge of the transaction past its `storage_deposit_limit`.
    #[error("the storage deposit limit is exhausted")]
    LimitExhausted,
    /// The payer's free balance does not cover it.
    #[error("the payer cannot cover the storage deposit")]
    CannotPay,
}

/// A meter shared by every frame of one top-level call.
pub type SharedMeter = Rc<RefCell<DepositMeter>>;

/// Counts the storage deposits one top-level call charges its origin and refunds it.
#[derive(Clone, Debug)]
pub struct DepositMeter {
    origin: AccountId,
    limit: Option<Balance>,
    charged: Balance,
    refunded: Balance,
    limit_hit: bool,
}

/// The counters of a meter, to roll back with a frame whose writes were rolled back.
#[derive(Clone, Copy, Debug)]
pub struct Snapshot {
    charged: Balance,
    refunded: Balance,
}

impl DepositMeter {
    /// A meter charging `origin` at most `limit` net (`None`: up to its free balance).
    pub fn new(origin: AccountId, limit: Option<Balance>) -> Self {
        DepositMeter {
            origin,
            limit,
            charged: 0,
            refunded: 0,
            limit_hit: false,
        }
    }

    /// A new shared meter.
    pub fn shared(origin: AccountId, limit: Option<Balance>) -> SharedMeter {
        Rc::new(RefCell::new(Self::new(origin, limit)))
    }

    /// Who pays: the transaction's signer.
    pub fn origin(&self) -> AccountId {
        self.origin
    }

    /// Moves `amount` from the origin to `holder` (nothing moves when the origin is the holder)
    /// and reserves it there. Refused, with nothing moved, when it would take the net charge
    /// past the limit ([`DepositError::LimitExhausted`]) or the origin cannot pay it.
    pub fn charge<C: Currency>(
        &mut self,
        holder: &AccountId,
        amount: Balance,
    ) -> Result<(), DepositError> {
        if amount == 0 {
            return Ok(());
        }
        let charged = self.charged.saturating_add(amount);
        if let Some(limit) = self.limit
            && charged.saturating_sub(self.refunded) > limit
        {
            self.limit_hit = true;
            return Err(DepositError::LimitExhausted);
        }
        let origin = self.origin;
        transactional(|| {
            if origin != *holder {
                C::transfer(&origin, holder, amount)?;
            }
            C::reserve(holder, amount)
        })
        .map_err(|_| DepositError::CannotPay)?;
        self.charged = charged;
        Ok(())
    }

    /// Unreserves up to `amount` on `holder` and pays it to the origin. If the origin cannot
    /// receive it (it would stay below the existential deposit), it stays free on the holder.
    pub fn refund<C: Currency>(&mut self, holder: &AccountId, amount: Balance) {
        let freed = C::unreserve(holder, amount);
        if freed == 0 {
            return;
        }
        if self.origin == *holder {
            self.refunded = self.refunded.saturating_add(freed);
            return;
        }
        let origin = self.origin;
        if transactional(|| C::transfer(holder, &origin, freed)).is_ok() {
            self.refunded = self.refunded.saturating_add(freed);
        }
    }

    /// Counts `amount` the origin got back outside the meter (a deposit it had paid earlier,
    /// released on its own account).
    fn note_refund(&mut self, amount: Balance) {
        self.refunded = self.refunded.saturating_add(amount);
    }

    /// The counters now.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            charged: self.charged,
            refunded: self.refunded,
        }
    }

    /// Back to `snapshot` (its frame's writes were rolled back). Whether the limit was hit
    /// stays known.
    pub fn restore(&mut self, snapshot: Snapshot) {
        self.charged = snapshot.charged;
        self.refunded = snapshot.refunded;
    }

    /// Whether a charge was refused for the limit.
    pub fn limit_hit(&self) -> bool {
        self.limit_hit
    }

    /// Everything charged so far.
    pub fn charged(&self) -> Balance {
        self.charged
    }

    /// Everything refunded so far.
    pub fn refunded(&self) -> Balance {
        self.refunded
    }
}

thread_local! {
    /// The meter of the contract call whose host function is running, if any.
    static CURRENT: RefCell<Option<SharedMeter>> = const { RefCell::new(None) };
}

/// Runs `f` with `meter` as the current meter: deposits [`reserve_deposit`] takes in `f` are
/// paid by the meter's origin within its limit. The previous meter (if any) is back afterwards,
/// also if `f` panics.
pub fn with_meter<R>(meter: SharedMeter, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<SharedMeter>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|current| *current.borrow_mut() = previous);
        }
    }
    let previous = CURRENT.with(|current| current.borrow_mut().replace(meter));
    let _restore = Restore(previous);
    f()
}

fn current() -> Option<SharedMeter> {
    CURRENT.with(|current| current.borrow().clone())
}

/// Who [`reserve_deposit`] would charge for state `signer` creates now: the current meter's
/// origin when a contract call is running, `signer` otherwise.
pub fn payer_for(signer: &AccountId) -> AccountId {
    current().map_or(*signer, |meter| meter.borrow().origin())
}

/// Reserves a deposit of `amount` for state that `signer` (the call's signed origin) creates,
/// and returns who paid it, to record beside the state for [`release_deposit`]. The payer is the
/// current meter's origin when a contract call is running ([`with_meter`]), `signer` otherwise.
/// Either way the deposit is reserved on the payer's own account.
pub fn reserve_deposit<C: Currency>(
    signer: &AccountId,
    amount: Balance,
) -> Result<AccountId, DepositError> {
    match current() {
        Some(meter) => {
            let mut meter = meter.borrow_mut();
            let payer = meter.origin();
            meter.charge::<C>(&payer, amount)?;
            Ok(payer)
        }
        None => {
            if amount > 0 {
                C::reserve(signer, amount).map_err(|_| DepositError::CannotPay)?;
            }
            Ok(*signer)
        }
    }
}

/// Gives back a deposit [`reserve_deposit`] took from `payer`: unreserves up to `amount` on
/// it and returns how much was freed. A running meter whose origin is `payer` counts it as
/// refunded, so the refund offsets the transaction's charges against its limit.
pub fn release_deposit<C: Currency>(payer: &AccountId, amount: Balance) -> Balance {
    let freed = C::unreserve(payer, amount);
    if let Some(meter) = current() {
        let mut meter = meter.borrow_mut();
        if meter.origin() == *payer {
            meter.note_refund(freed);
        }
    }
    freed
}
