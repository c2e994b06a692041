//! A DAO-owned name: the contract owns a name and changes its DNS records only when `threshold`
//! of its `owners` approved the exact new record set.
//!
//! ## Model
//! - Settings (fixed at deploy): the name, the owners (at most [`MAX_OWNERS`], no duplicates)
//!   and the threshold (1 ..= the number of owners).
//! - An owner `propose`s a complete record set (at most [`MAX_RECORDS`] records); that counts
//!   as its approval. Other owners `approve` it by id. The approval that reaches the threshold
//!   writes the records (`name_set_records`) and closes the proposal; a closed proposal cannot
//!   be approved again. An owner approves a proposal at most once.
//! - Proposals are stored per id; the proposer pays their storage deposit (as every signer
//!   pays for what its transaction stores). An owner may `withdraw` its open proposal, which
//!   removes it and pays the deposit back.
//! - The name's owner transfers it to the contract after deploying it. Moving the name away
//!   again is a record-set change the contract does not offer: the DAO keeps it.
//!
//! ## Methods
//! | method | arguments | returns | notes |
//! |---|---|---|---|
//! | `deploy` | `settings: Settings` | | |
//! | `propose` | `records: Vec<DnsRecord>` | `u64`, the proposal id | an owner; counts as its approval |
//! | `approve` | `id: u64` | `bool`: executed now | an owner, once per proposal |
//! | `withdraw` | `id: u64` | `()` | the proposer, while open |
//! | `proposal` | `id: u64` | `Option<Proposal>` | |
//! | `settings` | | `Settings` | |
//!
//! ## Storage
//! `settings: Settings`, `next_id: u64` (`Lazy`), `proposals: u64 → Proposal` (`Mapping`).
//!
//! ## Events
//! `Proposed { id, proposer }`, `Approved { id, owner, approvals }`, `Executed { id }`;
//! topics `[topic(event)]`.
//!
//! ## Errors
//! [`DaoError`]; every failed call reverts and changes nothing.

#![no_std]

use ghost_contract_sdk::names::{self, DnsRecord};
use ghost_contract_sdk::prelude::*;
use ghost_contract_sdk::{env, event};

/// Most owners.
pub const MAX_OWNERS: usize = 16;
/// Most records one proposal may set (a dev-chain name holds at most 64).
pub const MAX_RECORDS: usize = 64;

const SETTINGS: Lazy<Settings> = Lazy::new(b"settings");
const NEXT_ID: Lazy<u64> = Lazy::new(b"next_id");
const PROPOSALS: Mapping<u64, Proposal> = Mapping::new(b"proposals");

const PROPOSED: Hash = topic("Proposed");
const APPROVED: Hash = topic("Approved");
const EXECUTED: Hash = topic("Executed");

/// The DAO's settings.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The name it owns.
    pub name: String,
    /// Who may propose and approve.
    pub owners: Vec<AccountId>,
    /// Approvals a proposal needs.
    pub threshold: u32,
}

/// A proposed record set.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// Who proposed it.
    pub proposer: AccountId,
    /// The complete new record set.
    pub records: Vec<DnsRecord>,
    /// The owners who approved it, the proposer first.
    pub approvals: Vec<AccountId>,
    /// Whether the records were written.
    pub executed: bool,
}

/// Why a call failed (the revert output).
#[derive(Encode, Decode, Debug, PartialEq, Eq)]
pub enum DaoError {
    /// No owners, too many, duplicates, or a threshold outside `1..=owners`.
    BadSettings,
    /// The caller is not an owner.
    NotOwner,
    /// More than [`MAX_RECORDS`] records.
    TooManyRecords,
    /// No proposal with this id.
    UnknownProposal,
    /// The caller already approved this proposal.
    AlreadyApproved,
    /// The proposal was executed already.
    AlreadyExecuted,
    /// Only the proposer may withdraw.
    NotProposer,
    /// A host function refused (the contract does not own the name, a record is invalid, ...).
    Host(Error),
}

impl From<Error> for DaoError {
    fn from(e: Error) -> Self {
        DaoError::Host(e)
    }
}

