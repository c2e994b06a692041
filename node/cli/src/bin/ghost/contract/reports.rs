//! What each `ghost contract` command prints.

use super::*;

use crate::shown;
pub(super) use crate::shown::balance_text;

/// `upload`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Uploaded {
    /// `blake3(code)`.
    pub code_hash: Hash,
    /// The code's length in bytes.
    pub code_len: usize,
    /// The deposit reserved from the signer; `null` with `--wait none`.
    #[serde(serialize_with = "shown::opt_amount")]
    pub deposit: Option<Balance>,
    /// `blake3` of the ABI JSON the file carried (its `ghost-abi` section, stripped from the
    /// uploaded code); `null` if it had none.
    pub abi_hash: Option<Hash>,
}

impl Render for Uploaded {}

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
    #[serde(serialize_with = "shown::amount")]
    pub value: Balance,
}

impl Render for Instantiated {}

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
    #[serde(serialize_with = "shown::amount")]
    pub value: Balance,
    /// The fuel limit paid for.
    pub fuel_limit: u64,
}

impl Render for Called {}

/// Why a contract reverted, from its revert output, in words a caller can act on.
///
/// The SDK (`contracts/sdk`, `dispatch`) reverts with an empty output when the call data does
/// not match the contract's methods, and with `SCALE(error)` when a method returns `Err`, where
/// the first byte of a SCALE enum is the variant's index.
#[cfg(test)]
pub fn revert_reason(output: &[u8]) -> String {
    revert_reason_with(None, output)
}

/// [`revert_reason`], naming the error by `abi`'s error enum when its output decodes as one.
pub fn revert_reason_with(abi: Option<&Abi>, output: &[u8]) -> String {
    if let Some(text) = abi.and_then(|abi| abi.revert_text(output)) {
        return format!(
            "the contract returned {text} (output {})",
            encode_hex(output)
        );
    }
    match output.split_first() {
        None => "the contract refused the call data: no method has this selector (check \
                 --method), the arguments do not decode as the method's (check the count and \
                 types of --args), or --value was sent to a method that is not payable"
            .to_string(),
        Some((variant, [])) => format!(
            "the contract returned its error variant {variant} (output {}); its documentation \
             lists its errors in order from 0",
            encode_hex(output)
        ),
        Some((variant, payload)) => format!(
            "the contract returned its error variant {variant} with payload {} (output {}); its \
             documentation lists its errors in order from 0",
            encode_hex(payload),
            encode_hex(output)
        ),
    }
}

/// `events`: the node's `contracts_events` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ContractEvents(pub Vec<ghost_rpc::ContractEventJson>);

/// `events --abi`: each event with its fields decoded (`decoded: null` when the ABI has no
/// event with its first topic, or its data does not decode as that event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DecodedEvents(pub Vec<DecodedEvent>);

/// One event of [`DecodedEvents`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecodedEvent {
    /// What the node answered.
    #[serde(flatten)]
    pub event: ghost_rpc::ContractEventJson,
    /// `{"Name": {fields}}`.
    pub decoded: Option<serde_json::Value>,
}

impl DecodedEvents {
    /// `events` decoded with `abi`.
    pub fn new(abi: &Abi, events: Vec<ghost_rpc::ContractEventJson>) -> Self {
        DecodedEvents(
            events
                .into_iter()
                .map(|event| DecodedEvent {
                    decoded: abi.decode_event(&event.topics, &event.data),
                    event,
                })
                .collect(),
        )
    }
}

impl Render for DecodedEvents {
    fn lines(&self) -> Lines {
        let mut lines = Lines::new().with("events", self.0.len());
        for (index, e) in self.0.iter().enumerate() {
            let text = match &e.decoded {
                Some(decoded) => format!("block {} {decoded}", e.event.block_number),
                None => format!(
                    "block {} (not in the ABI) data {}",
                    e.event.block_number,
                    encode_hex(&e.event.data)
                ),
            };
            lines = lines.with(format!("event[{index}]"), text);
        }
        lines
    }
}

impl Render for ContractEvents {
    fn lines(&self) -> Lines {
        let mut lines = Lines::new().with("events", self.0.len());
        for (index, e) in self.0.iter().enumerate() {
            let topics: Vec<String> = e.topics.iter().map(ToString::to_string).collect();
            lines = lines.with(
                format!("event[{index}]"),
                format!(
                    "block {} topics [{}] data {}",
                    e.block_number,
                    topics.join(", "),
                    encode_hex(&e.data)
                ),
            );
        }
        lines
    }
}

/// `query`: the node's `contracts_call` answer, and why the contract reverted if it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Queried {
    /// The node's answer.
    #[serde(flatten)]
    pub answer: ContractCallJson,
    /// [`revert_reason`] of the output when the contract reverted.
    #[serde(rename = "revertReason", skip_serializing_if = "Option::is_none")]
    pub revert_reason: Option<String>,
    /// With `--abi`: the output decoded as the method's return type (when it did not revert).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
}

