//! A DNS load balancer on chain: the contract owns a name and keeps its apex A records equal
//! to the set of healthy backends, as reported by health checkers that sign their reports.
//!
//! ## Model
//! - Settings (fixed at deploy, reporters replaceable by the admin): the name, the ed25519
//!   keys of the reporters, the TTL of the A records it writes, and how old a report may be.
//! - A *health report* `(ip, healthy, timestamp)` is signed by a reporter over
//!   `b"ghost-dns-balancer/report/v1" ++ contract address ++ SCALE(report)`: the address
//!   keeps a report for one balancer from being replayed on another. Anyone can relay signed
//!   reports with `report` (the relayer pays the fees).
//! - The backends are the admin's: `add_backend` and `remove_backend` (at most
//!   [`MAX_BACKENDS`]). Reporters only report the health of those; a report about any other IP
//!   is refused ([`BalancerError::UnknownBackend`]), so no reporter can point the name at an
//!   address of its choosing, and a removed backend leaves the records at once.
//! - A report is accepted if its reporter is configured, its IP is a backend, its signature verifies
//!   (`ed25519_verify`), its timestamp is newer than the last accepted report for that IP
//!   (no replays, no reordering), at most `max_report_age_ms` old and at most a minute ahead of
//!   the block time. A batch is all or nothing: one bad report reverts the call.
//! - After a batch, if the set of healthy IPs changed, the contract rewrites the name's records
//!   (`name_set_records`): every record that is not an apex A record is kept, and one apex A
//!   record per healthy IP is written. No healthy IP means no A record.
//! - The name: the admin makes the contract register it by commit-reveal (`commit_name` with a
//!   commitment computed off-chain, `names::commitment(name, contract, secret, duration_ms)`,
//!   then `register` with the secret once the chain's minimum commitment age has passed; dev
//!   chains need no commitment), paid from the contract's balance, or its owner transfers it to
//!   the contract. `release_name` hands it back.
//!
//! ## Methods
//! | method | arguments | returns | notes |
//! |---|---|---|---|
//! | `deploy` | `settings: Settings` | | the caller becomes the admin |
//! | `commit_name` | `commitment: Hash` | `()` | admin; commits the contract to a registration |
//! | `register` | `duration_ms: u64, secret: Hash` | `()` | admin; registers the name for the contract, revealing the commitment's secret |
//! | `report` | `reports: Vec<SignedReport>` | `Vec<[u8; 4]>`, the healthy IPs | anyone |
//! | `backends` | | `Vec<Backend>` | |
//! | `settings` | | `Settings` | |
//! | `set_reporters` | `reporters: Vec<AccountId>` | `()` | admin |
//! | `add_backend` | `ip: [u8; 4]` | `()` | admin; a new backend starts unhealthy until reported |
//! | `remove_backend` | `ip: [u8; 4]` | `()` | admin; its A record goes at once |
//! | `release_name` | `to: AccountId` | `()` | admin; transfers the name away |
//!
//! ## Storage
//! `settings: Settings`, `admin: AccountId`, `backends: Vec<Backend>` (at most
//! [`MAX_BACKENDS`]), all `Lazy`.
//!
//! ## Events
//! `HealthChanged { ip, healthy, reporter }` (topics `[topic("HealthChanged"), reporter]`) for
//! each report that changes a backend's health, and `RecordsUpdated { name, healthy }` (topics
//! `[topic("RecordsUpdated")]`) when the records are rewritten.

#![no_std]

use ghost_contract_sdk::names::{self, DnsRecord, RecordData};
use ghost_contract_sdk::prelude::*;
use ghost_contract_sdk::{crypto, env, event};

/// Most backends the contract tracks.
pub const MAX_BACKENDS: usize = 16;
/// Most reporters.
pub const MAX_REPORTERS: usize = 16;
/// How far ahead of the block time a report's timestamp may be (clock skew).
pub const MAX_FUTURE_MS: u64 = 60_000;
/// What every signed message starts with.
pub const REPORT_CONTEXT: &[u8] = b"ghost-dns-balancer/report/v1";