/// A proposal was made.
#[derive(Encode, Decode)]
pub struct Proposed {
    /// Its id.
    pub id: u64,
    /// Who made it.
    pub proposer: AccountId,
}

/// An owner approved a proposal.
#[derive(Encode, Decode)]
pub struct Approved {
    /// The proposal.
    pub id: u64,
    /// The owner.
    pub owner: AccountId,
    /// Approvals so far.
    pub approvals: u32,
}

/// A proposal's records were written.
#[derive(Encode, Decode)]
pub struct Executed {
    /// The proposal.
    pub id: u64,
}

contract! {
    deploy => deploy(settings: Settings),
    "propose" => propose(records: Vec<DnsRecord>) -> u64,
    "approve" => approve(id: u64) -> bool,
    "withdraw" => withdraw(id: u64) -> (),
    "proposal" => proposal(id: u64) -> Option<Proposal>,
    "settings" => settings() -> Settings,
    errors: DaoError { BadSettings, NotOwner, TooManyRecords, UnknownProposal, AlreadyApproved, AlreadyExecuted, NotProposer, Host(Error) },
    events: {
        Proposed { id: u64, proposer: AccountId }
        Approved { id: u64, owner: AccountId, approvals: u32 }
        Executed { id: u64 }
    },
}

fn deploy(settings: Settings) -> Result<(), DaoError> {
    let owners = &settings.owners;
    let distinct = owners
        .iter()
        .enumerate()
        .all(|(i, a)| !owners[..i].contains(a));
    let threshold = settings.threshold as usize;
    if owners.is_empty() || owners.len() > MAX_OWNERS || !distinct {
        return Err(DaoError::BadSettings);
    }
    if threshold == 0 || threshold > owners.len() {
        return Err(DaoError::BadSettings);
    }
    SETTINGS.set(&settings)?;
    Ok(())
}

fn propose(records: Vec<DnsRecord>) -> Result<u64, DaoError> {
    let settings = load_settings();
    let proposer = ensure_owner(&settings)?;
    if records.len() > MAX_RECORDS {
        return Err(DaoError::TooManyRecords);
    }
    let id = NEXT_ID.get_or_default();
    // u64 ids: one per transaction, they do not run out.
    NEXT_ID.set(&(id + 1))?;
    let mut proposal = Proposal {
        proposer,
        records,
        approvals: vec![proposer],
        executed: false,
    };
    event::emit(&[PROPOSED], &Proposed { id, proposer });
    execute_if_ready(&settings, id, &mut proposal)?;
    PROPOSALS.insert(id, &proposal)?;
    Ok(id)
}

fn approve(id: u64) -> Result<bool, DaoError> {
    let settings = load_settings();
    let owner = ensure_owner(&settings)?;
    let mut proposal = PROPOSALS.get(id).ok_or(DaoError::UnknownProposal)?;
    if proposal.executed {
        return Err(DaoError::AlreadyExecuted);
    }
    if proposal.approvals.contains(&owner) {
        return Err(DaoError::AlreadyApproved);
    }
    proposal.approvals.push(owner);
    event::emit(
        &[APPROVED],
        &Approved {
            id,
            owner,
            approvals: proposal.approvals.len() as u32,
        },
    );
    let executed = execute_if_ready(&settings, id, &mut proposal)?;
    PROPOSALS.insert(id, &proposal)?;
    Ok(executed)
}

fn withdraw(id: u64) -> Result<(), DaoError> {
    let proposal = PROPOSALS.get(id).ok_or(DaoError::UnknownProposal)?;
    if proposal.proposer != env::caller() {
        return Err(DaoError::NotProposer);
    }
    if proposal.executed {
        return Err(DaoError::AlreadyExecuted);
    }
    PROPOSALS.remove(id);
    Ok(())
}

fn proposal(id: u64) -> Result<Option<Proposal>, DaoError> {
    Ok(PROPOSALS.get(id))
}

fn settings() -> Result<Settings, DaoError> {
    Ok(load_settings())
}

