//! `ghost bench transfer`: N balance transfers of `--amount` to one recipient, then a check that
//! the recipient's balance grew by exactly the succeeded ones.

use clap::Args;
use ghost_primitives::{AccountId, Balance};
use ghost_runtime::{GHOST, RuntimeCall, balances};
use serde::Serialize;

use super::{Load, LoadArgs, LoadReport};
use crate::amount::parse_amount;
use crate::output::Render;
use crate::query::parse_address;
use crate::rpc::Endpoint;

/// `ghost bench transfer`.
#[derive(Debug, Clone, Args)]
pub struct TransferArgs {
    /// How much, from whom, how fast, where.
    #[command(flatten)]
    pub load: LoadArgs,
    /// What each transfer moves (`1000`, `1.5GHOST`).
    #[arg(long, default_value = "1GHOST", value_parser = parse_amount)]
    pub amount: Balance,
    /// The recipient (default: the account of `//bench/sink`).
    #[arg(long, value_name = "ADDRESS", value_parser = parse_address)]
    pub to: Option<AccountId>,
}

/// What `ghost bench transfer` measured.
#[derive(Debug, Clone, Serialize)]
pub struct TransferReport {
    /// Throughput, latency, losses.
    #[serde(flatten)]
    pub load: LoadReport,
    /// The recipient.
    pub to: AccountId,
    /// How much its free balance grew during the run.
    pub received: Balance,
    /// Whether that is exactly `succeeded × amount`.
    pub balance_checked: bool,
}

impl Render for TransferReport {}

/// Runs the transfers and the check.
pub async fn run(
    endpoint: &Endpoint,
    args: TransferArgs,
    progress: bool,
) -> anyhow::Result<TransferReport> {
    anyhow::ensure!(args.amount > 0, "--amount must be positive");
    let load = Load::connect(endpoint, args.load).await?;
    let to = match args.to {
        Some(to) => to,
        None => ghost_client::Signer::from_suri("//bench/sink")?.account(),
    };
    anyhow::ensure!(
        !load.signers.iter().any(|s| s.account() == to),
        "--to is one of the bench accounts: its balance would not measure the transfers"
    );
    let call = |value| RuntimeCall::Balances(balances::Call::Transfer { dest: to, value });
    let fee = load.quoted_fee(call(args.amount)).await?;
    let per_transfer = fee
        .checked_mul(2)
        .and_then(|f| f.checked_add(args.amount))
        .ok_or_else(|| anyhow::anyhow!("--amount {} overflows", args.amount))?;
    load.fund(per_transfer.max(GHOST / 1_000)).await?;
    let extrinsics = load.presign(|_, _| call(args.amount)).await?;
    let before = load.first().fetch_account(&to).await?.free;
    let (report, _) = load.drive(extrinsics, progress).await?;
    let after = load.first().fetch_account(&to).await?.free;
    let received = after.saturating_sub(before);
    Ok(TransferReport {
        balance_checked: Some(received) == args.amount.checked_mul(u128::from(report.succeeded)),
        load: report,
        to,
        received,
    })
}