const SETTINGS: Lazy<Settings> = Lazy::new(b"settings");
const ADMIN: Lazy<AccountId> = Lazy::new(b"admin");
const BACKENDS: Lazy<Vec<Backend>> = Lazy::new(b"backends");

const HEALTH_CHANGED: Hash = topic("HealthChanged");
const RECORDS_UPDATED: Hash = topic("RecordsUpdated");

/// The balancer's settings.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The name whose A records the contract manages (`lb.ghost`).
    pub name: String,
    /// The ed25519 public keys whose reports count.
    pub reporters: Vec<AccountId>,
    /// TTL of the A records (seconds).
    pub ttl: u32,
    /// Reports older than this (block time minus report time) are refused.
    pub max_report_age_ms: u64,
}

/// What a reporter observed.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct HealthReport {
    /// The backend's IPv4 address.
    pub ip: [u8; 4],
    /// Whether it passed the health check.
    pub healthy: bool,
    /// When it was checked (ms since the epoch).
    pub timestamp: u64,
}

/// A report with its reporter's signature.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct SignedReport {
    /// The report.
    pub report: HealthReport,
    /// The reporter's ed25519 public key.
    pub reporter: AccountId,
    /// Its signature of [`REPORT_CONTEXT`] ++ contract address ++ `SCALE(report)`.
    pub signature: [u8; 64],
}

/// A backend as the contract knows it.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct Backend {
    /// Its IPv4 address.
    pub ip: [u8; 4],
    /// Its health in the last accepted report.
    pub healthy: bool,
    /// The timestamp of that report.
    pub reported_at: u64,
}

/// Why a call failed (the revert output).
#[derive(Encode, Decode, Debug, PartialEq, Eq)]
pub enum BalancerError {
    /// Only the admin may do this.
    NotAdmin,
    /// No reporters, or more than [`MAX_REPORTERS`].
    BadReporterCount,
    /// The report's key is not a configured reporter.
    UnknownReporter,
    /// The signature does not verify.
    BadSignature,
    /// The report is not newer than the last accepted one for its IP.
    StaleReport,
    /// The report is older than `max_report_age_ms`.
    ExpiredReport,
    /// The report's timestamp is too far ahead of the block time.
    FutureReport,
    /// `add_backend` beyond [`MAX_BACKENDS`].
    TooManyBackends,
    /// A host function refused (the contract does not own the name, ...).
    Host(Error),
    /// The report's IP is not one of the admin's backends (or `remove_backend` of an IP that
    /// is not one).
    UnknownBackend,
}

impl From<Error> for BalancerError {
    fn from(e: Error) -> Self {
        BalancerError::Host(e)
    }
}

/// A backend's health changed.
#[derive(Encode, Decode)]
pub struct HealthChanged {
    /// The backend.
    pub ip: [u8; 4],
    /// Its new health.
    pub healthy: bool,
    /// Who reported it.
    pub reporter: AccountId,
}

/// The name's A records were rewritten.
#[derive(Encode, Decode)]
pub struct RecordsUpdated {
    /// The name.
    pub name: String,
    /// The healthy IPs, now its A records.
    pub healthy: Vec<[u8; 4]>,
}

contract! {
    deploy => deploy(settings: Settings),
    "commit_name" => commit_name(commitment: Hash) -> (),
    "register" => register(duration_ms: u64, secret: Hash) -> (),
    "report" => report(reports: Vec<SignedReport>) -> Vec<[u8; 4]>,
    "backends" => backends() -> Vec<Backend>,
    "settings" => settings() -> Settings,
    "set_reporters" => set_reporters(reporters: Vec<AccountId>) -> (),
    "add_backend" => add_backend(ip: [u8; 4]) -> (),
    "remove_backend" => remove_backend(ip: [u8; 4]) -> (),
    "release_name" => release_name(to: AccountId) -> (),
    errors: BalancerError { NotAdmin, BadReporterCount, UnknownReporter, BadSignature, StaleReport, ExpiredReport, FutureReport, TooManyBackends, Host(Error), UnknownBackend },
    events: {
        HealthChanged { ip: [u8; 4], healthy: bool, reporter: AccountId }
        RecordsUpdated { name: String, healthy: Vec<[u8; 4]> }
    },
}