/// Writes the records once the threshold is reached; returns whether it did.
fn execute_if_ready(
    settings: &Settings,
    id: u64,
    proposal: &mut Proposal,
) -> Result<bool, DaoError> {
    if (proposal.approvals.len() as u32) < settings.threshold {
        return Ok(false);
    }
    names::set_records(&settings.name, &proposal.records)?;
    proposal.executed = true;
    event::emit(&[EXECUTED], &Executed { id });
    Ok(true)
}

fn ensure_owner(settings: &Settings) -> Result<AccountId, DaoError> {
    let caller = env::caller();
    if !settings.owners.contains(&caller) {
        return Err(DaoError::NotOwner);
    }
    Ok(caller)
}

/// The settings, written at deploy (so always present).
fn load_settings() -> Settings {
    SETTINGS.get().unwrap_or_else(|| env::trap())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_contract_sdk::names::{DnsRecord, RecordData};
    use ghost_contract_sdk::test::{self, ALICE, BOB, CONTRACT, Outcome};

    const CAROL: AccountId = AccountId([3; 32]);
    const OUTSIDER: AccountId = AccountId([9; 32]);

    fn records() -> Vec<DnsRecord> {
        vec![DnsRecord::apex(300, RecordData::A([192, 0, 2, 1]))]
    }

    /// A 2-of-3 DAO holding `dao.ghost`.
    fn dao() {
        test::reset();
        test::set_name("dao.ghost", CONTRACT, vec![]);
        let settings = Settings {
            name: String::from("dao.ghost"),
            owners: vec![ALICE, BOB, CAROL],
            threshold: 2,
        };
        assert_eq!(
            test::deploy(__ghost_contract_deploy, &settings),
            Outcome::ok(&())
        );
    }

    fn as_owner(who: AccountId, method: &str, args: &impl Encode) -> Outcome {
        test::set_caller(who);
        test::call(__ghost_contract_call, method, args)
    }

    #[test]
    fn records_change_only_when_the_threshold_approves() {
        dao();
        assert_eq!(as_owner(ALICE, "propose", &records()), Outcome::ok(&0u64));
        assert!(
            test::name("dao.ghost").unwrap().records.is_empty(),
            "one approval of two"
        );
        assert_eq!(
            as_owner(ALICE, "approve", &0u64),
            Outcome::err(&DaoError::AlreadyApproved)
        );
        assert_eq!(
            as_owner(OUTSIDER, "approve", &0u64),
            Outcome::err(&DaoError::NotOwner)
        );
        assert_eq!(as_owner(BOB, "approve", &0u64), Outcome::ok(&true));
        assert_eq!(test::name("dao.ghost").unwrap().records, records());
        assert_eq!(
            as_owner(CAROL, "approve", &0u64),
            Outcome::err(&DaoError::AlreadyExecuted)
        );
    }

    #[test]
    fn bad_settings_outsiders_and_withdrawals() {
        test::reset();
        let zero = Settings {
            name: String::from("dao.ghost"),
            owners: vec![ALICE],
            threshold: 0,
        };
        assert_eq!(
            test::deploy(__ghost_contract_deploy, &zero),
            Outcome::err(&DaoError::BadSettings)
        );
        let twice = Settings {
            name: String::from("dao.ghost"),
            owners: vec![ALICE, ALICE],
            threshold: 1,
        };
        assert_eq!(
            test::deploy(__ghost_contract_deploy, &twice),
            Outcome::err(&DaoError::BadSettings)
        );

        dao();
        assert_eq!(
            as_owner(OUTSIDER, "propose", &records()),
            Outcome::err(&DaoError::NotOwner)
        );
        assert_eq!(as_owner(ALICE, "propose", &records()), Outcome::ok(&0u64));
        assert_eq!(
            as_owner(BOB, "withdraw", &0u64),
            Outcome::err(&DaoError::NotProposer)
        );
        assert_eq!(as_owner(ALICE, "withdraw", &0u64), Outcome::ok(&()));
        assert_eq!(
            as_owner(BOB, "approve", &0u64),
            Outcome::err(&DaoError::UnknownProposal)
        );
        assert!(test::name("dao.ghost").unwrap().records.is_empty());
    }
}
