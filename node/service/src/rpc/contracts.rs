//! `contracts_*`: dry-run calls and reads of contract code, instances and storage.
//!
//! Every method reads the state of `at` (default: the best block). `contracts_call` and
//! `contracts_instantiate` run the contract on a throwaway copy of that state
//! ([`api::contract_call_dry_run`], [`api::contract_instantiate_dry_run`]) on a blocking thread,
//! since a run may burn up to [`MAX_DRY_RUN_FUEL`]; at the best block the contract sees the wall
//! clock if it is later than the block's time, as domain queries do.
//! Malformed addresses are `INVALID_PARAMS` (malformed hex and hashes are rejected by the
//! parameter parser with the same code); an unknown `at` is `UNKNOWN_BLOCK`.

use ghost_primitives::{Bytes, Hash};
use ghost_rpc::{
    CodeInfoJson, ContractCallJson, ContractEventJson, ContractInfoJson, ContractInstantiateJson,
    ContractsApiServer, EventJson, MAX_CONTRACT_EVENT_BLOCKS, MAX_CONTRACT_EVENTS,
};
use ghost_runtime::RuntimeEvent;
use ghost_runtime::api::{self, ContractDryRun, ContractInstantiateDryRun};
use ghost_runtime::contracts::{Event as ContractsEvent, StorageDeposit};
use jsonrpsee::core::async_trait;

use super::RpcContext;
use super::domain::now_ms;
use super::errors::{RpcError, RpcResult};
use super::system::parse_account;

/// `contracts_*` handlers.
pub struct ContractsRpc(pub RpcContext);

/// The JSON form of a dry run.
fn call_json(run: ContractDryRun) -> ContractCallJson {
    let result = match (&run.result, run.reverted) {
        (Ok(()), _) => "ok",
        (Err(_), true) => "revert",
        (Err(_), false) => "error",
    };
    let error = run.result.as_ref().err().map(|e| match &run.exec_error {
        Some(exec) => format!("{e}: {exec}"),
        None => e.to_string(),
    });
    let (storage_deposit_charge, storage_deposit_refund) = match run.storage_deposit {
        StorageDeposit::Charge(amount) => (amount, 0),
        StorageDeposit::Refund(amount) => (0, amount),
    };
    ContractCallJson {
        result: result.into(),
        output: Bytes(run.output),
        reverted: run.reverted,
        error,
        fuel_consumed: run.fuel_consumed,
        storage_deposit_charge,
        storage_deposit_refund,
        events: run.events.iter().map(event_json).collect(),
        debug_message: run.debug_message,
    }
}

/// The JSON form of an instantiation dry run.
fn instantiate_json(dry: ContractInstantiateDryRun) -> ContractInstantiateJson {
    let run = call_json(dry.run);
    ContractInstantiateJson {
        address: dry.address,
        result: run.result,
        output: run.output,
        reverted: run.reverted,
        error: run.error,
        fuel_consumed: run.fuel_consumed,
        storage_deposit_charge: run.storage_deposit_charge,
        storage_deposit_refund: run.storage_deposit_refund,
        events: run.events,
        debug_message: run.debug_message,
    }
}

/// The JSON form of an event: pallet, variant and fields, with a contract event's data as hex.
pub fn event_json(event: &RuntimeEvent) -> EventJson {
    let (pallet, name, value) = match event {
        RuntimeEvent::System(e) => ("System", e.name(), serde_json::to_value(e)),
        RuntimeEvent::Balances(e) => ("Balances", e.name(), serde_json::to_value(e)),
        RuntimeEvent::Domains(e) => ("Domains", e.name(), serde_json::to_value(e)),
        RuntimeEvent::Contracts(ContractsEvent::ContractEmitted {
            contract,
            topics,
            data,
        }) => (
            "Contracts",
            "ContractEmitted",
            Ok(serde_json::json!({
                "contractEmitted": {
                    "contract": contract,
                    "topics": topics,
                    "data": Bytes(data.clone()),
                }
            })),
        ),
        RuntimeEvent::Contracts(e) => ("Contracts", e.name(), serde_json::to_value(e)),
        RuntimeEvent::Validators(e) => ("Validators", e.name(), serde_json::to_value(e)),
        RuntimeEvent::Sudo(e) => ("Sudo", e.name(), serde_json::to_value(e)),
        RuntimeEvent::EnsBridge(e) => ("EnsBridge", e.name(), serde_json::to_value(e)),
    };
    // Pallet events serialize as `{ "variantName": { fields } }`: keep the fields.
    let fields = match value {
        Ok(serde_json::Value::Object(map)) if map.len() == 1 => {
            map.into_iter().next().map(|(_, v)| v).unwrap_or_default()
        }
        Ok(other) => other,
        Err(_) => serde_json::Value::Null,
    };
    EventJson {
        pallet: pallet.into(),
        name: name.into(),
        fields,
    }
}