fn deploy(settings: Settings) -> Result<(), BalancerError> {
    check_reporters(&settings.reporters)?;
    ADMIN.set(&env::caller())?;
    SETTINGS.set(&settings)?;
    Ok(())
}

fn commit_name(commitment: Hash) -> Result<(), BalancerError> {
    ensure_admin()?;
    names::commit(&commitment)?;
    Ok(())
}

fn register(duration_ms: u64, secret: Hash) -> Result<(), BalancerError> {
    ensure_admin()?;
    names::register(&load_settings().name, duration_ms, &secret)?;
    Ok(())
}

fn report(reports: Vec<SignedReport>) -> Result<Vec<[u8; 4]>, BalancerError> {
    let settings = load_settings();
    let mut backends = BACKENDS.get_or_default();
    let before = healthy_ips(&backends);
    let now = env::block_timestamp();
    let address = env::address();

    for signed in &reports {
        let changed = apply(&settings, &mut backends, signed, now, &address)?;
        if changed {
            event::emit(
                &[HEALTH_CHANGED, signed.reporter.0],
                &HealthChanged {
                    ip: signed.report.ip,
                    healthy: signed.report.healthy,
                    reporter: signed.reporter,
                },
            );
        }
    }
    BACKENDS.set(&backends)?;

    let healthy = healthy_ips(&backends);
    if healthy != before {
        publish(&settings, &healthy)?;
        event::emit(
            &[RECORDS_UPDATED],
            &RecordsUpdated {
                name: settings.name,
                healthy: healthy.clone(),
            },
        );
    }
    Ok(healthy)
}

fn backends() -> Result<Vec<Backend>, BalancerError> {
    Ok(BACKENDS.get_or_default())
}

fn settings() -> Result<Settings, BalancerError> {
    Ok(load_settings())
}

fn set_reporters(reporters: Vec<AccountId>) -> Result<(), BalancerError> {
    ensure_admin()?;
    check_reporters(&reporters)?;
    let settings = Settings {
        reporters,
        ..load_settings()
    };
    SETTINGS.set(&settings)?;
    Ok(())
}

fn add_backend(ip: [u8; 4]) -> Result<(), BalancerError> {
    ensure_admin()?;
    let mut backends = BACKENDS.get_or_default();
    if backends.iter().any(|b| b.ip == ip) {
        return Ok(());
    }
    if backends.len() >= MAX_BACKENDS {
        return Err(BalancerError::TooManyBackends);
    }
    backends.push(Backend {
        ip,
        healthy: false,
        reported_at: 0,
    });
    BACKENDS.set(&backends)?;
    Ok(())
}

fn remove_backend(ip: [u8; 4]) -> Result<(), BalancerError> {
    ensure_admin()?;
    let mut backends = BACKENDS.get_or_default();
    let at = backends
        .iter()
        .position(|b| b.ip == ip)
        .ok_or(BalancerError::UnknownBackend)?;
    let was_healthy = backends.remove(at).healthy;
    BACKENDS.set(&backends)?;
    if was_healthy {
        let settings = load_settings();
        let healthy = healthy_ips(&backends);
        publish(&settings, &healthy)?;
        event::emit(
            &[RECORDS_UPDATED],
            &RecordsUpdated {
                name: settings.name,
                healthy,
            },
        );
    }
    Ok(())
}

fn release_name(to: AccountId) -> Result<(), BalancerError> {
    ensure_admin()?;
    names::transfer(&load_settings().name, &to)?;
    Ok(())
}

