//! # Balances pallet
//!
//! The native token: free and reserved balances, transfers, deposits, and the transaction fees
//! the executive charges before each extrinsic runs.
//!
//! ## Terms
//! - *Free balance*: what an account can spend or transfer.
//! - *Reserved balance*: held as a deposit (for a name or a contract's storage) by another pallet
//!   through [`Currency::reserve`]; it still belongs to the account and counts towards its
//!   existence.
//! - *Existential deposit* ([`Config::EXISTENTIAL_DEPOSIT`]): an account whose total balance falls
//!   below it is removed and its remaining dust is burned (taken out of the total issuance), so
//!   state is not filled with empty accounts. Nonces are kept in the system pallet and survive,
//!   so old transactions of a removed account can never be replayed.
//! - *Total issuance*: the sum of every account's free and reserved balance. Every function here
//!   keeps it exact; a property test checks it after random operations.
//!
//! ## Fees
//! `fee = base_fee + weight_fee_per_micro × weight_in_µs + byte_fee × encoded_length + tip`,
//! from the [`FeeSchedule`] in the chain spec ([`fees`]). The executive withdraws the fee from the
//! signer before dispatch and pays it to [`Config::FEE_DESTINATION`] (the treasury), so a call
//! that fails still pays. Fees move tokens; they neither mint nor burn.

pub mod fees;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

use std::marker::PhantomData;

use ghost_support::metadata::{ConstantMeta, PalletMetadata, errors_of};
use ghost_support::prelude::*;
use ghost_support::traits::Currency;
use pallet_system as system;

pub use fees::FeeSchedule;
pub use weights::WeightInfo;

/// The pallet's name in storage prefixes and errors.
pub const PALLET: &str = "Balances";

/// Configuration of the balances pallet.
pub trait Config: system::Config<RuntimeEvent: From<Event>> {
    /// Weights of this pallet's calls.
    type BalancesWeightInfo: WeightInfo;
    /// The least total balance an account may hold (smaller accounts are removed).
    const EXISTENTIAL_DEPOSIT: Balance;
    /// The account transaction fees are paid to.
    const FEE_DESTINATION: AccountId;
}

/// The pallet.
pub struct Pallet<T>(PhantomData<T>);

/// The balances of one account.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
    Default,
    Encode,
    Decode,
    MaxEncodedLen,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct AccountData {
    /// Spendable balance.
    pub free: Balance,
    /// Balance held as deposits.
    pub reserved: Balance,
}

impl AccountData {
    /// Free plus reserved.
    pub fn total(&self) -> Balance {
        self.free.saturating_add(self.reserved)
    }
}

// ---- storage ----

storage_map!(PALLET,
    /// The balances of every account that exists.
    pub Account: map Blake3_128Concat AccountId => AccountData
);
storage_value!(PALLET,
    /// The sum of all balances.
    pub TotalIssuance: Balance
);
storage_value!(PALLET,
    /// The transaction fee schedule.
    pub Fees: FeeSchedule
);

// ---- events ----

ghost_support::pallet_enum! {
    /// Events of the balances pallet.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Event {
        /// An account was created with this free balance.
        #[index = 0]
        Endowed { account: AccountId, free_balance: Balance },
        /// A transfer happened.
        #[index = 1]
        Transfer { from: AccountId, to: AccountId, amount: Balance },
        /// Root set an account's free balance.
        #[index = 2]
        BalanceSet { who: AccountId, free: Balance },
        /// Balance moved from free to reserved.
        #[index = 3]
        Reserved { who: AccountId, amount: Balance },
        /// Balance moved from reserved to free.
        #[index = 4]
        Unreserved { who: AccountId, amount: Balance },
        // Index 5 was `FeePaid` (spec_version ≤ 5): the fee is now a field of
        // `System.ExtrinsicSuccess`/`ExtrinsicFailed`. Never reuse it.
        /// An account fell below the existential deposit and was removed; its dust was burned.
        #[index = 6]
        DustLost { account: AccountId, amount: Balance },
        /// Balance was withdrawn from an account and the issuance.
        #[index = 7]
        Withdraw { who: AccountId, amount: Balance },
        /// Balance was deposited into an account and the issuance.
        #[index = 8]
        Deposit { who: AccountId, amount: Balance },
        // Index 9 was `FeeRefunded` (spec_version ≤ 5): the fee in `System.ExtrinsicSuccess`
        // is net of the refund. Never reuse it.
    }
}

// ---- errors ----

pallet_error! {
    /// Errors of the balances pallet.
    pub enum Error for "Balances" {
        /// The free balance is lower than the amount.
        InsufficientBalance,
        /// The amount would create an account below the existential deposit.
        ExistentialDeposit,
        /// The transfer would remove the sender's account (use `transfer` to allow that).
        KeepAlive,
        /// A balance would overflow.
        Overflow,
    }
}

// ---- calls ----