/// The most fuel one `contracts_call` or `contracts_instantiate` dry run may burn: anyone can
/// ask for one, so it is capped below the runtime's per-call limit (a dry run of 50M fuel takes
/// well under a second).
pub const MAX_DRY_RUN_FUEL: u64 = 50_000_000;

/// Refuses a dry-run fuel limit above [`MAX_DRY_RUN_FUEL`] (`INVALID_PARAMS`).
fn check_dry_run_fuel(fuel_limit: u64) -> Result<(), RpcError> {
    if fuel_limit > MAX_DRY_RUN_FUEL {
        return Err(RpcError::InvalidParams(format!(
            "fuel_limit {fuel_limit} is above this node's dry-run cap of {MAX_DRY_RUN_FUEL}"
        )));
    }
    Ok(())
}

#[async_trait]
impl ContractsApiServer for ContractsRpc {
    async fn dry_run_call(
        &self,
        origin: String,
        dest: String,
        value: u128,
        fuel_limit: u64,
        data: Bytes,
        at: Option<Hash>,
    ) -> RpcResult<ContractCallJson> {
        let origin = parse_account(&origin)?;
        let dest = parse_account(&dest)?;
        check_dry_run_fuel(fuel_limit)?;
        let header = self.0.header_at(at)?;
        let now = at.is_none().then(now_ms);
        let client = self.0.client.clone();
        let run = tokio::task::spawn_blocking(move || {
            api::contract_call_dry_run(
                client.store(),
                &header,
                origin,
                dest,
                value,
                fuel_limit,
                data.0,
                now,
            )
        })
        .await
        .map_err(|e| RpcError::Internal(format!("dry run aborted: {e}")))?
        .map_err(RpcError::from)?;
        Ok(call_json(run))
    }

    async fn dry_run_instantiate(
        &self,
        origin: String,
        code_hash: Hash,
        value: u128,
        fuel_limit: u64,
        data: Bytes,
        salt: Bytes,
        at: Option<Hash>,
    ) -> RpcResult<ContractInstantiateJson> {
        let origin = parse_account(&origin)?;
        check_dry_run_fuel(fuel_limit)?;
        let header = self.0.header_at(at)?;
        let now = at.is_none().then(now_ms);
        let client = self.0.client.clone();
        let dry = tokio::task::spawn_blocking(move || {
            api::contract_instantiate_dry_run(
                client.store(),
                &header,
                origin,
                code_hash,
                value,
                fuel_limit,
                data.0,
                salt.0,
                now,
            )
        })
        .await
        .map_err(|e| RpcError::Internal(format!("dry run aborted: {e}")))?
        .map_err(RpcError::from)?;
        Ok(instantiate_json(dry))
    }

    async fn contract_storage(
        &self,
        address: String,
        key: Bytes,
        at: Option<Hash>,
    ) -> RpcResult<Option<Bytes>> {
        let address = parse_account(&address)?;
        let header = self.0.header_at(at)?;
        let value = api::contract_storage(self.0.client.store(), &header, &address, &key)
            .map_err(RpcError::from)?;
        Ok(value.map(Bytes))
    }

    async fn code_info(
        &self,
        code_hash: Hash,
        at: Option<Hash>,
    ) -> RpcResult<Option<CodeInfoJson>> {
        let header = self.0.header_at(at)?;
        let info = api::contract_code_info(self.0.client.store(), &header, &code_hash)
            .map_err(RpcError::from)?;
        Ok(info.map(|i| CodeInfoJson {
            owner: i.owner,
            deposit: i.deposit,
            refcount: i.refcount,
            code_len: i.code_len,
        }))
    }

    async fn contract_events(
        &self,
        address: String,
        topic: Option<Hash>,
        from_block: u64,
        to_block: u64,
    ) -> RpcResult<Vec<ContractEventJson>> {
        let address = parse_account(&address)?;
        if from_block > to_block || to_block - from_block >= MAX_CONTRACT_EVENT_BLOCKS {
            return Err(RpcError::InvalidParams(format!(
                "block range {from_block}..={to_block}: give from_block <= to_block and at most \
                 {MAX_CONTRACT_EVENT_BLOCKS} blocks"
            ))
            .into());
        }
        let client = &self.0.client;
        let mut found = Vec::new();
        for number in from_block..=to_block {
            let Some(hash) = client.hash_by_number(number).map_err(RpcError::from)? else {
                break;
            };
            // Events are kept per block whatever the state pruning: no state check.
            let header = client
                .header(&hash)
                .map_err(RpcError::from)?
                .ok_or(RpcError::UnknownBlock(hash))?;
            let records = client.events(&header).map_err(RpcError::from)?;
            for record in records {
                let RuntimeEvent::Contracts(ContractsEvent::ContractEmitted {
                    contract,
                    topics,
                    data,
                }) = record.event
                else {
                    continue;
                };
                if contract != address || topic.is_some_and(|t| !topics.contains(&t)) {
                    continue;
                }
                if found.len() == MAX_CONTRACT_EVENTS {
                    return Err(RpcError::InvalidParams(format!(
                        "more than {MAX_CONTRACT_EVENTS} events in {from_block}..={to_block}: \
                         narrow the range or give a topic"
                    ))
                    .into());
                }
                found.push(ContractEventJson {
                    block_number: number,
                    block_hash: hash,
                    topics,
                    data: Bytes(data),
                });
            }
        }
        Ok(found)
    }