/// Checks one signed report and applies it to `backends`; returns whether the backend's
/// health changed.
fn apply(
    settings: &Settings,
    backends: &mut [Backend],
    signed: &SignedReport,
    now: u64,
    address: &AccountId,
) -> Result<bool, BalancerError> {
    let report = &signed.report;
    if !settings.reporters.contains(&signed.reporter) {
        return Err(BalancerError::UnknownReporter);
    }
    if report.timestamp > now.saturating_add(MAX_FUTURE_MS) {
        return Err(BalancerError::FutureReport);
    }
    if report.timestamp.saturating_add(settings.max_report_age_ms) < now {
        return Err(BalancerError::ExpiredReport);
    }
    let mut message = Vec::from(REPORT_CONTEXT);
    message.extend_from_slice(&address.0);
    report.encode_to(&mut message);
    if !crypto::ed25519_verify(&signed.signature, &signed.reporter.0, &message) {
        return Err(BalancerError::BadSignature);
    }

    let backend = backends
        .iter_mut()
        .find(|b| b.ip == report.ip)
        .ok_or(BalancerError::UnknownBackend)?;
    if report.timestamp <= backend.reported_at {
        return Err(BalancerError::StaleReport);
    }
    let changed = backend.healthy != report.healthy;
    backend.healthy = report.healthy;
    backend.reported_at = report.timestamp;
    Ok(changed)
}

/// Rewrites the name's records: everything but apex A records is kept; one apex A record
/// per healthy IP is added.
fn publish(settings: &Settings, healthy: &[[u8; 4]]) -> Result<(), Error> {
    let current = names::resolve(&settings.name)?;
    let mut records: Vec<DnsRecord> = current
        .records
        .into_iter()
        .filter(|r| !(r.is_apex() && matches!(r.data, RecordData::A(_))))
        .collect();
    records.extend(
        healthy
            .iter()
            .map(|ip| DnsRecord::apex(settings.ttl, RecordData::A(*ip))),
    );
    names::set_records(&settings.name, &records)
}

fn healthy_ips(backends: &[Backend]) -> Vec<[u8; 4]> {
    backends
        .iter()
        .filter(|b| b.healthy)
        .map(|b| b.ip)
        .collect()
}

fn check_reporters(reporters: &[AccountId]) -> Result<(), BalancerError> {
    if reporters.is_empty() || reporters.len() > MAX_REPORTERS {
        return Err(BalancerError::BadReporterCount);
    }
    Ok(())
}

fn ensure_admin() -> Result<(), BalancerError> {
    if ADMIN.get() != Some(env::caller()) {
        return Err(BalancerError::NotAdmin);
    }
    Ok(())
}