impl Queried {
    /// The answer with its revert explained.
    #[cfg(test)]
    pub fn new(answer: ContractCallJson) -> Self {
        Self::with_abi(answer, None, None)
    }

    /// The answer with its revert explained and its output decoded as `returns` by `abi`.
    pub fn with_abi(answer: ContractCallJson, abi: Option<&Abi>, returns: Option<&str>) -> Self {
        let revert_reason = answer
            .reverted
            .then(|| revert_reason_with(abi, &answer.output));
        let value = (answer.result == "ok")
            .then(|| decode_output(returns, &answer.output))
            .flatten();
        Queried {
            answer,
            revert_reason,
            value,
        }
    }
}

/// One event as a line: `Pallet.Name {fields}`.
pub(super) fn event_line(event: &EventJson) -> String {
    format!("{}.{} {}", event.pallet, event.name, event.fields)
}

/// What a dry run would do to the origin's storage deposits: `charge N (…)` or `refund N (…)`.
pub(super) fn deposit_text(charge: Balance, refund: Balance) -> String {
    if refund > 0 {
        format!("refund {}", balance_text(refund))
    } else {
        format!("charge {}", balance_text(charge))
    }
}

/// A dry run's outcome, as [`outcome_lines`] prints it.
pub(super) struct Outcome<'a> {
    pub(super) result: &'a str,
    pub(super) output: &'a [u8],
    pub(super) value: Option<&'a serde_json::Value>,
    pub(super) reverted: bool,
    pub(super) revert_reason: Option<&'a String>,
    pub(super) error: Option<&'a String>,
    /// The contract's debug messages (panic location, why dispatch refused the call data).
    pub(super) debug_message: &'a str,
    pub(super) fuel_consumed: u64,
    pub(super) storage_deposit: String,
    pub(super) events: &'a [EventJson],
}

/// The lines of a dry run's outcome: result, output, revert flag and reason, error, the
/// contract's debug messages (if any), fuel, storage deposit and events.
pub(super) fn outcome_lines(o: Outcome<'_>) -> Lines {
    let mut lines = Lines::new()
        .with("result", o.result)
        .with("output", encode_hex(o.output))
        .with_opt("value", o.value.map(value_text))
        .with("reverted", o.reverted)
        .with_opt("revert_reason", o.revert_reason)
        .with_opt("error", o.error)
        .with_opt(
            "debug_message",
            (!o.debug_message.is_empty()).then_some(o.debug_message),
        )
        .with("fuel_consumed", o.fuel_consumed)
        .with("storage_deposit", o.storage_deposit);
    let events = o.events;
    for (index, event) in events.iter().enumerate() {
        lines = lines.with(format!("event[{index}]"), event_line(event));
    }
    lines
}

impl Render for Queried {
    fn lines(&self) -> Lines {
        let r = &self.answer;
        outcome_lines(Outcome {
            result: &r.result,
            output: &r.output,
            value: self.value.as_ref(),
            reverted: r.reverted,
            revert_reason: self.revert_reason.as_ref(),
            error: r.error.as_ref(),
            debug_message: &r.debug_message,
            fuel_consumed: r.fuel_consumed,
            storage_deposit: deposit_text(r.storage_deposit_charge, r.storage_deposit_refund),
            events: &r.events,
        })
    }
}

/// `instantiate --dry-run`: the node's `contracts_instantiate` answer, and why `deploy`
/// reverted if it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstantiateQueried {
    /// The node's answer.
    #[serde(flatten)]
    pub answer: ContractInstantiateJson,
    /// [`revert_reason`] of the output when `deploy` reverted.
    #[serde(rename = "revertReason", skip_serializing_if = "Option::is_none")]
    pub revert_reason: Option<String>,
}

impl InstantiateQueried {
    /// The answer with its revert explained.
    #[cfg(test)]
    pub fn new(answer: ContractInstantiateJson) -> Self {
        Self::with_abi(answer, None)
    }

    /// The answer with its revert explained by `abi`'s error enum.
    pub fn with_abi(answer: ContractInstantiateJson, abi: Option<&Abi>) -> Self {
        let revert_reason = answer
            .reverted
            .then(|| revert_reason_with(abi, &answer.output));
        InstantiateQueried {
            answer,
            revert_reason,
        }
    }
}

impl Render for InstantiateQueried {
    fn lines(&self) -> Lines {
        let r = &self.answer;
        Lines::new()
            .with("address", r.address)
            .append(outcome_lines(Outcome {
                result: &r.result,
                output: &r.output,
                value: None,
                reverted: r.reverted,
                revert_reason: self.revert_reason.as_ref(),
                error: r.error.as_ref(),
                debug_message: &r.debug_message,
                fuel_consumed: r.fuel_consumed,
                storage_deposit: deposit_text(r.storage_deposit_charge, r.storage_deposit_refund),
                events: &r.events,
            }))
    }
}

// ---------------------------------------------------------------------------------------------