ghost_support::pallet_enum! {
    /// Calls of the balances pallet.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Call {
        /// Moves `value` of the signer's free balance to `dest`; the sender's account may be
        /// removed if what is left is below the existential deposit. Origin: signed. Errors:
        /// `InsufficientBalance`, `ExistentialDeposit`, `Overflow`. Cost: 2 reads, 2 writes.
        #[index = 0]
        Transfer { dest: AccountId, value: Balance },
        /// Like `Transfer`, but fails with `KeepAlive` instead of removing the sender.
        #[index = 1]
        TransferKeepAlive { dest: AccountId, value: Balance },
        /// Sets the free balance of `who`, adjusting the issuance. Origin: root.
        #[index = 2]
        ForceSetBalance { who: AccountId, free: Balance },
    }
}

impl<T: Config> Pallet<T> {
    /// The weight and fee class of `call`.
    pub fn dispatch_info(call: &Call) -> DispatchInfo {
        let weight = match call {
            Call::Transfer { .. } => T::BalancesWeightInfo::transfer(),
            Call::TransferKeepAlive { .. } => T::BalancesWeightInfo::transfer_keep_alive(),
            Call::ForceSetBalance { .. } => T::BalancesWeightInfo::force_set_balance(),
        };
        DispatchInfo::paying(weight)
    }

    /// Dispatches `call` from `origin`.
    pub fn dispatch(call: Call, origin: Origin) -> DispatchResult {
        match call {
            Call::Transfer { dest, value } => {
                let from = ensure_signed(origin)?;
                Self::do_transfer(&from, &dest, value, false)
            }
            Call::TransferKeepAlive { dest, value } => {
                let from = ensure_signed(origin)?;
                Self::do_transfer(&from, &dest, value, true)
            }
            Call::ForceSetBalance { who, free } => {
                ensure_root(origin)?;
                Self::force_set_balance(&who, free)
            }
        }
    }

    /// The balances of `who`.
    pub fn account(who: &AccountId) -> AccountData {
        Account::get_or_default(who)
    }

    /// Moves `value` from `from` to `to`.
    pub fn do_transfer(
        from: &AccountId,
        to: &AccountId,
        value: Balance,
        keep_alive: bool,
    ) -> DispatchResult {
        let sender = Self::account(from);
        let remaining = sender
            .free
            .checked_sub(value)
            .ok_or(Error::InsufficientBalance)?;
        if keep_alive {
            ensure!(
                remaining.saturating_add(sender.reserved) >= T::EXISTENTIAL_DEPOSIT,
                Error::KeepAlive
            );
        }
        if from == to || value == 0 {
            Self::deposit_event(Event::Transfer {
                from: *from,
                to: *to,
                amount: value,
            });
            return Ok(());
        }
        let receiver = Self::account(to);
        let credited = receiver.free.checked_add(value).ok_or(Error::Overflow)?;
        let is_new = receiver.total() == 0;
        ensure!(
            !is_new || value >= T::EXISTENTIAL_DEPOSIT,
            Error::ExistentialDeposit
        );

        Self::write_account(
            from,
            AccountData {
                free: remaining,
                ..sender
            },
        );
        Self::write_account(
            to,
            AccountData {
                free: credited,
                ..receiver
            },
        );
        if is_new {
            Self::deposit_event(Event::Endowed {
                account: *to,
                free_balance: value,
            });
        }
        Self::deposit_event(Event::Transfer {
            from: *from,
            to: *to,
            amount: value,
        });
        Ok(())
    }

    /// Sets the free balance of `who` and adjusts the issuance.
    pub fn force_set_balance(who: &AccountId, free: Balance) -> DispatchResult {
        let old = Self::account(who);
        let issuance = TotalIssuance::get_or_default();
        let new_issuance = if free >= old.free {
            issuance
                .checked_add(free - old.free)
                .ok_or(Error::Overflow)?
        } else {
            issuance.saturating_sub(old.free - free)
        };
        TotalIssuance::put(&new_issuance);
        Self::write_account(who, AccountData { free, ..old });
        Self::deposit_event(Event::BalanceSet { who: *who, free });
        Ok(())
    }

    /// Stores `data` for `who`, removing the account (and burning its dust) below the
    /// existential deposit.
    pub(crate) fn write_account(who: &AccountId, data: AccountData) {
        let total = data.total();
        if total >= T::EXISTENTIAL_DEPOSIT && total > 0 {
            Account::insert(who, &data);
            return;
        }
        Account::remove(who);
        if total > 0 {
            TotalIssuance::mutate(|i| *i = i.saturating_sub(total));
            Self::deposit_event(Event::DustLost {
                account: *who,
                amount: total,
            });
        }
    }

    fn deposit_event(event: Event) {
        system::Pallet::<T>::deposit_event(event);
    }

