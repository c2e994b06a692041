//! A name market: the contract holds names in escrow and sells each atomically: in one call
//! the buyer pays, the name goes to the buyer and the price to the seller, or nothing happens.
//!
//! ## Flow
//! 1. The seller, who owns `alice.ghost`, calls `list("alice.ghost", price)`. The contract
//!    checks with the name service that the caller owns the name and records the listing.
//!    If the seller approved the contract for the name beforehand (`Domains.approve`), `list`
//!    also moves the name into escrow at once; otherwise the seller transfers the name to the
//!    contract next (`Domains.transfer`). Either way only the owner of a name can list it, so
//!    nobody can claim a listing for a name someone else put in escrow.
//! 2. A buyer calls `buy("alice.ghost")` with `value ≥ price`. The contract transfers the name
//!    to the buyer, the price to the seller and any change back to the buyer, removes the
//!    listing and emits `Sold`. If any step fails (value too low, name not in escrow) the
//!    call reverts: the value goes back to the buyer, the name and the listing stay.
//! 3. The seller can `cancel` a listing; a name in escrow goes back to the seller.
//!
//! Only second-level names (`alice.ghost`) can be listed: `list` refuses subnames
//! (`bob.club.ghost`) with [`MarketError::SubnameNotAccepted`]. Whoever manages the parent of an
//! unlocked subname can reassign it at any time, so a seller controlling `club.ghost` could
//! take `bob.club.ghost` back after the sale, and the name service does not tell contracts
//! whether a subname is locked.
//!
//! ## Methods
//! | method | arguments | returns | notes |
//! |---|---|---|---|
//! | `deploy` | | | |
//! | `list` | `name: String, price: u128` | `bool`: in escrow now | caller must own the name, a second-level one; replaces an older listing of it; the seller pays the listing's storage deposit |
//! | `buy` | `name: String` | `()` | payable; `value ≥ price` |
//! | `cancel` | `name: String` | `()` | the seller only |
//! | `listing` | `name: String` | `Option<Listing>` | |
//!
//! ## Storage
//! `listings: String → (seller: AccountId, price: u128)`.
//!
//! ## Events
//! `Listed { name, seller, price }`, `Sold { name, seller, buyer, price }`,
//! `Cancelled { name, seller }`; topics `[topic(event), blake3(name), seller]` (and buyer for
//! `Sold`).

#![no_std]

use ghost_contract_sdk::prelude::*;
use ghost_contract_sdk::{crypto, env, event, names};

const LISTED: Hash = topic("Listed");
const SOLD: Hash = topic("Sold");
const CANCELLED: Hash = topic("Cancelled");

/// A name for sale.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    /// Who listed it and receives the price.
    pub seller: AccountId,
    /// The price.
    pub price: u128,
    /// Whether the contract holds the name now (computed when read, not stored).
    pub escrowed: bool,
}

/// Why a call failed (the revert output).
#[derive(Encode, Decode, Debug, PartialEq, Eq)]
pub enum MarketError {
    /// The caller does not own the name.
    NotOwner,
    /// The name is not listed.
    NotListed,
    /// Only the seller may cancel.
    NotSeller,
    /// The value sent is below the price.
    InsufficientValue {
        /// The price.
        price: u128,
    },
    /// The contract does not hold the name (the seller has not transferred it yet).
    NotEscrowed,
    /// A host function refused.
    Host(Error),
    /// The name is a subname, which its parent's manager could take back after a sale.
    SubnameNotAccepted,
}

impl From<Error> for MarketError {
    fn from(e: Error) -> Self {
        MarketError::Host(e)
    }
}

/// A listing was made.
#[derive(Encode, Decode)]
pub struct Listed {
    /// The name.
    pub name: String,
    /// The seller.
    pub seller: AccountId,
    /// The price.
    pub price: u128,
}

/// A name was sold.
#[derive(Encode, Decode)]
pub struct Sold {
    /// The name.
    pub name: String,
    /// The seller, who received the price.
    pub seller: AccountId,
    /// The buyer, who received the name.
    pub buyer: AccountId,
    /// The price.
    pub price: u128,
}

/// A listing was cancelled.
#[derive(Encode, Decode)]
pub struct Cancelled {
    /// The name.
    pub name: String,
    /// The seller.
    pub seller: AccountId,
}

/// What is stored per listing.
#[derive(Encode, Decode)]
struct Stored {
    seller: AccountId,
    price: u128,
}

const LISTINGS: Mapping<String, Stored> = Mapping::new(b"listings");

contract! {
    deploy => deploy(),
    "list" => list(name: String, price: u128) -> bool,
    #[payable] "buy" => buy(name: String) -> (),
    "cancel" => cancel(name: String) -> (),
    "listing" => listing(name: String) -> Option<Listing>,
    errors: MarketError { NotOwner, NotListed, NotSeller, InsufficientValue(u128), NotEscrowed, Host(Error), SubnameNotAccepted },
    events: {
        Listed { name: String, seller: AccountId, price: u128 }
        Sold { name: String, seller: AccountId, buyer: AccountId, price: u128 }
        Cancelled { name: String, seller: AccountId }
    },
}

fn deploy() -> Result<(), MarketError> {
    Ok(())
}

