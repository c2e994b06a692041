//! Running `ghost contract` commands: validate, connect, dry-run or submit through
//! `ghost-client`, print the report.

use super::*;

// running

/// Runs a `contract` subcommand.
pub async fn run(
    endpoint: &Endpoint,
    command: ContractCommand,
    out: &Output,
) -> anyhow::Result<()> {
    match command {
        ContractCommand::Upload(args) => upload(endpoint, args, out).await,
        ContractCommand::Instantiate(args) => instantiate(endpoint, args, out).await,
        ContractCommand::Call(args) => call(endpoint, args, out).await,
        ContractCommand::Query(args) => query(endpoint, args, out).await,
        ContractCommand::Events(args) => events(endpoint, args, out).await,
        ContractCommand::New(args) => new_contract(args, out),
    }
}

/// Runs `events`.
pub(super) async fn events(
    endpoint: &Endpoint,
    args: EventsArgs,
    out: &Output,
) -> anyhow::Result<()> {
    let address = parse_address(&args.address)?;
    let topic = args
        .topic
        .as_deref()
        .map(|t| parse_hash(t, "topic").map_err(|e| e.context("--topic")))
        .transpose()?;
    let client = endpoint.connect().await?;
    let to_block = match args.to_block {
        Some(n) => n,
        None => {
            ghost_rpc::ChainApiClient::header(&client, None)
                .await
                .rpc_context("reading the best block (chain_getHeader)")?
                .ok_or_else(|| anyhow::anyhow!("the node has no best block"))?
                .number
        }
    };
    let span = ghost_rpc::MAX_CONTRACT_EVENT_BLOCKS - 1;
    let from_block = args
        .from_block
        .unwrap_or_else(|| to_block.saturating_sub(span));
    let events = client
        .contract_events(address.to_string(), topic, from_block, to_block)
        .await
        .rpc_context(format_args!(
            "reading the events of {address} in blocks {from_block}..={to_block} \
             (contracts_events)"
        ))?;
    match args.abi.as_deref().map(load_abi).transpose()? {
        Some(abi) => out.emit(&DecodedEvents::new(&abi, events)),
        None => out.emit(&ContractEvents(events)),
    }
}

/// Reads a contract binary, refusing what is plainly not one.
pub(super) fn read_code(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    let code =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
    if !code.starts_with(WASM_MAGIC) {
        anyhow::bail!(
            "{} is not a WebAssembly binary (compile WAT text with `wat2wasm` first)",
            path.display()
        );
    }
    Ok(code)
}

/// Runs `upload`.
pub(super) async fn upload(
    endpoint: &Endpoint,
    args: UploadArgs,
    out: &Output,
) -> anyhow::Result<()> {
    let signer = args.tx.validate()?;
    let file = read_code(&args.file)?;
    let (code, abi) = ghost_runtime::contracts::abi_section::split_abi(&file)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    if let Some(abi) = &abi {
        parse_abi(abi)
            .map_err(|e| e.context(format!("the ghost-abi section of {}", args.file.display())))?;
    }
    let abi_hash = abi.as_deref().map(blake3_256);
    let code_hash = blake3_256(&code);
    let code_len = code.len();

    let deadline = Deadline::after(endpoint.timeout);
    let client = endpoint.connect().await?;
    if let Some(info) = code_info(&client, code_hash, None).await? {
        anyhow::bail!(
            "code {code_hash} is already stored (uploaded by {}); instantiate it",
            info.owner
        );
    }
    let call = RuntimeCall::Contracts(ContractsCall::UploadCode { code });
    let tx = settle(submit_call(&client, &signer, call, deadline).await?, out)?;
    let deposit = match tx.block_hash {
        None => None,
        Some(block) => {
            let info = code_info(&client, code_hash, Some(block))
                .await?
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "the upload succeeded but block {block} has no code {code_hash}"
                    )
                })?;
            Some(info.deposit)
        }
    };
    out.emit(&TxReport {
        details: Uploaded {
            code_hash,
            code_len,
            deposit,
            abi_hash,
        },
        tx,
    })
}

/// `contracts_codeInfo`.
pub(super) async fn code_info(
    client: &Client,
    code_hash: Hash,
    at: Option<Hash>,
) -> anyhow::Result<Option<ghost_rpc::CodeInfoJson>> {
    client
        .code_info(code_hash, at)
        .await
        .rpc_context(format_args!(
            "reading code {code_hash} (contracts_codeInfo)"
        ))
}

