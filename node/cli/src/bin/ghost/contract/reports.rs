//! What each `ghost contract` command prints.

use super::*;

/// Units and GHOST.
pub(super) fn balance_text(units: Balance) -> String {
    format!("{units} ({})", format_ghost(units))
}

/// `upload`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Uploaded {
    /// `blake3(code)`.
    pub code_hash: Hash,
    /// The code's length in bytes.
    pub code_len: usize,
    /// The deposit reserved from the signer; `null` with `--wait none`.
    pub deposit: Option<Balance>,
}

impl Render for Uploaded {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("code_hash", self.code_hash)
            .with("code_len", self.code_len)
            .with_opt("deposit", self.deposit.map(balance_text))
    }
}

/// `instantiate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Instantiated {
    /// The new contract.
    pub address: AccountId,
    /// Its code.
    pub code_hash: Hash,
    /// The signer.
    pub deployer: AccountId,
    /// Value moved to it, smallest units.
    pub value: Balance,
}

impl Render for Instantiated {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("address", self.address)
            .with("code_hash", self.code_hash)
            .with("deployer", self.deployer)
            .with("value", balance_text(self.value))
    }
}

/// `call`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Called {
    /// The contract.
    pub contract: AccountId,
    /// The method, if given by name.
    pub method: Option<String>,
    /// The call data sent.
    pub data: Bytes,
    /// Value moved, smallest units.
    pub value: Balance,
    /// The fuel limit paid for.
    pub fuel_limit: u64,
}

impl Render for Called {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("contract", self.contract)
            .with_opt("method", self.method.as_ref())
            .with("data", encode_hex(&self.data))
            .with("value", balance_text(self.value))
            .with("fuel_limit", self.fuel_limit)
    }
}

/// `query`: the node's `contracts_call` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Queried(pub ContractCallJson);

/// One event as a line: `Pallet.Name {fields}`.
pub(super) fn event_line(event: &EventJson) -> String {
    format!("{}.{} {}", event.pallet, event.name, event.fields)
}

/// The lines of a dry run's outcome: result, output, revert flag, error, fuel and events.
pub(super) fn outcome_lines(
    result: &str,
    output: &[u8],
    reverted: bool,
    error: Option<&String>,
    fuel_consumed: u64,
    events: &[EventJson],
) -> Lines {
    let mut lines = Lines::new()
        .with("result", result)
        .with("output", encode_hex(output))
        .with("reverted", reverted)
        .with_opt("error", error)
        .with("fuel_consumed", fuel_consumed);
    for (index, event) in events.iter().enumerate() {
        lines = lines.with(format!("event[{index}]"), event_line(event));
    }
    lines
}

impl Render for Queried {
    fn lines(&self) -> Lines {
        let r = &self.0;
        outcome_lines(
            &r.result,
            &r.output,
            r.reverted,
            r.error.as_ref(),
            r.fuel_consumed,
            &r.events,
        )
    }
}

/// `instantiate --dry-run`: the node's `contracts_instantiate` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct InstantiateQueried(pub ContractInstantiateJson);

impl Render for InstantiateQueried {
    fn lines(&self) -> Lines {
        let r = &self.0;
        Lines::new()
            .with("address", r.address)
            .append(outcome_lines(
                &r.result,
                &r.output,
                r.reverted,
                r.error.as_ref(),
                r.fuel_consumed,
                &r.events,
            ))
    }
}

// ---------------------------------------------------------------------------------------------
