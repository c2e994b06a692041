//! `ghost ens …`: link ENS names to ghost names and inspect the ENS bridge.
//!
//! ```text
//! ghost ens message <ENS_NAME> <GHOST_NAME> (--from SURI | --account ADDRESS)
//!                                 the exact EIP-191 text the ENS owner signs
//! ghost ens link <ENS_NAME> <GHOST_NAME> --from SURI (--eth-key HEX | --eth-signature HEX)
//!                                 request the link (the oracles then attest the ENS owner)
//! ghost ens status <ENS_NAME>     linked, suspended, pending or none
//! ghost ens reverse <GHOST_NAME>  the ENS name linked to a ghost name
//! ghost ens pending | oracles     pending requests; the oracle set and threshold
//! ghost ens unlink <ENS_NAME> --from SURI
//! ghost ens cancel <ENS_NAME> --from SURI
//! ```
//!
//! ENS names are normalised by ENSIP-15 (`Nick.ETH` → `nick.eth`) and ghost names by the chain's
//! IDNA rules (ENSIP-15, then punycode)
//! before anything is signed or sent. `link` signs the link message itself with `--eth-key`
//! (the ENS owner's secp256k1 secret, 32 bytes hex; it never leaves the process), or takes a
//! `--eth-signature` made elsewhere (a wallet's `personal_sign` of what `message` prints; the
//! signer's address is recovered from it). `link`, `unlink` and `cancel` take the options of
//! [`TxArgs`] (`--tip`, `--wait`, `--mortal`) and fail with the chain's error if the call
//! fails. The link itself is made later, when the oracles agree: follow it with `status`.

use clap::{Args, Subcommand};
use ghost_primitives::{AccountId, DomainName, EnsName, EthAddress, Hash};
use ghost_rpc::{EnsLinkJson, EnsOraclesJson, EnsRequestJson, normalize_ens_name, normalize_name};
use ghost_runtime::RuntimeCall;
use ghost_runtime::ens_bridge::eth::{EthKey, personal_message_hash, recover_signer};
use ghost_runtime::ens_bridge::{Call as EnsCall, EthSignature};
use serde::Serialize;

use crate::domain::{TxReport, settle};
use crate::keys::pair_from_suri;
use crate::output::{Output, Render};
use crate::query::parse_address;
use crate::rpc::{Client, Endpoint};
use crate::transfer::{Deadline, TxArgs, submit_call};

/// `ghost ens …`.
#[derive(Debug, Clone, Subcommand)]
pub enum EnsCommand {
    /// Print the exact text the ENS owner signs (EIP-191 `personal_sign`) to link a name.
    Message(MessageArgs),
    /// Request a link of an ENS name to a ghost name, signed by the ENS owner's Ethereum key.
    Link(LinkArgs),
    /// Whether an ENS name is linked, suspended, pending or neither.
    Status {
        /// The ENS name (normalised by ENSIP-15).
        ens_name: String,
    },
    /// The ENS name linked to a ghost name.
    Reverse {
        /// The ghost name.
        ghost_name: String,
    },
    /// Pending link requests.
    Pending,
    /// The oracle set and how many must agree.
    Oracles,
    /// Remove a link (the ghost name's owner); its records stay, managed on chain.
    Unlink(NameTxArgs),
    /// Withdraw a pending request (the requester, or anyone once it expired); returns the
    /// deposit.
    Cancel(NameTxArgs),
}

/// `ghost ens message …`.
#[derive(Debug, Clone, Args)]
pub struct MessageArgs {
    /// The ENS name.
    pub ens_name: String,
    /// The ghost name to link it to.
    pub ghost_name: String,
    /// The ghost account that will send the request, by secret URI.
    #[arg(
        long,
        value_name = "SURI",
        required_unless_present = "account",
        conflicts_with = "account"
    )]
    pub from: Option<String>,
    /// … or by address.
    #[arg(long, value_name = "ADDRESS")]
    pub account: Option<String>,
}

/// `ghost ens link …`.
#[derive(Debug, Clone, Args)]
pub struct LinkArgs {
    /// The ENS name.
    pub ens_name: String,
    /// The ghost name (registered for the signer at the normal price when the link is made,
    /// unless the signer owns it already).
    pub ghost_name: String,
    /// The ENS owner's Ethereum secret key (32 bytes hex), to sign the link message here.
    #[arg(
        long,
        value_name = "HEX",
        required_unless_present = "eth_signature",
        conflicts_with = "eth_signature"
    )]
    pub eth_key: Option<String>,
    /// A 65-byte `personal_sign` signature of what `ghost ens message` prints, made elsewhere.
    #[arg(long, value_name = "HEX")]
    pub eth_signature: Option<String>,
    /// Signer (the ghost account, who pays the deposit and the name) and submission.
    #[command(flatten)]
    pub tx: TxArgs,
}

/// `ghost ens unlink|cancel …`.
#[derive(Debug, Clone, Args)]
pub struct NameTxArgs {
    /// The ENS name.
    pub ens_name: String,
    /// Signer and submission.
    #[command(flatten)]
    pub tx: TxArgs,
}

mod reports;
mod run;
#[cfg(test)]
mod tests;

pub use reports::*;
pub use run::*;