/// `contracts_info`.
pub(super) async fn contract_info(
    client: &Client,
    address: AccountId,
    at: Option<Hash>,
) -> anyhow::Result<Option<ghost_rpc::ContractInfoJson>> {
    client
        .contract_info(address.to_string(), at)
        .await
        .rpc_context(format_args!("reading contract {address} (contracts_info)"))
}

/// Runs `instantiate`.
pub(super) async fn instantiate(
    endpoint: &Endpoint,
    args: InstantiateArgs,
    out: &Output,
) -> anyhow::Result<()> {
    let i = args.validate()?;
    if let Some(at) = i.dry_run {
        return instantiate_dry_run(endpoint, i, at, out).await;
    }
    let deployer = i.signer.pair.public();
    let address = contract_address(&deployer, &i.code_hash, &i.salt);

    let deadline = Deadline::after(endpoint.timeout);
    let client = endpoint.connect().await?;
    if code_info(&client, i.code_hash, None).await?.is_none() {
        anyhow::bail!("no code {} is stored; upload it first", i.code_hash);
    }
    if contract_info(&client, address, None).await?.is_some() {
        anyhow::bail!(
            "a contract already exists at {address} (this code, deployer and salt); use another \
             --salt"
        );
    }
    let call = RuntimeCall::Contracts(ContractsCall::Instantiate {
        code_hash: i.code_hash,
        value: i.value,
        fuel_limit: i.fuel,
        storage_deposit_limit: i.storage_deposit_limit,
        data: i.data.clone(),
        salt: i.salt.clone(),
    });
    let submitted = submit_call(&client, &i.signer, call, deadline).await?;
    let replay = Replay::Instantiate {
        deployer,
        code_hash: i.code_hash,
        value: i.value,
        fuel: i.fuel,
        data: &i.data,
        salt: &i.salt,
    };
    let tx = settle(
        explain_revert(&client, submitted, replay, i.abi.as_ref()).await,
        out,
    )?;
    if let Some(block) = tx.block_hash {
        let info = contract_info(&client, address, Some(block))
            .await?
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "the instantiation succeeded but block {block} has no contract at {address}"
                )
            })?;
        if info.code_hash != i.code_hash || info.deployer != deployer {
            anyhow::bail!(
                "the contract at {address} runs code {} deployed by {}, not {} by {deployer}",
                info.code_hash,
                info.deployer,
                i.code_hash
            );
        }
    }
    out.emit(&TxReport {
        details: Instantiated {
            address,
            code_hash: i.code_hash,
            deployer,
            value: i.value,
        },
        tx,
    })
}

/// Runs `instantiate --dry-run`.
pub(super) async fn instantiate_dry_run(
    endpoint: &Endpoint,
    i: Instantiate,
    at: Option<Hash>,
    out: &Output,
) -> anyhow::Result<()> {
    let deployer = i.signer.pair.public();
    let client = endpoint.connect().await?;
    let answer = client
        .dry_run_instantiate(
            deployer.to_string(),
            i.code_hash,
            i.value,
            i.fuel,
            Bytes(i.data),
            Bytes(i.salt.clone()),
            at,
        )
        .await
        .rpc_context(format_args!(
            "dry-running an instantiation of {} (contracts_instantiate)",
            i.code_hash
        ))?;
    let expected = contract_address(&deployer, &i.code_hash, &i.salt);
    if answer.address != expected {
        anyhow::bail!(
            "the node reports address {} for this instantiation, not {expected}",
            answer.address
        );
    }
    let failed = (answer.result == "error").then(|| answer.error.clone());
    out.emit(&InstantiateQueried::with_abi(answer, i.abi.as_ref()))?;
    match failed {
        None => Ok(()),
        Some(error) => anyhow::bail!(
            "the instantiation of {} would fail: {}",
            i.code_hash,
            error.as_deref().unwrap_or("unknown error")
        ),
    }
}

