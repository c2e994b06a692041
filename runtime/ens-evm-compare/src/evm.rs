//! ENS's side: the trace's transactions replayed in revm, gas checked against anvil's
//! receipts, one scenario's execution timed and its storage accesses counted.

use crate::trace::{Trace, TraceError, Transaction};
use crate::{median_cpu_time, micros};
use revm::context::{BlockEnv, TxEnv};
use revm::context_interface::result::ExecutionResult;
use revm::database::{CacheDB, EmptyDB};
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Address, B256, Bytes, TxKind, U256};
use revm::state::{AccountInfo, EvmState};
use revm::{Context, ExecuteCommitEvm, ExecuteEvm, MainBuilder, MainContext};
use serde::Serialize;
use std::str::FromStr;

/// Why the EVM side could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum EvmError {
    /// The trace is unusable.
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// anvil's hardfork has no revm spec.
    #[error("hardfork {0:?} is not one revm knows")]
    Hardfork(String),
    /// revm refused a transaction (nonce, balance, gas limit, ...).
    #[error("transaction {index} ({what}) was not executed: {reason}")]
    Invalid {
        /// Its index in the trace.
        index: usize,
        /// Its label.
        what: String,
        /// revm's error.
        reason: String,
    },
    /// A transaction that succeeded on anvil did not succeed here.
    #[error("transaction {index} ({what}) did not succeed in revm: {result}")]
    Failed {
        /// Its index in the trace.
        index: usize,
        /// Its label.
        what: String,
        /// revm's result.
        result: String,
    },
    /// A creation made another contract than on anvil (or a call made one).
    #[error("transaction {index} ({what}) created {replayed:?} in revm, {recorded:?} on anvil")]
    Address {
        /// Its index in the trace.
        index: usize,
        /// Its label.
        what: String,
        /// The address the replay created.
        replayed: Option<String>,
        /// The receipt's contractAddress.
        recorded: Option<String>,
    },
    /// The replay used other gas than anvil's receipt: the replay is not the same execution.
    #[error("transaction {index} ({what}) used {replayed} gas in revm, {recorded} on anvil")]
    GasMismatch {
        /// Its index in the trace.
        index: usize,
        /// Its label.
        what: String,
        /// Gas used in the replay.
        replayed: u64,
        /// The receipt's gasUsed.
        recorded: u64,
    },
}

/// Figures of one transaction of the measured scenario.
#[derive(Debug, Clone, Serialize)]
pub struct TxFigures {
    /// What it was (`register`, `setResolver`, `setDNSRecords`).
    pub what: String,
    /// Gas used (equal to anvil's receipt).
    pub gas_used: u64,
    /// Calldata bytes.
    pub calldata_bytes: usize,
    /// Median CPU time of its execution in revm, µs: validation, intrinsic gas, the interpreter, the
    /// journal's finalisation; no signature recovery and no state root.
    pub exec_us: f64,
    /// Storage slots loaded (read or written).
    pub slots_accessed: usize,
    /// Storage slots whose value changed.
    pub slots_written: usize,
    /// Of those, slots that were zero before (a new 32-byte entry in Ethereum's state).
    pub slots_created: usize,
    /// Accounts whose balance, nonce or code changed (the sender's nonce at least).
    pub accounts_written: usize,
    /// Logs emitted.
    pub logs: usize,
    /// Their bytes: 32 per topic plus the data.
    pub log_bytes: usize,
}

/// Figures of the measured scenario and of the replay that led to it.
#[derive(Debug, Clone, Serialize)]
pub struct EvmReport {
    /// anvil's version, as the trace recorded it.
    pub client_version: String,
    /// The revm spec the replay ran (anvil's hardfork).
    pub spec: String,
    /// The revm version.
    pub revm: &'static str,
    /// Transactions replayed, each with exactly the gas anvil's receipt reports.
    pub replayed: usize,
    /// The scenario's id (`C`: FIFS register + setResolver + setDNSRecords).
    pub scenario: String,
    /// Its title.
    pub title: String,
    /// Its transactions.
    pub txs: Vec<TxFigures>,
    /// Sum of the transactions' median CPU times, µs.
    pub exec_us: f64,
    /// Sum of gas used.
    pub gas_used: u64,
    /// Sum of storage slots written.
    pub slots_written: usize,
    /// Sum of storage slots created (zero before).
    pub slots_created: usize,
    /// Sum of storage slots accessed.
    pub slots_accessed: usize,
    /// Bytes of state the scenario writes, counted as Ethereum's state holds a slot: a 32-byte
    /// key and a 32-byte value per slot written (trie nodes not counted).
    pub slot_bytes_written: usize,
}