    /// The pallet's metadata.
    pub fn metadata(index: u8) -> PalletMetadata {
        PalletMetadata {
            name: PALLET,
            index,
            calls: Call::metadata(),
            events: Event::metadata(),
            errors: errors_of::<Error>(),
            storage: vec![Account::meta(), TotalIssuance::meta(), Fees::meta()],
            constants: vec![
                ConstantMeta {
                    name: "ExistentialDeposit",
                    value: serde_json::Value::String(T::EXISTENTIAL_DEPOSIT.to_string()),
                    docs: "The least total balance an account may hold.",
                },
                ConstantMeta {
                    name: "FeeDestination",
                    value: serde_json::Value::String(T::FEE_DESTINATION.to_string()),
                    docs: "The account transaction fees are paid to.",
                },
            ],
        }
    }
}

impl<T: Config> Currency for Pallet<T> {
    fn free_balance(who: &AccountId) -> Balance {
        Self::account(who).free
    }

    fn reserved_balance(who: &AccountId) -> Balance {
        Self::account(who).reserved
    }

    fn total_issuance() -> Balance {
        TotalIssuance::get_or_default()
    }

    fn transfer(from: &AccountId, to: &AccountId, amount: Balance) -> DispatchResult {
        Self::do_transfer(from, to, amount, false)
    }

    fn reserve(who: &AccountId, amount: Balance) -> DispatchResult {
        let data = Self::account(who);
        let free = data
            .free
            .checked_sub(amount)
            .ok_or(Error::InsufficientBalance)?;
        let reserved = data.reserved.checked_add(amount).ok_or(Error::Overflow)?;
        Self::write_account(who, AccountData { free, reserved });
        Self::deposit_event(Event::Reserved { who: *who, amount });
        Ok(())
    }

    fn unreserve(who: &AccountId, amount: Balance) -> Balance {
        let data = Self::account(who);
        let moved = amount.min(data.reserved);
        if moved == 0 {
            return 0;
        }
        // free + reserved is already stored, so adding back part of it cannot overflow.
        let free = data.free.saturating_add(moved);
        Self::write_account(
            who,
            AccountData {
                free,
                reserved: data.reserved - moved,
            },
        );
        Self::deposit_event(Event::Unreserved {
            who: *who,
            amount: moved,
        });
        moved
    }

    fn withdraw(who: &AccountId, amount: Balance) -> DispatchResult {
        let data = Self::account(who);
        let free = data
            .free
            .checked_sub(amount)
            .ok_or(Error::InsufficientBalance)?;
        TotalIssuance::mutate(|i| *i = i.saturating_sub(amount));
        Self::write_account(who, AccountData { free, ..data });
        Self::deposit_event(Event::Withdraw { who: *who, amount });
        Ok(())
    }

    fn deposit(who: &AccountId, amount: Balance) -> DispatchResult {
        let data = Self::account(who);
        let free = data.free.checked_add(amount).ok_or(Error::Overflow)?;
        let issuance = TotalIssuance::get_or_default()
            .checked_add(amount)
            .ok_or(Error::Overflow)?;
        ensure!(
            data.total() > 0 || amount >= T::EXISTENTIAL_DEPOSIT,
            Error::ExistentialDeposit
        );
        TotalIssuance::put(&issuance);
        if data.total() == 0 {
            Self::deposit_event(Event::Endowed {
                account: *who,
                free_balance: amount,
            });
        }
        Self::write_account(who, AccountData { free, ..data });
        Self::deposit_event(Event::Deposit { who: *who, amount });
        Ok(())
    }
}

/// The genesis state: endowed accounts and the fee schedule.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisConfig {
    /// Accounts and their initial free balances.
    pub balances: Vec<(AccountId, Balance)>,
    /// The transaction fee schedule.
    #[serde(default)]
    pub fees: FeeSchedule,
}

/// Why a genesis config cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenesisError {
    /// An account appears twice.
    #[error("account {0} is endowed twice")]
    DuplicateAccount(AccountId),
    /// An endowment is below the existential deposit.
    #[error("endowment of {0} is below the existential deposit")]
    BelowExistentialDeposit(AccountId),
    /// The issuance would overflow.
    #[error("total issuance overflows")]
    Overflow,
}

impl GenesisConfig {
    /// Writes the genesis state.
    pub fn build<T: Config>(&self) -> Result<(), GenesisError> {
        let mut issuance: Balance = 0;
        for (who, amount) in &self.balances {
            if Account::contains_key(who) {
                return Err(GenesisError::DuplicateAccount(*who));
            }
            if *amount < T::EXISTENTIAL_DEPOSIT {
                return Err(GenesisError::BelowExistentialDeposit(*who));
            }
            issuance = issuance
                .checked_add(*amount)
                .ok_or(GenesisError::Overflow)?;
            Account::insert(
                who,
                &AccountData {
                    free: *amount,
                    reserved: 0,
                },
            );
        }
        TotalIssuance::put(&issuance);
        Fees::put(&self.fees);
        Ok(())
    }
}

impl<T: Config> Hooks for Pallet<T> {
    fn integrity_test() {
        assert!(
            T::EXISTENTIAL_DEPOSIT > 0,
            "EXISTENTIAL_DEPOSIT must be positive"
        );
    }
}