/// Runs `call`.
pub(super) async fn call(endpoint: &Endpoint, args: CallArgs, out: &Output) -> anyhow::Result<()> {
    let signer = args.tx.validate()?;
    let run = validate_run(&args.address, &args.input, &args.run)?;
    let storage_deposit_limit = parse_deposit_limit(args.storage_deposit_limit.as_deref())?;
    let deadline = Deadline::after(endpoint.timeout);
    let client = endpoint.connect().await?;
    let submitted =
        submit_call(&client, &signer, run.call(storage_deposit_limit), deadline).await?;
    let replay = Replay::Call {
        caller: signer.pair.public(),
        dest: run.dest,
        value: run.value,
        fuel: run.fuel,
        data: &run.data,
    };
    let tx: TxInfo = settle(
        explain_revert(&client, submitted, replay, run.abi.as_ref()).await,
        out,
    )?;
    out.emit(&TxReport {
        details: Called {
            contract: run.dest,
            method: args.input.method,
            data: Bytes(run.data),
            value: run.value,
            fuel_limit: run.fuel,
        },
        tx,
    })
}

/// A contract-running transaction, to replay as a dry run.
pub(super) enum Replay<'a> {
    /// `Contracts.instantiate`.
    Instantiate {
        deployer: AccountId,
        code_hash: Hash,
        value: Balance,
        fuel: u64,
        data: &'a [u8],
        salt: &'a [u8],
    },
    /// `Contracts.call`.
    Call {
        caller: AccountId,
        dest: AccountId,
        value: Balance,
        fuel: u64,
        data: &'a [u8],
    },
}

/// The error text of a transaction that failed with `Contracts.ContractReverted`.
const REVERTED: &str = "Contracts.ContractReverted";

/// When `submitted` was included but its contract reverted, replays it as a dry run on the
/// state of the including block's parent (so what came before it in its block is not seen) and,
/// if the replay reverts too, appends [`revert_reason`] of its output to the error. Anything
/// else, or a replay that cannot run, leaves `submitted` as it is.
pub(super) async fn explain_revert(
    client: &Client,
    mut submitted: Submitted,
    replay: Replay<'_>,
    abi: Option<&Abi>,
) -> Submitted {
    let Submitted::Included(report) = &mut submitted else {
        return submitted;
    };
    let Some(error) = report.error.as_ref().filter(|e| e.starts_with(REVERTED)) else {
        return submitted;
    };
    let parent = match ghost_rpc::ChainApiClient::header(client, Some(report.block_hash)).await {
        Ok(Some(header)) => header.parent_hash,
        _ => return submitted,
    };
    let output = match replay {
        Replay::Instantiate {
            deployer,
            code_hash,
            value,
            fuel,
            data,
            salt,
        } => client
            .dry_run_instantiate(
                deployer.to_string(),
                code_hash,
                value,
                fuel,
                Bytes(data.to_vec()),
                Bytes(salt.to_vec()),
                Some(parent),
            )
            .await
            .ok()
            .filter(|answer| answer.reverted)
            .map(|answer| answer.output),
        Replay::Call {
            caller,
            dest,
            value,
            fuel,
            data,
        } => client
            .dry_run_call(
                caller.to_string(),
                dest.to_string(),
                value,
                fuel,
                Bytes(data.to_vec()),
                Some(parent),
            )
            .await
            .ok()
            .filter(|answer| answer.reverted)
            .map(|answer| answer.output),
    };
    if let Some(output) = output {
        report.error = Some(format!("{error}: {}", revert_reason_with(abi, &output)));
    }
    submitted
}

/// Runs `query`.
pub(super) async fn query(
    endpoint: &Endpoint,
    args: QueryArgs,
    out: &Output,
) -> anyhow::Result<()> {
    let run = validate_run(&args.address, &args.input, &args.run)?;
    let origin = args.origin()?;
    let at = parse_at(args.at.as_deref())?;
    let client = endpoint.connect().await?;
    let answer = client
        .dry_run_call(
            origin.to_string(),
            run.dest.to_string(),
            run.value,
            run.fuel,
            Bytes(run.data.clone()),
            at,
        )
        .await
        .rpc_context(format_args!(
            "dry-running a call of {} (contracts_call)",
            run.dest
        ))?;
    let failed = (answer.result == "error").then(|| answer.error.clone());
    out.emit(&Queried::with_abi(
        answer,
        run.abi.as_ref(),
        run.returns(&args.input),
    ))?;
    match failed {
        None => Ok(()),
        Some(error) => anyhow::bail!(
            "the call of {} would fail: {}",
            run.dest,
            error.as_deref().unwrap_or("unknown error")
        ),
    }
}
