//! DNS failover on a health quorum: the contract owns a name and points one CNAME (at a label,
//! `www`) at a primary target, switching it to a backup when `quorum` of its health checkers
//! say the primary is down, and back when `quorum` say it is up again.
//!
//! ## Model
//! - Settings (fixed at deploy): the name, the label, the primary and backup targets, the
//!   checkers (at most [`MAX_CHECKERS`], no duplicates), the quorum (1 ..= checkers) and the
//!   TTL.
//! - Each checker `report`s, in a transaction it signs, whether the primary is up; the contract
//!   keeps each checker's latest vote. When the votes for "down" reach the quorum while the
//!   CNAME points at the primary, it is rewritten to the backup; when the votes for "up" reach
//!   it while it points at the backup, it is rewritten to the primary. One checker alone
//!   (below the quorum) moves nothing.
//! - The CNAME is the only record the contract writes; every other record of the name stays.
//!
//! ## Methods
//! | method | arguments | returns | notes |
//! |---|---|---|---|
//! | `deploy` | `settings: Settings` | | |
//! | `report` | `primary_up: bool` | `bool`: the CNAME switched | a checker |
//! | `target` | | `String`: where the CNAME points | |
//! | `votes` | | `Vec<(AccountId, bool)>` | the checkers' latest votes |
//!
//! ## Storage
//! `settings: Settings`, `on_backup: bool`, `votes: Vec<(AccountId, bool)>` (at most one per
//! checker), all `Lazy`.
//!
//! ## Events
//! `Switched { target }`, topics `[topic("Switched")]`.
//!
//! ## Errors
//! [`FailoverError`]; every failed call reverts and changes nothing.

#![no_std]

use ghost_contract_sdk::names::{self, DnsRecord, RecordData};
use ghost_contract_sdk::prelude::*;
use ghost_contract_sdk::{env, event};

/// Most health checkers.
pub const MAX_CHECKERS: usize = 16;

const SETTINGS: Lazy<Settings> = Lazy::new(b"settings");
const ON_BACKUP: Lazy<bool> = Lazy::new(b"on_backup");
const VOTES: Lazy<Vec<(AccountId, bool)>> = Lazy::new(b"votes");

const SWITCHED: Hash = topic("Switched");

/// The failover's settings.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The name (`shop.ghost`).
    pub name: String,
    /// The label of the CNAME (`www`).
    pub label: String,
    /// Where the CNAME points while the primary is up.
    pub primary: String,
    /// Where it points while the primary is down.
    pub backup: String,
    /// Who may report.
    pub checkers: Vec<AccountId>,
    /// Votes needed to switch.
    pub quorum: u32,
    /// TTL of the CNAME (seconds).
    pub ttl: u32,
}

/// Why a call failed (the revert output).
#[derive(Encode, Decode, Debug, PartialEq, Eq)]
pub enum FailoverError {
    /// No checkers, too many, duplicates, or a quorum outside `1..=checkers`.
    BadSettings,
    /// The caller is not a checker.
    NotChecker,
    /// A host function refused (the contract does not own the name, a bad target, ...).
    Host(Error),
}

impl From<Error> for FailoverError {
    fn from(e: Error) -> Self {
        FailoverError::Host(e)
    }
}

/// The CNAME was rewritten.
#[derive(Encode, Decode)]
pub struct Switched {
    /// Where it points now.
    pub target: String,
}

contract! {
    deploy => deploy(settings: Settings),
    "report" => report(primary_up: bool) -> bool,
    "target" => target() -> String,
    "votes" => votes() -> Vec<(AccountId, bool)>,
    errors: FailoverError { BadSettings, NotChecker, Host(Error) },
    events: {
        Switched { target: String }
    },
}

fn deploy(settings: Settings) -> Result<(), FailoverError> {
    let checkers = &settings.checkers;
    let distinct = checkers
        .iter()
        .enumerate()
        .all(|(i, c)| !checkers[..i].contains(c));
    let quorum = settings.quorum as usize;
    if checkers.is_empty() || checkers.len() > MAX_CHECKERS || !distinct {
        return Err(FailoverError::BadSettings);
    }
    if quorum == 0 || quorum > checkers.len() {
        return Err(FailoverError::BadSettings);
    }
    SETTINGS.set(&settings)?;
    Ok(())
}

