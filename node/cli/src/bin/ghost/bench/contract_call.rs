//! `ghost bench contract-call`: N calls of one method of a deployed contract (the same call
//! data each time), then a check that every included call succeeded.

use clap::Args;
use serde::Serialize;

use super::{Load, LoadArgs, LoadReport};
use crate::contract::{CallInput, RunArgs, parse_deposit_limit, validate_run};
use crate::output::Render;
use crate::rpc::Endpoint;

/// `ghost bench contract-call`.
#[derive(Debug, Clone, Args)]
pub struct ContractCallArgs {
    /// The contract's address (`ghost1…`).
    pub address: String,
    /// How much, from whom, how fast, where.
    #[command(flatten)]
    pub load: LoadArgs,
    /// Method and arguments, or data (as `ghost contract call` takes them).
    #[command(flatten)]
    pub input: CallInput,
    /// Value and fuel of each call.
    #[command(flatten)]
    pub run: RunArgs,
    /// Most each call may charge in storage deposits, net of refunds (default: no cap).
    #[arg(long, value_name = "AMOUNT")]
    pub storage_deposit_limit: Option<String>,
}

/// What `ghost bench contract-call` measured.
#[derive(Debug, Clone, Serialize)]
pub struct ContractCallReport {
    /// Throughput, latency, losses, failed calls.
    #[serde(flatten)]
    pub load: LoadReport,
    /// The contract.
    pub contract: ghost_primitives::AccountId,
    /// The fuel limit of each call.
    pub fuel_limit: u64,
}

impl Render for ContractCallReport {}

/// Runs the calls.
pub async fn run(
    endpoint: &Endpoint,
    args: ContractCallArgs,
    progress: bool,
) -> anyhow::Result<ContractCallReport> {
    let run = validate_run(&args.address, &args.input, &args.run)?;
    let storage_deposit_limit = parse_deposit_limit(args.storage_deposit_limit.as_deref())?;
    let load = Load::connect(endpoint, args.load).await?;
    let call = run.call(storage_deposit_limit);
    // The fee is quoted for the whole fuel limit (refunds come after); deposits on top.
    let fee = load.quoted_fee(call.clone()).await?;
    let per_call = fee
        .checked_mul(2)
        .and_then(|f| f.checked_add(run.value))
        .and_then(|f| f.checked_add(storage_deposit_limit.unwrap_or(ghost_runtime::GHOST)))
        .ok_or_else(|| anyhow::anyhow!("the cost of one call overflows"))?;
    load.fund(per_call).await?;
    let extrinsics = load.presign(|_, _| call.clone()).await?;
    let (report, _) = load.drive(extrinsics, progress).await?;
    Ok(ContractCallReport {
        load: report,
        contract: run.dest,
        fuel_limit: run.fuel,
    })
}
