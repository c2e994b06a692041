//! `ghost validators …`: the authority set, and root's changes to it.
//!
//! ```text
//! ghost validators show [--at HASH]        current set, queued set, set id, session
//! ghost validators add <ADDRESS> --from SURI
//! ghost validators remove <ADDRESS> --from SURI
//!                                          queue a change (sent as Sudo.Sudo by the sudo key);
//!                                          it takes effect at the next session boundary
//! ```
//!
//! `add` and `remove` check the queued set first (adding a member or removing a non-member is
//! refused before anything is signed). `Sudo.Sudo` succeeds even when the call it wraps fails,
//! so once the extrinsic is in a block the command reads the queued set there and fails unless
//! the change is in it.

use clap::{Args, Subcommand};
use ghost_client::validators::ValidatorSet;
use ghost_primitives::AccountId;
use ghost_runtime::RuntimeCall;
use ghost_runtime::validators::Call as ValidatorsCall;
use serde::Serialize;

use crate::domain::{TxReport, settle};
use crate::output::{Output, Render};
use crate::query::{parse_address, parse_hash};
use crate::rpc::Endpoint;
use crate::transfer::{Deadline, TxArgs, submit_call};

/// `ghost validators …`.
#[derive(Debug, Clone, Subcommand)]
pub enum ValidatorsCommand {
    /// The current validator set, the set queued for the next session, set id and session.
    Show {
        /// The block whose state to read (default: best).
        #[arg(long, value_name = "HASH")]
        at: Option<String>,
    },
    /// Queue a validator to join at the next session boundary (sudo).
    Add(ChangeArgs),
    /// Queue a validator to leave at the next session boundary (sudo).
    Remove(ChangeArgs),
}

/// `ghost validators add|remove …`.
#[derive(Debug, Clone, Args)]
pub struct ChangeArgs {
    /// The validator's address (`ghost1…`; its key authors and votes).
    pub address: String,
    /// The sudo key and submission.
    #[command(flatten)]
    pub tx: TxArgs,
}

/// `validators show`.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct SetReport(ValidatorSet);

impl Render for SetReport {}

/// What `add` / `remove` queued.
#[derive(Debug, Clone, Serialize)]
pub struct Queued {
    /// The validator added or removed.
    pub validator: AccountId,
    /// The set that takes over at the next session boundary (`null` with `--wait none`).
    pub next: Option<Vec<AccountId>>,
    /// The first block of the next session, from which the new set is in force.
    pub effective_at: Option<u64>,
}

impl Render for Queued {}

/// Runs a `validators` subcommand.
pub async fn run(
    endpoint: &Endpoint,
    command: ValidatorsCommand,
    out: &Output,
) -> anyhow::Result<()> {
    match command {
        ValidatorsCommand::Show { at } => {
            let at = at
                .as_deref()
                .map(|hash| parse_hash(hash, "block hash"))
                .transpose()?;
            let client = endpoint.connect().await?;
            out.emit(&SetReport(client.validator_set(at).await?))
        }
        ValidatorsCommand::Add(args) => change(endpoint, args, true, out).await,
        ValidatorsCommand::Remove(args) => change(endpoint, args, false, out).await,
    }
}

/// The first block of the session after the one `number` is in.
fn next_boundary(set: &ValidatorSet, number: u64) -> u64 {
    (number / set.session_length + 1).saturating_mul(set.session_length)
}

async fn change(
    endpoint: &Endpoint,
    args: ChangeArgs,
    add: bool,
    out: &Output,
) -> anyhow::Result<()> {
    let signer = args.tx.validate()?;
    let who = parse_address(&args.address)?;
    let deadline = Deadline::after(endpoint.timeout);
    let client = endpoint.connect().await?;
    let queued = client.validator_set(None).await?;
    if add && queued.next.contains(&who) {
        anyhow::bail!("{who} is already in the next validator set");
    }
    if !add && !queued.next.contains(&who) {
        anyhow::bail!("{who} is not in the next validator set");
    }
    let call = if add {
        ValidatorsCall::AddValidator { who }
    } else {
        ValidatorsCall::RemoveValidator { who }
    };
    let sudo = RuntimeCall::Sudo(ghost_runtime::sudo::Call::Sudo {
        call: parity_scale_codec::Encode::encode(&RuntimeCall::Validators(call)),
    });
    let tx = settle(submit_call(&client, &signer, sudo, deadline).await?, out)?;
    let (next, effective_at) = match (tx.block_hash, tx.block_number) {
        (Some(block), Some(number)) => {
            let set = client.validator_set(Some(block)).await?;
            if set.next.contains(&who) != add {
                anyhow::bail!(
                    "extrinsic {} is in block #{number} but the change is not queued there \
                     (the sudo key is not --from, or the set would be empty or too large)",
                    tx.extrinsic_hash
                );
            }
            let at = next_boundary(&set, number);
            (Some(set.next), Some(at))
        }
        _ => (None, None),
    };
    out.emit(&TxReport {
        details: Queued {
            validator: who,
            next,
            effective_at,
        },
        tx,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_primitives::Hash;
    use std::time::Duration;

    fn set(session_length: u64) -> ValidatorSet {
        ValidatorSet {
            at: Hash([0; 32]),
            validators: vec![],
            next: vec![],
            set_id: 0,
            session_length,
            session: 0,
        }
    }

    #[test]
    fn a_change_takes_effect_at_the_next_multiple_of_the_session_length() {
        assert_eq!(next_boundary(&set(20), 5), 20);
        assert_eq!(next_boundary(&set(20), 20), 40);
        assert_eq!(next_boundary(&set(20), 39), 40);
        assert_eq!(next_boundary(&set(1), 7), 8);
    }

    #[tokio::test]
    async fn a_bad_address_fails_before_connecting() {
        let endpoint = Endpoint {
            url: "ws://127.0.0.1:1".into(),
            timeout: Duration::from_secs(1),
        };
        let args = ChangeArgs {
            address: "nope".into(),
            tx: TxArgs {
                from: "//Alice".into(),
                tip: "0".into(),
                wait: crate::transfer::Wait::InBlock,
                mortal: None,
            },
        };
        let error = run(
            &endpoint,
            ValidatorsCommand::Add(args),
            &Output::buffer(false),
        )
        .await
        .unwrap_err();
        assert!(
            format!("{error:#}").contains("invalid address `nope`"),
            "{error:#}"
        );
    }
}