fn report(primary_up: bool) -> Result<bool, FailoverError> {
    let settings = load_settings();
    let checker = env::caller();
    if !settings.checkers.contains(&checker) {
        return Err(FailoverError::NotChecker);
    }
    let mut votes = VOTES.get_or_default();
    match votes.iter_mut().find(|(c, _)| *c == checker) {
        Some(vote) => vote.1 = primary_up,
        None => votes.push((checker, primary_up)),
    }
    VOTES.set(&votes)?;

    let on_backup = ON_BACKUP.get_or_default();
    // Votes for the side the CNAME does not point at now.
    let against = votes.iter().filter(|(_, up)| *up == on_backup).count();
    if (against as u32) < settings.quorum {
        return Ok(false);
    }
    let target = if on_backup {
        &settings.primary
    } else {
        &settings.backup
    };
    publish(&settings, target)?;
    ON_BACKUP.set(&!on_backup)?;
    event::emit(
        &[SWITCHED],
        &Switched {
            target: target.clone(),
        },
    );
    Ok(true)
}

fn target() -> Result<String, FailoverError> {
    let settings = load_settings();
    Ok(if ON_BACKUP.get_or_default() {
        settings.backup
    } else {
        settings.primary
    })
}

fn votes() -> Result<Vec<(AccountId, bool)>, FailoverError> {
    Ok(VOTES.get_or_default())
}

/// Rewrites the CNAME at the label to `target`, keeping every other record.
fn publish(settings: &Settings, target: &str) -> Result<(), Error> {
    let current = names::resolve(&settings.name)?;
    let mut records: Vec<DnsRecord> = current
        .records
        .into_iter()
        .filter(|r| !(r.label == settings.label && matches!(r.data, RecordData::CNAME(_))))
        .collect();
    records.push(DnsRecord {
        label: settings.label.clone(),
        ttl: settings.ttl,
        data: RecordData::CNAME(String::from(target)),
    });
    names::set_records(&settings.name, &records)
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

    /// 2-of-3 checkers over `www.site.ghost`, which also has an apex A record.
    fn watched() {
        test::reset();
        let a = DnsRecord::apex(300, RecordData::A([192, 0, 2, 1]));
        test::set_name("site.ghost", CONTRACT, vec![a]);
        let settings = Settings {
            name: String::from("site.ghost"),
            label: String::from("www"),
            primary: String::from("primary.example.com"),
            backup: String::from("backup.example.com"),
            checkers: vec![ALICE, BOB, CAROL],
            quorum: 2,
            ttl: 60,
        };
        assert_eq!(
            test::deploy(__ghost_contract_deploy, &settings),
            Outcome::ok(&())
        );
    }

    fn report(who: AccountId, up: bool) -> Outcome {
        test::set_caller(who);
        test::call(__ghost_contract_call, "report", &up)
    }

    fn cname() -> Option<String> {
        test::name("site.ghost")
            .unwrap()
            .records
            .iter()
            .find_map(|r| match &r.data {
                RecordData::CNAME(target) if r.label == "www" => Some(target.clone()),
                _ => None,
            })
    }

    #[test]
    fn a_quorum_of_down_votes_switches_to_the_backup_and_back() {
        watched();
        assert_eq!(
            report(ALICE, false),
            Outcome::ok(&false),
            "one vote is below the quorum"
        );
        assert_eq!(
            report(ALICE, false),
            Outcome::ok(&false),
            "a checker votes once"
        );
        assert_eq!(report(BOB, false), Outcome::ok(&true));
        assert_eq!(cname().as_deref(), Some("backup.example.com"));
        assert_eq!(
            test::call(__ghost_contract_call, "target", &()),
            Outcome::ok(&String::from("backup.example.com"))
        );
        let records = test::name("site.ghost").unwrap().records;
        assert!(
            records.iter().any(|r| r.is_apex()),
            "the other records stay: {records:?}"
        );
        assert_eq!(report(ALICE, true), Outcome::ok(&false));
        assert_eq!(report(CAROL, true), Outcome::ok(&true));
        assert_eq!(cname().as_deref(), Some("primary.example.com"));
    }

    #[test]
    fn outsiders_and_bad_settings_are_refused() {
        watched();
        assert_eq!(
            report(AccountId([9; 32]), false),
            Outcome::err(&FailoverError::NotChecker)
        );
        test::reset();
        let settings = Settings {
            name: String::from("site.ghost"),
            label: String::from("www"),
            primary: String::from("a.example"),
            backup: String::from("b.example"),
            checkers: vec![ALICE],
            quorum: 2,
            ttl: 60,
        };
        assert_eq!(
            test::deploy(__ghost_contract_deploy, &settings),
            Outcome::err(&FailoverError::BadSettings)
        );
    }
}
