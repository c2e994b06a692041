//! `ghost domain …`: register, manage, resolve and watch names.
//!
//! Names go through [`ghost_rpc::normalize_name`] (the chain's own IDNA rules: ENSIP-15, then
//! punycode; see `ghost_primitives::names`), so `Bücher.ghost`
//! is sent and stored as `xn--bcher-kva.ghost`. Every command checks its arguments before it
//! connects.
//!
//! Transactions (`register`, `renew` and the single-call ones: `set-record`, `remove-record`,
//! `transfer`, `subname`, `primary`, `approve`, `operator`, `update-key`, `clear-records`,
//! `set-addr`, `set-text`, `set-contenthash`, `signed-update`) take the options of [`TxArgs`] and
//! go through [`submit_call`], like `ghost transfer`: a call that is included but fails
//! (`Domains.NotOwner`, …) prints the inclusion report and ends the command with its error
//! (exit 1). A successful one prints what changed followed by `block_number`, `block_hash` and
//! `extrinsic_hash` ([`TxInfo`]). The single-call ones are checked by [`plan_change`] into a
//! [`Change`], whose [`Change::call`] builds the call and which is the report.
//!
//! `set-addr`, `set-text` and `set-contenthash` write web3 records (`SetRecords` with one
//! `SetAddress`, `SetText` or `SetContenthash`; `--clear` writes `None`). `signed-update` builds a
//! [`SignedRecordUpdate`] whose records replace all the name's DNS records (web3 records stay),
//! stamps it with the local clock (ms; the chain wants it later than the name's last signed update
//! and within its freshness window of the block time), signs the pallet's canonical
//! [`SignedRecordUpdate::signing_payload`] for the node's genesis hash and the name's current
//! update sequence (both read from the node) with `--signer` (the owner or the name's update key)
//! and submits `SetRecordsSigned` signed and paid for by `--relayer`.
//!
//! `register` reads `domain_params` first. When the chain asks for a commitment
//! (`minCommitmentAgeMs > 0`) it checks that the name is available, commits to
//! `blake3(SCALE(name, owner, secret))` with a random secret, waits for the commit to be in a
//! block, then waits until the commitment is old enough — by the best header's `timestampMs`, or
//! by the local clock, since an instant-seal node makes no block until it gets a transaction and
//! then stamps it with its author's clock — and only then submits `Register`. The command's
//! `--timeout` is extended by the commitment age. With no commitment needed it registers at once
//! with a zero secret. The cost printed is `domain_price` read before submitting.
//!
//! `resolve --proof` checks the node's answer against the block's state root:
//! [`ghost_client::verify::verify_resolution`] (on `ghost-light`) verifies every proven key,
//! recomputes the resolution from the proven storage values and requires it to equal the node's.
//! `resolve --verify` trusts only a genesis hash (`--genesis`, or computed from `--chain`):
//! [`ghost_client::Client::resolve_final`] follows the GRANDPA voter set from genesis through
//! every set change's justification, proves the node's finalized block final and checks the
//! answer against its state root, then prints `verified: at finalized #N`.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use ghost_primitives::bytes::{decode_hex, encode_hex};
use ghost_primitives::records::DEFAULT_TTL;
use ghost_primitives::{
    AccountId, Balance, Bytes, DnsRecord, DomainName, Hash, Pair, RecordData, RecordLabel,
    RecordType, Signature,
};
use ghost_rpc::{
    ChainApiClient, ChangeFilter, DomainApiClient, DomainChangeJson, DomainChangesJson,
    ResolutionJson, ResolutionProofJson, normalize_name,
};
use ghost_runtime::RuntimeCall;
use ghost_runtime::domains::{
    Call as DomainCall, DAY_MS, RecordChange, SignedRecordUpdate, YEAR_MS,
};
use serde::Serialize;
use tokio::time::{Duration, Instant};

use crate::keys::pair_from_suri;
use crate::output::{Lines, Output, Render};
use crate::query::parse_address;
use crate::rpc::{Client, Endpoint, RpcContext};
use crate::transfer::{Deadline, Signer, Submitted, TxArgs, Wait, submit_call};

/// Largest `domain_listByOwner` page the client asks for.
const LIST_PAGE: usize = 100;
/// How often `register` looks at the chain while a commitment matures.
const COMMITMENT_POLL: Duration = Duration::from_millis(500);
/// Longest `--contract-id` of a signed update, in bytes (the pallet's `ContractIdTooLong`).
const MAX_CONTRACT_ID_LEN: usize = 64;
#[cfg(test)]
pub use crate::shown::iso8601;
pub use crate::shown::{record_line, time_text};

mod args;
mod parse;
mod reports;
mod run;
#[cfg(test)]
mod tests;

pub use args::*;
pub use parse::*;
pub use reports::*;
pub use run::*;
