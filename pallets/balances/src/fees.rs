//! Transaction fees: computed from weight, length and tip; withdrawn before dispatch.

use ghost_primitives::InvalidTransaction;
use ghost_support::prelude::*;

use crate::{AccountData, Config, Fees, Pallet};

/// The fee schedule, set in the chain spec.
///
/// `fee = base_fee + weight_fee_per_micro × ⌈weight / 1 µs⌉ + byte_fee × length + tip`.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
    Encode,
    Decode,
    MaxEncodedLen,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct FeeSchedule {
    /// Paid by every extrinsic.
    pub base_fee: Balance,
    /// Paid per microsecond of declared weight.
    pub weight_fee_per_micro: Balance,
    /// Paid per byte of the encoded extrinsic.
    pub byte_fee: Balance,
}

impl Default for FeeSchedule {
    /// 0.001 GHOST base, 0.00001 GHOST per µs, 0.000001 GHOST per byte (1 GHOST = 10^12).
    fn default() -> Self {
        FeeSchedule {
            base_fee: 1_000_000_000,
            weight_fee_per_micro: 10_000_000,
            byte_fee: 1_000_000,
        }
    }
}

/// The parts of a fee, for `payment_queryInfo`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeeDetails {
    /// The base fee.
    pub base_fee: Balance,
    /// The weight part.
    pub weight_fee: Balance,
    /// The length part.
    pub length_fee: Balance,
    /// The tip.
    pub tip: Balance,
}

impl FeeDetails {
    /// The whole fee.
    pub fn total(&self) -> Balance {
        self.base_fee
            .saturating_add(self.weight_fee)
            .saturating_add(self.length_fee)
            .saturating_add(self.tip)
    }
}

impl<T: Config> Pallet<T> {
    /// The fee of an extrinsic of `len` bytes with `info` and `tip`.
    pub fn compute_fee(len: u32, info: &DispatchInfo, tip: Balance) -> FeeDetails {
        if info.pays_fee == Pays::No {
            return FeeDetails {
                tip,
                ..FeeDetails::default()
            };
        }
        let schedule = Fees::get_or_default();
        let micros = Balance::from(info.weight.ref_time().div_ceil(Weight::MICROS));
        FeeDetails {
            base_fee: schedule.base_fee,
            weight_fee: schedule.weight_fee_per_micro.saturating_mul(micros),
            length_fee: schedule.byte_fee.saturating_mul(Balance::from(len)),
            tip,
        }
    }

    /// Checks that `who` can pay `fee` (pool validation).
    pub fn can_pay_fee(who: &AccountId, fee: Balance) -> Result<(), InvalidTransaction> {
        let free = Self::account(who).free;
        if free < fee {
            return Err(InvalidTransaction::Payment { fee, free });
        }
        Ok(())
    }

    /// Pays `refund` of a fee `who` paid back from the fee destination (post-dispatch weight
    /// correction). Returns what was paid back: at most what the fee destination holds. No
    /// event: the extrinsic's `System.ExtrinsicSuccess`/`ExtrinsicFailed` carries the net fee.
    pub fn refund_fee(who: &AccountId, refund: Balance) -> Balance {
        if refund == 0 || *who == T::FEE_DESTINATION {
            return 0;
        }
        let receiver = Self::account(&T::FEE_DESTINATION);
        let refund = refund.min(receiver.free);
        if refund == 0 {
            return 0;
        }
        let data = Self::account(who);
        Self::write_account(
            &T::FEE_DESTINATION,
            AccountData {
                free: receiver.free - refund,
                ..receiver
            },
        );
        // `who` paid at least `refund` in this block; its balance plus it cannot overflow.
        Self::write_account(
            who,
            AccountData {
                free: data.free.saturating_add(refund),
                ..data
            },
        );
        refund
    }

    /// Takes `fee.total()` from `who` and pays it to the fee destination. No event: the
    /// extrinsic's `System.ExtrinsicSuccess`/`ExtrinsicFailed` carries the fee (one event less
    /// per transaction).
    pub fn withdraw_fee(who: &AccountId, fee: &FeeDetails) -> Result<(), InvalidTransaction> {
        let total = fee.total();
        Self::can_pay_fee(who, total)?;
        if total > 0 && *who != T::FEE_DESTINATION {
            let data = Self::account(who);
            let receiver = Self::account(&T::FEE_DESTINATION);
            // `can_pay_fee` checked free >= total; the receiver's balance plus a part of the
            // issuance cannot overflow.
            Self::write_account(
                who,
                AccountData {
                    free: data.free - total,
                    ..data
                },
            );
            Self::write_account(
                &T::FEE_DESTINATION,
                AccountData {
                    free: receiver.free.saturating_add(total),
                    ..receiver
                },
            );
        }
        Ok(())
    }
}
