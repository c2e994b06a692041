//! Traits pallets use to ask each other for what they need, supplied by the runtime.

use ghost_primitives::{AccountId, Balance};

use crate::dispatch::DispatchError;

/// A fungible currency with reserves (implemented by the balances pallet).
///
/// Domains and contracts take this in their `Config` for fees and deposits.
pub trait Currency {
    /// Spendable balance of `who`.
    fn free_balance(who: &AccountId) -> Balance;
    /// Reserved balance of `who`.
    fn reserved_balance(who: &AccountId) -> Balance;
    /// Total issuance.
    fn total_issuance() -> Balance;
    /// Moves `amount` of free balance from `from` to `to`.
    fn transfer(from: &AccountId, to: &AccountId, amount: Balance) -> Result<(), DispatchError>;
    /// Moves `amount` from free to reserved.
    fn reserve(who: &AccountId, amount: Balance) -> Result<(), DispatchError>;
    /// Moves up to `amount` from reserved back to free; returns how much was moved.
    fn unreserve(who: &AccountId, amount: Balance) -> Balance;
    /// Removes `amount` of free balance from `who` and from the total issuance (fees that are
    /// burned or routed elsewhere by the caller).
    fn withdraw(who: &AccountId, amount: Balance) -> Result<(), DispatchError>;
    /// Adds `amount` to `who` and the total issuance.
    fn deposit(who: &AccountId, amount: Balance) -> Result<(), DispatchError>;
}