/// The settings, written at deploy (so always present).
fn load_settings() -> Settings {
    SETTINGS.get().unwrap_or_else(|| env::trap())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};
    use ghost_contract_sdk::names::RecordData;
    use ghost_contract_sdk::test::{self, BOB, CONTRACT, Outcome};

    const IP1: [u8; 4] = [10, 0, 0, 1];
    const IP2: [u8; 4] = [10, 0, 0, 2];
    const NOW: u64 = 1_000_000;

    fn reporter() -> SigningKey {
        SigningKey::from_bytes(&[4; 32])
    }

    fn signed(key: &SigningKey, ip: [u8; 4], healthy: bool, timestamp: u64) -> SignedReport {
        let report = HealthReport {
            ip,
            healthy,
            timestamp,
        };
        let mut message = Vec::from(REPORT_CONTEXT);
        message.extend_from_slice(&CONTRACT.0);
        report.encode_to(&mut message);
        SignedReport {
            report,
            reporter: AccountId(key.verifying_key().to_bytes()),
            signature: key.sign(&message).to_bytes(),
        }
    }

    /// A balancer that registered `lb.ghost` itself by commit-reveal, with two backends.
    fn balancer() {
        test::reset();
        test::require_commitments(true);
        test::set_block(1, NOW);
        let settings = Settings {
            name: String::from("lb.ghost"),
            reporters: vec![AccountId(reporter().verifying_key().to_bytes())],
            ttl: 30,
            max_report_age_ms: 60_000,
        };
        assert_eq!(
            test::deploy(__ghost_contract_deploy, &settings),
            Outcome::ok(&())
        );
        let secret = [7; 32];
        let year = 365 * 24 * 3_600 * 1_000u64;
        let commitment = names::commitment("lb.ghost", &CONTRACT, &secret, year);
        assert_eq!(
            test::call(__ghost_contract_call, "commit_name", &commitment),
            Outcome::ok(&())
        );
        assert_eq!(
            test::call(__ghost_contract_call, "register", &(year, secret)),
            Outcome::ok(&())
        );
        assert_eq!(test::name("lb.ghost").unwrap().owner, CONTRACT);
        for ip in [IP1, IP2] {
            assert_eq!(
                test::call(__ghost_contract_call, "add_backend", &ip),
                Outcome::ok(&())
            );
        }
    }

    fn a_records() -> Vec<[u8; 4]> {
        let mut ips: Vec<_> = test::name("lb.ghost")
            .unwrap()
            .records
            .iter()
            .filter_map(|r| match r.data {
                RecordData::A(ip) if r.is_apex() => Some(ip),
                _ => None,
            })
            .collect();
        ips.sort();
        ips
    }

    fn report(reports: Vec<SignedReport>) -> Outcome {
        test::set_caller(BOB);
        test::call(__ghost_contract_call, "report", &reports)
    }

    #[test]
    fn signed_reports_relayed_by_anyone_set_the_a_records() {
        balancer();
        let k = reporter();
        assert_eq!(
            report(vec![signed(&k, IP1, true, NOW), signed(&k, IP2, true, NOW)]),
            Outcome::ok(&vec![IP1, IP2])
        );
        assert_eq!(a_records(), vec![IP1, IP2]);
        assert_eq!(
            report(vec![signed(&k, IP2, false, NOW + 1)]),
            Outcome::ok(&vec![IP1])
        );
        assert_eq!(a_records(), vec![IP1]);
    }

    #[test]
    fn forged_replayed_old_and_unknown_reports_revert_the_whole_batch() {
        balancer();
        let k = reporter();
        report(vec![signed(&k, IP1, true, NOW)]);
        let stranger = SigningKey::from_bytes(&[5; 32]);
        assert_eq!(
            report(vec![signed(&stranger, IP2, true, NOW)]),
            Outcome::err(&BalancerError::UnknownReporter)
        );
        let mut tampered = signed(&k, IP2, true, NOW);
        tampered.report.healthy = false;
        assert_eq!(
            report(vec![tampered]),
            Outcome::err(&BalancerError::BadSignature)
        );
        assert_eq!(
            report(vec![signed(&k, IP1, false, NOW)]),
            Outcome::err(&BalancerError::StaleReport)
        );
        assert_eq!(
            report(vec![signed(&k, IP2, true, NOW - 60_001)]),
            Outcome::err(&BalancerError::ExpiredReport)
        );
        assert_eq!(
            report(vec![signed(&k, [10, 9, 9, 9], true, NOW)]),
            Outcome::err(&BalancerError::UnknownBackend)
        );
        // A good report followed by a bad one: nothing of the batch stays.
        assert_eq!(
            report(vec![
                signed(&k, IP2, true, NOW + 5),
                signed(&k, IP1, false, NOW)
            ]),
            Outcome::err(&BalancerError::StaleReport)
        );
        assert_eq!(a_records(), vec![IP1]);
        // Only the admin manages backends.
        assert_eq!(
            test::call(__ghost_contract_call, "add_backend", &[10u8, 0, 0, 3]),
            Outcome::err(&BalancerError::NotAdmin)
        );
    }
}