fn field(tx: &Transaction, index: usize, name: &'static str, expected: &'static str) -> TraceError {
    TraceError::Field {
        index,
        what: tx.what.clone(),
        field: name,
        expected,
    }
}

/// A trace field parsed as `T` (an address, a `0x` quantity, a hash).
fn parse<T: FromStr>(
    tx: &Transaction,
    index: usize,
    name: &'static str,
    s: &str,
    expected: &'static str,
) -> Result<T, TraceError> {
    T::from_str(s).map_err(|_| field(tx, index, name, expected))
}

fn tx_env(tx: &Transaction, index: usize, chain_id: u64) -> Result<TxEnv, TraceError> {
    let data =
        revm::primitives::hex::decode(&tx.data).map_err(|_| field(tx, index, "data", "hex"))?;
    let kind = match &tx.to {
        Some(to) => TxKind::Call(parse::<Address>(tx, index, "to", to, "an address")?),
        None => TxKind::Create,
    };
    let gas_limit = parse::<U256>(tx, index, "gasLimit", &tx.gas_limit, "a 0x quantity")?;
    TxEnv::builder()
        .tx_type(Some(0))
        .caller(parse::<Address>(tx, index, "from", &tx.from, "an address")?)
        .nonce(tx.nonce)
        .kind(kind)
        .data(Bytes::from(data))
        .value(parse::<U256>(
            tx,
            index,
            "value",
            &tx.value,
            "a 0x quantity",
        )?)
        .gas_limit(u64::try_from(gas_limit).map_err(|_| field(tx, index, "gasLimit", "a u64"))?)
        .gas_price(0)
        .chain_id(Some(chain_id))
        .build()
        .map_err(|_| field(tx, index, "transaction", "a valid legacy transaction"))
}

fn block_env(tx: &Transaction, index: usize) -> Result<BlockEnv, TraceError> {
    let b = &tx.block;
    let gas_limit = parse::<U256>(tx, index, "block.gasLimit", &b.gas_limit, "a 0x quantity")?;
    let prevrandao = match &b.prev_randao {
        Some(r) => Some(parse::<B256>(tx, index, "block.prevRandao", r, "32 bytes")?),
        None => Some(B256::ZERO),
    };
    Ok(BlockEnv {
        number: U256::from(b.number),
        beneficiary: parse::<Address>(tx, index, "block.coinbase", &b.coinbase, "an address")?,
        timestamp: U256::from(b.timestamp),
        gas_limit: u64::try_from(gas_limit)
            .map_err(|_| field(tx, index, "block.gasLimit", "a u64"))?,
        // Fees are not what is measured: no base fee, gas price 0, so balances only move by value.
        basefee: 0,
        prevrandao,
        ..BlockEnv::default()
    })
}

/// Storage and account writes of one executed transaction.
fn count_state(state: &EvmState, figures: &mut TxFigures) {
    for account in state.values() {
        if account.is_changed() || account.is_created() {
            figures.accounts_written += 1;
        }
        for slot in account.storage.values() {
            figures.slots_accessed += 1;
            if slot.is_changed() {
                figures.slots_written += 1;
                if slot.original_value.is_zero() {
                    figures.slots_created += 1;
                }
            }
        }
    }
}

