//! A name auction with a deadline: the seller puts a second-level name in escrow, bidders
//! outbid each other until the deadline, and `settle` gives the name to the highest bidder and
//! the bid to the seller, or the name back to the seller if nobody bid.
//!
//! ## Flow
//! 1. The name's owner deploys the auction (`deploy(name, reserve, deadline_ms)`, becoming the
//!    seller) and transfers the name to the contract. Bids are refused until the contract holds
//!    the name, so nobody bids on a name the seller could still sell elsewhere.
//! 2. `bid` (payable) before the deadline: the value must reach the reserve and beat the highest
//!    bid. The previous highest bidder gets its bid back in the same call.
//! 3. `settle`, by anyone, once the block time is at or past the deadline: the name to the
//!    winner and the bid to the seller, or the name back to the seller without bids. Once.
//!
//! Subnames are refused at deploy: the manager of an unlocked subname's parent could take it
//! back from the winner (see `name-market`).
//!
//! ## Methods
//! | method | arguments | returns | notes |
//! |---|---|---|---|
//! | `deploy` | `name: String, reserve: u128, deadline_ms: u64` | | the caller is the seller |
//! | `bid` | | `()` | payable; before the deadline, ≥ reserve, > highest |
//! | `settle` | | `Option<AccountId>`, the winner | anyone; at or after the deadline; once |
//! | `state` | | `State` | |
//!
//! ## Storage
//! `auction: Auction` (`Lazy`): settings, highest bid and bidder, whether settled.
//!
//! ## Events
//! `Bid { bidder, amount }`, `Settled { winner, amount }`; topics `[topic(event)]`.
//!
//! ## Errors
//! [`AuctionError`]; every failed call reverts and changes nothing.

#![no_std]

use ghost_contract_sdk::prelude::*;
use ghost_contract_sdk::{env, event, names};

const AUCTION: Lazy<Auction> = Lazy::new(b"auction");

const BID: Hash = topic("Bid");
const SETTLED: Hash = topic("Settled");

/// Everything the auction keeps.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
struct Auction {
    name: String,
    seller: AccountId,
    reserve: u128,
    deadline_ms: u64,
    highest: Option<(AccountId, u128)>,
    settled: bool,
}

/// What `state` reports.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// The name for sale.
    pub name: String,
    /// Who sells it and gets the winning bid.
    pub seller: AccountId,
    /// The least first bid.
    pub reserve: u128,
    /// When bidding ends (block time, ms).
    pub deadline_ms: u64,
    /// The highest bidder and bid so far.
    pub highest: Option<(AccountId, u128)>,
    /// Whether `settle` ran.
    pub settled: bool,
    /// Whether the contract holds the name now.
    pub escrowed: bool,
}

/// Why a call failed (the revert output).
#[derive(Encode, Decode, Debug, PartialEq, Eq)]
pub enum AuctionError {
    /// The name is a subname (or not a name at all).
    SubnameNotAccepted,
    /// The contract does not hold the name (yet).
    NotEscrowed,
    /// The deadline has passed: no more bids.
    AuctionOver,
    /// The deadline has not passed: too early to settle.
    AuctionRunning,
    /// The bid is below this minimum (the reserve, or the highest bid plus one).
    BidTooLow {
        /// The least bid that would be accepted.
        min: u128,
    },
    /// `settle` ran already.
    AlreadySettled,
    /// A host function refused (a transfer, the name service).
    Host(Error),
}

impl From<Error> for AuctionError {
    fn from(e: Error) -> Self {
        AuctionError::Host(e)
    }
}

/// A bid was accepted.
#[derive(Encode, Decode)]
pub struct Bid {
    /// Who bid.
    pub bidder: AccountId,
    /// How much.
    pub amount: u128,
}

/// The auction ended.
#[derive(Encode, Decode)]
pub struct Settled {
    /// Who got the name (`None`: back to the seller).
    pub winner: Option<AccountId>,
    /// The winning bid (0 without a winner).
    pub amount: u128,
}

contract! {
    deploy => deploy(name: String, reserve: u128, deadline_ms: u64),
    #[payable] "bid" => bid() -> (),
    "settle" => settle() -> Option<AccountId>,
    "state" => state() -> State,
    errors: AuctionError { SubnameNotAccepted, NotEscrowed, AuctionOver, AuctionRunning, BidTooLow(u128), AlreadySettled, Host(Error) },
    events: {
        Bid { bidder: AccountId, amount: u128 }
        Settled { winner: Option<AccountId>, amount: u128 }
    },
}

fn deploy(name: String, reserve: u128, deadline_ms: u64) -> Result<(), AuctionError> {
    if name.bytes().filter(|b| *b == b'.').count() != 1 {
        return Err(AuctionError::SubnameNotAccepted);
    }
    AUCTION.set(&Auction {
        name,
        seller: env::caller(),
        reserve,
        deadline_ms,
        highest: None,
        settled: false,
    })?;
    Ok(())
}