    async fn contract_info(
        &self,
        address: String,
        at: Option<Hash>,
    ) -> RpcResult<Option<ContractInfoJson>> {
        let address = parse_account(&address)?;
        let header = self.0.header_at(at)?;
        let info =
            api::contract_info(self.0.client.store(), &header, &address).map_err(RpcError::from)?;
        Ok(info.map(|i| ContractInfoJson {
            code_hash: i.code_hash,
            deployer: i.deployer,
            storage_bytes: i.storage_bytes,
            storage_items: i.storage_items,
            storage_deposit: i.storage_deposit,
            reentrant: i.reentrant,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_primitives::AccountId;
    use ghost_runtime::contracts::Error;

    fn dry_run(error: Option<Error>) -> ContractDryRun {
        ContractDryRun {
            reverted: error == Some(Error::ContractReverted),
            result: error.map_or(Ok(()), |e| Err(e.into())),
            output: vec![1, 2],
            exec_error: None,
            fuel_consumed: 7,
            storage_deposit: StorageDeposit::Charge(11),
            events: vec![],
            debug_message: "panicked at src/lib.rs:7:5".into(),
        }
    }

    #[test]
    fn results_are_ok_revert_or_error() {
        let ok = call_json(dry_run(None));
        assert_eq!(
            (ok.result.as_str(), ok.reverted, ok.error),
            ("ok", false, None)
        );
        let revert = call_json(dry_run(Some(Error::ContractReverted)));
        assert_eq!(revert.result, "revert");
        assert!(revert.reverted);
        assert_eq!(revert.output, Bytes(vec![1, 2]));
        assert_eq!(revert.error.as_deref(), Some("Contracts.ContractReverted"));
        assert_eq!(revert.debug_message, "panicked at src/lib.rs:7:5");
        let json = serde_json::to_value(&revert).expect("serializes");
        assert_eq!(json["debugMessage"], "panicked at src/lib.rs:7:5");
        let mut trapped = dry_run(Some(Error::OutOfFuel));
        trapped.exec_error = Some(ghost_runtime::contracts::ExecError::OutOfFuel);
        let error = call_json(trapped);
        assert_eq!(error.result, "error");
        assert_eq!(
            error.error.as_deref(),
            Some("Contracts.OutOfFuel: out of fuel")
        );
    }

    #[test]
    fn instantiate_results_carry_the_address() {
        let address = AccountId([5; 32]);
        let ok = instantiate_json(ContractInstantiateDryRun {
            address,
            run: dry_run(None),
        });
        assert_eq!(
            (ok.address, ok.result.as_str(), ok.reverted, ok.error),
            (address, "ok", false, None)
        );
        assert_eq!((ok.output, ok.fuel_consumed), (Bytes(vec![1, 2]), 7));
        assert_eq!(
            (ok.storage_deposit_charge, ok.storage_deposit_refund),
            (11, 0)
        );
        let revert = instantiate_json(ContractInstantiateDryRun {
            address,
            run: dry_run(Some(Error::ContractReverted)),
        });
        assert_eq!(
            (revert.address, revert.result.as_str()),
            (address, "revert")
        );
        assert!(revert.reverted);
        let refused = instantiate_json(ContractInstantiateDryRun {
            address,
            run: dry_run(Some(Error::ContractExists)),
        });
        assert_eq!(refused.result, "error");
        assert_eq!(refused.error.as_deref(), Some("Contracts.ContractExists"));
        assert!(check_dry_run_fuel(MAX_DRY_RUN_FUEL).is_ok());
        assert!(check_dry_run_fuel(MAX_DRY_RUN_FUEL + 1).is_err());
    }

    #[test]
    fn contract_events_show_data_as_hex() {
        let contract = AccountId([3; 32]);
        let emitted = RuntimeEvent::Contracts(ContractsEvent::ContractEmitted {
            contract,
            topics: vec![Hash([1; 32])],
            data: vec![0xab, 0xcd],
        });
        let json = event_json(&emitted);
        assert_eq!(
            (json.pallet.as_str(), json.name.as_str()),
            ("Contracts", "ContractEmitted")
        );
        assert_eq!(json.fields["data"], "0xabcd");
        assert_eq!(json.fields["contract"], contract.to_string());
        let called = event_json(&RuntimeEvent::Contracts(ContractsEvent::Called {
            caller: contract,
            contract,
        }));
        assert_eq!(called.name, "Called");
        assert_eq!(called.fields["caller"], contract.to_string());
    }
}