/// Replays every transaction of `trace` in revm (each must use exactly its recorded gas) and
/// measures scenario `scenario_id`'s transactions: each executed about `iterations` times
/// (without committing) on the state the ones before it left.
pub fn measure(trace: &Trace, scenario_id: &str, iterations: usize) -> Result<EvmReport, EvmError> {
    let (scenario, measured) = trace.scenario(scenario_id)?;
    let hardfork = trace
        .environment
        .hardfork
        .clone()
        .unwrap_or_else(|| "Osaka".into());
    let spec = SpecId::from_str(&hardfork).map_err(|_| EvmError::Hardfork(hardfork.clone()))?;
    let chain_id = trace.environment.chain_id;

    // anvil's dev accounts start with 10,000 ETH each.
    let mut db = CacheDB::new(EmptyDB::default());
    for (index, tx) in trace.transactions.iter().enumerate() {
        let from = parse::<Address>(tx, index, "from", &tx.from, "an address")?;
        db.insert_account_info(
            from,
            AccountInfo {
                balance: U256::from(10_000u64) * U256::from(10u64).pow(U256::from(18u64)),
                ..AccountInfo::default()
            },
        );
    }
    let mut evm = Context::mainnet()
        .with_db(db)
        .modify_cfg_chained(|cfg| {
            cfg.set_spec_and_mainnet_gas_params(spec);
            cfg.chain_id = chain_id;
        })
        .build_mainnet();

    let mut txs = Vec::new();
    for (index, tx) in trace.transactions.iter().enumerate() {
        let env = tx_env(tx, index, chain_id)?;
        let invalid = |e: &dyn std::fmt::Display| EvmError::Invalid {
            index,
            what: tx.what.clone(),
            reason: e.to_string(),
        };
        evm.set_block(block_env(tx, index)?);
        if measured.contains(&index) {
            let mut figures = TxFigures {
                what: tx.what.clone(),
                gas_used: tx.gas_used,
                calldata_bytes: env.data.len(),
                exec_us: 0.0,
                slots_accessed: 0,
                slots_written: 0,
                slots_created: 0,
                accounts_written: 0,
                logs: 0,
                log_bytes: 0,
            };
            let once = evm.transact(env.clone()).map_err(|e| invalid(&e))?;
            count_state(&once.state, &mut figures);
            for log in once.result.logs() {
                figures.logs += 1;
                figures.log_bytes += 32 * log.topics().len() + log.data.data.len();
            }
            let time = median_cpu_time(21, iterations.div_ceil(21), |_| evm.transact(env.clone()));
            figures.exec_us = micros(time);
            txs.push(figures);
        }
        let result = evm.transact_commit(env).map_err(|e| invalid(&e))?;
        check(index, tx, &result)?;
    }
    let sum = |f: fn(&TxFigures) -> usize| txs.iter().map(f).sum::<usize>();
    let slots_written = sum(|t| t.slots_written);
    Ok(EvmReport {
        client_version: trace.environment.client_version.clone(),
        spec: format!("{spec:?}"),
        revm: "43.0.3",
        replayed: trace.transactions.len(),
        scenario: scenario.id.clone(),
        title: scenario.title.clone(),
        exec_us: txs.iter().map(|t| t.exec_us).sum(),
        gas_used: txs.iter().map(|t| t.gas_used).sum(),
        slots_written,
        slots_created: sum(|t| t.slots_created),
        slots_accessed: sum(|t| t.slots_accessed),
        slot_bytes_written: 64 * slots_written,
        txs,
    })
}

fn check(index: usize, tx: &Transaction, result: &ExecutionResult) -> Result<(), EvmError> {
    if !result.is_success() {
        return Err(EvmError::Failed {
            index,
            what: tx.what.clone(),
            result: format!("{result:?}"),
        });
    }
    if result.tx_gas_used() != tx.gas_used {
        return Err(EvmError::GasMismatch {
            index,
            what: tx.what.clone(),
            replayed: result.tx_gas_used(),
            recorded: tx.gas_used,
        });
    }
    let created = result.created_address().map(|a| a.to_checksum(None));
    let recorded = tx
        .contract_address
        .as_deref()
        .map(|a| Address::from_str(a).map_or_else(|_| a.to_string(), |a| a.to_checksum(None)));
    if created != recorded {
        return Err(EvmError::Address {
            index,
            what: tx.what.clone(),
            replayed: created,
            recorded,
        });
    }
    Ok(())
}