fn list(name: String, price: u128) -> Result<bool, MarketError> {
    // `label.tld`: exactly one dot (the name service checks the rest).
    if name.bytes().filter(|b| *b == b'.').count() != 1 {
        return Err(MarketError::SubnameNotAccepted);
    }
    let seller = env::caller();
    let owner = names::resolve(&name)?.owner;
    if owner != seller {
        return Err(MarketError::NotOwner);
    }
    LISTINGS.insert(&name, &Stored { seller, price })?;
    // Escrow now if the seller approved the contract; otherwise the seller transfers it.
    let escrowed = match names::transfer(&name, &env::address()) {
        Ok(()) => true,
        Err(Error::NotNameOwner) => false,
        Err(e) => return Err(e.into()),
    };
    event::emit(
        &[LISTED, crypto::blake3(name.as_bytes()), seller.0],
        &Listed {
            name,
            seller,
            price,
        },
    );
    Ok(escrowed)
}

fn buy(name: String) -> Result<(), MarketError> {
    let Stored { seller, price } = LISTINGS.get(&name).ok_or(MarketError::NotListed)?;
    let buyer = env::caller();
    let paid = env::value_transferred();
    let change = paid
        .checked_sub(price)
        .ok_or(MarketError::InsufficientValue { price })?;
    names::transfer(&name, &buyer).map_err(|e| match e {
        Error::NotNameOwner => MarketError::NotEscrowed,
        other => MarketError::Host(other),
    })?;
    env::transfer(&seller, price)?;
    if change > 0 {
        env::transfer(&buyer, change)?;
    }
    LISTINGS.remove(&name);
    event::emit(
        &[SOLD, crypto::blake3(name.as_bytes()), seller.0, buyer.0],
        &Sold {
            name,
            seller,
            buyer,
            price,
        },
    );
    Ok(())
}

fn cancel(name: String) -> Result<(), MarketError> {
    let Stored { seller, .. } = LISTINGS.get(&name).ok_or(MarketError::NotListed)?;
    if env::caller() != seller {
        return Err(MarketError::NotSeller);
    }
    if holds(&name) {
        names::transfer(&name, &seller)?;
    }
    LISTINGS.remove(&name);
    event::emit(
        &[CANCELLED, crypto::blake3(name.as_bytes()), seller.0],
        &Cancelled { name, seller },
    );
    Ok(())
}

fn listing(name: String) -> Result<Option<Listing>, MarketError> {
    Ok(LISTINGS.get(&name).map(|Stored { seller, price }| Listing {
        seller,
        price,
        escrowed: holds(&name),
    }))
}

/// Whether the contract owns `name` now.
fn holds(name: &str) -> bool {
    names::resolve(name).is_ok_and(|r| r.owner == env::address())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_contract_sdk::test::{self, ALICE, BOB, CONTRACT, Outcome};

    fn s(text: &str) -> String {
        String::from(text)
    }

    fn listed_and_escrowed() {
        test::reset();
        test::set_name("alice.ghost", ALICE, vec![]);
        test::approve_name("alice.ghost", Some(CONTRACT));
        test::deploy(__ghost_contract_deploy, &());
        assert_eq!(
            test::call(__ghost_contract_call, "list", &(s("alice.ghost"), 50u128)),
            Outcome::ok(&true)
        );
        assert_eq!(test::name("alice.ghost").unwrap().owner, CONTRACT);
    }

    #[test]
    fn a_sale_moves_the_name_the_price_and_the_change_at_once() {
        listed_and_escrowed();
        test::set_caller(BOB);
        test::set_balance(&BOB, 100);
        assert_eq!(
            test::call_with_value(__ghost_contract_call, "buy", &s("alice.ghost"), 70),
            Outcome::ok(&())
        );
        assert_eq!(test::name("alice.ghost").unwrap().owner, BOB);
        assert_eq!(test::balance_of(&ALICE), 50);
        assert_eq!(test::balance_of(&BOB), 50, "20 of change came back");
        assert_eq!(
            test::call(__ghost_contract_call, "listing", &s("alice.ghost")),
            Outcome::ok(&None::<Listing>)
        );
    }

    #[test]
    fn underpaying_reverts_and_only_owners_list_second_level_names() {
        listed_and_escrowed();
        test::set_caller(BOB);
        test::set_balance(&BOB, 100);
        assert_eq!(
            test::call_with_value(__ghost_contract_call, "buy", &s("alice.ghost"), 49),
            Outcome::err(&MarketError::InsufficientValue { price: 50 })
        );
        assert_eq!(test::balance_of(&BOB), 100);
        assert_eq!(test::name("alice.ghost").unwrap().owner, CONTRACT);
        test::set_name("bob.ghost", ALICE, vec![]);
        assert_eq!(
            test::call(__ghost_contract_call, "list", &(s("bob.ghost"), 1u128)),
            Outcome::err(&MarketError::NotOwner)
        );
        assert_eq!(
            test::call(__ghost_contract_call, "list", &(s("www.bob.ghost"), 1u128)),
            Outcome::err(&MarketError::SubnameNotAccepted)
        );
    }

    #[test]
    fn the_seller_cancels_and_gets_the_name_back() {
        listed_and_escrowed();
        test::set_caller(BOB);
        assert_eq!(
            test::call(__ghost_contract_call, "cancel", &s("alice.ghost")),
            Outcome::err(&MarketError::NotSeller)
        );
        test::set_caller(ALICE);
        assert_eq!(
            test::call(__ghost_contract_call, "cancel", &s("alice.ghost")),
            Outcome::ok(&())
        );
        assert_eq!(test::name("alice.ghost").unwrap().owner, ALICE);
    }
}