fn bid() -> Result<(), AuctionError> {
    let mut auction = load();
    if env::block_timestamp() >= auction.deadline_ms {
        return Err(AuctionError::AuctionOver);
    }
    if !holds(&auction.name) {
        return Err(AuctionError::NotEscrowed);
    }
    let amount = env::value_transferred();
    let min = match auction.highest {
        None => auction.reserve,
        Some((_, highest)) => highest.saturating_add(1),
    };
    if amount < min {
        return Err(AuctionError::BidTooLow { min });
    }
    if let Some((previous, refund)) = auction.highest {
        env::transfer(&previous, refund)?;
    }
    let bidder = env::caller();
    auction.highest = Some((bidder, amount));
    AUCTION.set(&auction)?;
    event::emit(&[BID], &Bid { bidder, amount });
    Ok(())
}

fn settle() -> Result<Option<AccountId>, AuctionError> {
    let mut auction = load();
    if auction.settled {
        return Err(AuctionError::AlreadySettled);
    }
    if env::block_timestamp() < auction.deadline_ms {
        return Err(AuctionError::AuctionRunning);
    }
    let (winner, amount) = match auction.highest {
        Some((winner, amount)) => {
            names::transfer(&auction.name, &winner)?;
            env::transfer(&auction.seller, amount)?;
            (Some(winner), amount)
        }
        None => {
            if holds(&auction.name) {
                names::transfer(&auction.name, &auction.seller)?;
            }
            (None, 0)
        }
    };
    auction.settled = true;
    AUCTION.set(&auction)?;
    event::emit(&[SETTLED], &Settled { winner, amount });
    Ok(winner)
}

fn state() -> Result<State, AuctionError> {
    let auction = load();
    Ok(State {
        escrowed: holds(&auction.name),
        name: auction.name,
        seller: auction.seller,
        reserve: auction.reserve,
        deadline_ms: auction.deadline_ms,
        highest: auction.highest,
        settled: auction.settled,
    })
}

/// Whether the contract owns `name` now.
fn holds(name: &str) -> bool {
    names::resolve(name).is_ok_and(|r| r.owner == env::address())
}

/// The auction, written at deploy (so always present).
fn load() -> Auction {
    AUCTION.get().unwrap_or_else(|| env::trap())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_contract_sdk::test::{self, ALICE, BOB, CONTRACT, Outcome};

    const CAROL: AccountId = AccountId([3; 32]);

    /// ALICE auctions `alice.ghost` (in escrow) with reserve 10 until t = 1 000 ms.
    fn running() {
        test::reset();
        test::set_name("alice.ghost", CONTRACT, vec![]);
        assert_eq!(
            test::deploy(
                __ghost_contract_deploy,
                &(String::from("alice.ghost"), 10u128, 1_000u64)
            ),
            Outcome::ok(&())
        );
        test::set_balance(&BOB, 100);
        test::set_balance(&CAROL, 100);
    }

    fn bid(who: AccountId, amount: Balance) -> Outcome {
        test::set_caller(who);
        test::call_with_value(__ghost_contract_call, "bid", &(), amount)
    }

    #[test]
    fn outbid_bids_are_refunded_and_the_winner_gets_the_name() {
        running();
        assert_eq!(
            bid(BOB, 9),
            Outcome::err(&AuctionError::BidTooLow { min: 10 })
        );
        assert_eq!(bid(BOB, 20), Outcome::ok(&()));
        assert_eq!(
            bid(CAROL, 20),
            Outcome::err(&AuctionError::BidTooLow { min: 21 })
        );
        assert_eq!(bid(CAROL, 30), Outcome::ok(&()));
        assert_eq!(
            test::balance_of(&BOB),
            100,
            "BOB's bid came back when CAROL outbid him"
        );
        assert_eq!(
            test::call(__ghost_contract_call, "settle", &()),
            Outcome::err(&AuctionError::AuctionRunning)
        );
        test::set_block(2, 1_000);
        assert_eq!(bid(BOB, 50), Outcome::err(&AuctionError::AuctionOver));
        assert_eq!(
            test::call(__ghost_contract_call, "settle", &()),
            Outcome::ok(&Some(CAROL))
        );
        assert_eq!(test::name("alice.ghost").unwrap().owner, CAROL);
        assert_eq!(test::balance_of(&ALICE), 30);
        assert_eq!(
            test::call(__ghost_contract_call, "settle", &()),
            Outcome::err(&AuctionError::AlreadySettled)
        );
    }

    #[test]
    fn without_bids_the_name_goes_back_and_without_escrow_nobody_bids() {
        running();
        test::set_block(2, 1_000);
        assert_eq!(
            test::call(__ghost_contract_call, "settle", &()),
            Outcome::ok(&None::<AccountId>)
        );
        assert_eq!(test::name("alice.ghost").unwrap().owner, ALICE);

        running();
        test::set_name("alice.ghost", ALICE, vec![]);
        assert_eq!(bid(BOB, 20), Outcome::err(&AuctionError::NotEscrowed));
        assert_eq!(test::balance_of(&BOB), 100);
    }

    #[test]
    fn subnames_are_not_auctioned() {
        test::reset();
        assert_eq!(
            test::deploy(
                __ghost_contract_deploy,
                &(String::from("www.alice.ghost"), 1u128, 1u64)
            ),
            Outcome::err(&AuctionError::SubnameNotAccepted)
        );
    }
}
