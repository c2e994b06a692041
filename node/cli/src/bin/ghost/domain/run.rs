//! Running `ghost domain` commands: validate, connect, build the call, submit through
//! `ghost-client`, print the report.

use super::*;

/// Runs a `domain` subcommand.
pub async fn run(endpoint: &Endpoint, command: DomainCommand, out: &Output) -> anyhow::Result<()> {
    match command {
        DomainCommand::Register(args) => register(endpoint, args, out).await,
        DomainCommand::Resolve {
            name,
            verify: true,
            chain,
            genesis,
            ..
        } => resolve_verified(endpoint, &name, chain.as_deref(), genesis.as_deref(), out).await,
        DomainCommand::Resolve { name, proof, .. } => resolve(endpoint, &name, proof, out).await,
        DomainCommand::Renew { name, duration, tx } => {
            let signer = tx.validate()?;
            let name = parse_name(&name)?;
            let duration_ms = duration.to_ms()?;
            let deadline = Deadline::after(endpoint.timeout);
            let client = endpoint.connect().await?;
            let cost = price(&client, &name, duration_ms).await?;
            let call = DomainCall::Renew {
                name: name.clone(),
                duration_ms,
            };
            let tx = settle(
                submit_call(&client, &signer, RuntimeCall::Domains(call), deadline).await?,
                out,
            )?;
            let expires_at = expiry_after(&client, &name, &tx).await?;
            out.emit(&TxReport {
                details: Renewed {
                    name,
                    expires_at,
                    cost,
                },
                tx,
            })
        }
        DomainCommand::List { owner, limit } => list(endpoint, &owner, limit, out).await,
        DomainCommand::Available { name } => {
            let name = parse_name(&name)?;
            let client = endpoint.connect().await?;
            let a = client
                .available(name.to_string())
                .await
                .rpc_context(format_args!("checking {name} (domain_available)"))?;
            out.emit(&Availability {
                name,
                available: a.available,
                status: a.status,
                reason: a.reason,
            })
        }
        DomainCommand::Price { name, duration } => {
            let name = parse_name(&name)?;
            let duration_ms = duration.to_ms()?;
            let client = endpoint.connect().await?;
            let price = price(&client, &name, duration_ms).await?;
            out.emit(&Price {
                name,
                duration_ms,
                price,
            })
        }
        DomainCommand::PrimaryOf { address } => {
            let address = parse_address(&address)?;
            let client = endpoint.connect().await?;
            let name = client
                .primary_name(address.to_string())
                .await
                .rpc_context(format_args!(
                    "reading the primary name of {address} (domain_primaryName)"
                ))?;
            out.emit(&PrimarySet { address, name })
        }
        DomainCommand::Watch(args) => watch(endpoint, args, out).await,
        DomainCommand::SignedUpdate(args) => send_signed_update(endpoint, args, out).await,
        command @ (DomainCommand::SetRecord(_)
        | DomainCommand::RemoveRecord(_)
        | DomainCommand::Transfer { .. }
        | DomainCommand::Subname { .. }
        | DomainCommand::Primary { .. }
        | DomainCommand::Approve { .. }
        | DomainCommand::Operator { .. }
        | DomainCommand::UpdateKey { .. }
        | DomainCommand::ClearRecords { .. }
        | DomainCommand::SetAddr { .. }
        | DomainCommand::SetText { .. }
        | DomainCommand::SetContenthash { .. }) => {
            let (signer, change) = plan_change(command)?;
            let (_, tx) = transact(endpoint, &signer, change.call(), out).await?;
            out.emit(&TxReport {
                details: change,
                tx,
            })
        }
    }
}

/// Checks a `signed-update`'s arguments and signs the update at `now` (ms) for the chain with
/// `genesis_hash`, against the name's current `sequence`: who submits it, and the change.
pub fn plan_signed_update(
    args: SignedUpdateArgs,
    now: u64,
    genesis_hash: &Hash,
    sequence: u64,
) -> anyhow::Result<(Signer, Change)> {
    let relayer = args.relayer()?;
    let key = pair_from_suri(&args.signer).map_err(|e| e.context("--signer"))?;
    let name = parse_name(&args.name)?;
    let records = build_records(&args.records, &args.placement)?;
    let update = signed_update(
        &name,
        &args.contract_id,
        records,
        &key,
        now,
        genesis_hash,
        sequence,
    )?;
    let sent = SignedUpdateSent {
        name,
        signer: key.public(),
        relayer: relayer.pair.public(),
        timestamp: now,
        contract_id: args.contract_id,
        records: update.records.clone(),
        update,
    };
    Ok((relayer, Change::SignedUpdate(sent)))
}

/// Runs `signed-update`: reads the genesis hash and the name's update sequence, signs, submits.
async fn send_signed_update(
    endpoint: &Endpoint,
    args: SignedUpdateArgs,
    out: &Output,
) -> anyhow::Result<()> {
    // Every argument is checked before connecting: a dry run signs for no chain.
    plan_signed_update(args.clone(), 0, &Hash::ZERO, 0)?;
    let name = parse_name(&args.name)?;
    let deadline = Deadline::after(endpoint.timeout);
    let client = endpoint.connect().await?;
    let genesis_hash = crate::query::genesis_hash(&client).await?;
    let sequence = client
        .resolve(name.to_string(), None)
        .await
        .rpc_context(format_args!("reading {name} (domain_resolve)"))?
        .ok_or_else(|| anyhow::anyhow!("{name} is not registered"))?
        .update_sequence;
    let (relayer, change) = plan_signed_update(args, now_ms(), &genesis_hash, sequence)?;
    let submitted = submit_call(
        &client,
        &relayer,
        RuntimeCall::Domains(change.call()),
        deadline,
    )
    .await?;
    let tx = settle(submitted, out)?;
    out.emit(&TxReport {
        details: change,
        tx,
    })
}

/// Checks the arguments of a single-call transaction (without a node): who signs the extrinsic,
/// and the change it makes. (`signed-update` needs the chain: [`plan_signed_update`].)
pub fn plan_change(command: DomainCommand) -> anyhow::Result<(Signer, Change)> {
    Ok(match command {
        DomainCommand::SetRecord(args) => {
            let signer = args.tx.validate()?;
            let name = parse_name(&args.name)?;
            let record = build_record(&args.rtype, &args.value, &args.placement)?;
            (signer, Change::RecordSet(RecordSet { name, record }))
        }
        DomainCommand::RemoveRecord(args) => {
            let signer = args.tx.validate()?;
            let name = parse_name(&args.name)?;
            let placement = RecordPlacement {
                label: args.label.clone(),
                ttl: None,
            };
            let record = build_record(&args.rtype, &args.value, &placement)?;
            let removed = RecordRemoved {
                name,
                label: record.label.clone(),
                rtype: record.data.rtype(),
                value: record.data.to_string(),
                record,
            };
            (signer, Change::RecordRemoved(removed))
        }
        DomainCommand::Transfer { name, to, tx } => {
            let signer = tx.validate()?;
            let name = parse_name(&name)?;
            let owner = parse_address(&to).map_err(|e| e.context("--to"))?;
            (signer, Change::Transferred(Transferred { name, owner }))
        }
        DomainCommand::Subname {
            parent,
            label,
            owner,
            lock,
            tx,
        } => {
            let signer = tx.validate()?;
            let parent = parse_name(&parent)?;
            let name = subname_of(&parent, &label)?;
            let owner = parse_address(&owner).map_err(|e| e.context("--owner"))?;
            let set = SubnameSet {
                name,
                parent,
                owner,
                locked: lock,
            };
            (signer, Change::Subname(set))
        }
        DomainCommand::Primary { name, clear, tx } => {
            let signer = tx.validate()?;
            let name = match (name, clear) {
                (Some(name), false) => Some(parse_name(&name)?),
                (None, true) => None,
                _ => anyhow::bail!("give either a NAME or --clear"),
            };
            let address = signer.pair.public();
            (signer, Change::Primary(PrimarySet { address, name }))
        }
        DomainCommand::Approve {
            name,
            account,
            clear,
            tx,
        } => {
            let signer = tx.validate()?;
            let name = parse_name(&name)?;
            let approved = match (account, clear) {
                (Some(account), false) => {
                    Some(parse_address(&account).map_err(|e| e.context("--account"))?)
                }
                (None, true) => None,
                _ => anyhow::bail!("give either --account or --clear"),
            };
            (signer, Change::Approval(ApprovalSet { name, approved }))
        }
        DomainCommand::Operator {
            operator,
            approve,
            revoke,
            tx,
        } => {
            let signer = tx.validate()?;
            let operator = parse_address(&operator)?;
            if approve == revoke {
                anyhow::bail!("give either --approve or --revoke");
            }
            let set = OperatorSet {
                owner: signer.pair.public(),
                operator,
                approved: approve,
            };
            (signer, Change::Operator(set))
        }
        DomainCommand::UpdateKey {
            name,
            key,
            suri,
            clear,
            tx,
        } => {
            let signer = tx.validate()?;
            let name = parse_name(&name)?;
            if usize::from(key.is_some()) + usize::from(suri.is_some()) + usize::from(clear) != 1 {
                anyhow::bail!("give one of --key, --suri or --clear");
            }
            let update_key = parse_update_key(key.as_deref(), suri.as_deref())?;
            (signer, Change::UpdateKey(UpdateKeySet { name, update_key }))
        }
        DomainCommand::ClearRecords { name, tx } => {
            let signer = tx.validate()?;
            let name = parse_name(&name)?;
            (signer, Change::RecordsCleared(RecordsCleared { name }))
        }
        DomainCommand::SetAddr {
            name,
            coin_type,
            address,
            clear,
            tx,
        } => {
            let signer = tx.validate()?;
            let name = parse_name(&name)?;
            let address = match (address, clear) {
                (Some(address), false) => Some(parse_record_bytes(&address, "address")?),
                (None, true) => None,
                _ => anyhow::bail!("give either an address or --clear"),
            };
            let set = AddressSet {
                name,
                coin_type,
                address,
            };
            (signer, Change::Address(set))
        }
        DomainCommand::SetText {
            name,
            key,
            value,
            clear,
            tx,
        } => {
            let signer = tx.validate()?;
            let name = parse_name(&name)?;
            if key.is_empty() {
                anyhow::bail!("the text key must not be empty");
            }
            if value.is_some() == clear {
                anyhow::bail!("give either a value or --clear");
            }
            (signer, Change::Text(TextSet { name, key, value }))
        }
        DomainCommand::SetContenthash {
            name,
            contenthash,
            clear,
            tx,
        } => {
            let signer = tx.validate()?;
            let name = parse_name(&name)?;
            let contenthash = match (contenthash, clear) {
                (Some(hash), false) => Some(parse_record_bytes(&hash, "content hash")?),
                (None, true) => None,
                _ => anyhow::bail!("give either a content hash or --clear"),
            };
            (
                signer,
                Change::Contenthash(ContenthashSet { name, contenthash }),
            )
        }
        DomainCommand::Register(_)
        | DomainCommand::SignedUpdate(_)
        | DomainCommand::Resolve { .. }
        | DomainCommand::Renew { .. }
        | DomainCommand::List { .. }
        | DomainCommand::Available { .. }
        | DomainCommand::Price { .. }
        | DomainCommand::PrimaryOf { .. }
        | DomainCommand::Watch(_) => {
            anyhow::bail!("not a single-call domain transaction: {command:?}")
        }
    })
}

/// Connects, submits `call` and settles it: the common path of the simple transactions.
pub(super) async fn transact(
    endpoint: &Endpoint,
    signer: &Signer,
    call: DomainCall,
    out: &Output,
) -> anyhow::Result<(Client, TxInfo)> {
    let deadline = Deadline::after(endpoint.timeout);
    let client = endpoint.connect().await?;
    let submitted = submit_call(&client, signer, RuntimeCall::Domains(call), deadline).await?;
    let tx = settle(submitted, out)?;
    Ok((client, tx))
}

/// `domain_price`.
pub(super) async fn price(
    client: &Client,
    name: &DomainName,
    duration_ms: u64,
) -> anyhow::Result<Balance> {
    client
        .price(name.to_string(), duration_ms)
        .await
        .rpc_context(format_args!("pricing {name} (domain_price)"))
}

/// The name's expiry after an included transaction (`None` when it was only submitted).
pub(super) async fn expiry_after(
    client: &Client,
    name: &DomainName,
    tx: &TxInfo,
) -> anyhow::Result<Option<u64>> {
    if !tx.included() {
        return Ok(None);
    }
    let resolution = client
        .resolve(name.to_string(), tx.block_hash)
        .await
        .rpc_context(format_args!("reading {name} back (domain_resolve)"))?;
    Ok(resolution.map(|r| r.expires_at))
}

/// Runs `register`.
pub(super) async fn register(
    endpoint: &Endpoint,
    args: RegisterArgs,
    out: &Output,
) -> anyhow::Result<()> {
    let signer = args.tx.validate()?;
    let name = parse_name(&args.name)?;
    let owner = match &args.owner {
        Some(owner) => parse_address(owner).map_err(|e| e.context("--owner"))?,
        None => signer.pair.public(),
    };
    let duration_ms = args.duration.to_ms()?;
    let records = build_records(&args.records, &args.placement)?;

    let mut deadline = Deadline::after(endpoint.timeout);
    let client = endpoint.connect().await?;
    let params = client
        .params()
        .await
        .rpc_context("reading the domain parameters (domain_params)")?;
    let min_age = param_u64(&params, "minCommitmentAgeMs")?;
    let cost = price(&client, &name, duration_ms).await?;

    let secret = if min_age == 0 {
        Hash::ZERO
    } else {
        // A commitment costs a transaction and a wait: refuse what would fail anyway first.
        check_registrable(&client, &name, duration_ms, &params).await?;
        deadline = deadline.extended(Duration::from_millis(min_age));
        let secret = random_secret()?;
        let commitment =
            ghost_runtime::Domains::commitment_of(&name, &owner, &secret, duration_ms, &records);
        commit_and_mature(&client, &signer, &name, commitment, min_age, deadline).await?;
        secret
    };

    let call = DomainCall::Register {
        name: name.clone(),
        owner,
        duration_ms,
        secret,
        records,
    };
    let submitted = submit_call(&client, &signer, RuntimeCall::Domains(call), deadline).await?;
    let tx = settle(submitted, out)?;
    let expires_at = expiry_after(&client, &name, &tx).await?;
    out.emit(&TxReport {
        details: Registered {
            name,
            owner,
            expires_at,
            cost,
        },
        tx,
    })
}

/// Refuses a registration that the chain would refuse (name taken, duration out of bounds).
pub(super) async fn check_registrable(
    client: &Client,
    name: &DomainName,
    duration_ms: u64,
    params: &serde_json::Value,
) -> anyhow::Result<()> {
    let availability = client
        .available(name.to_string())
        .await
        .rpc_context(format_args!("checking {name} (domain_available)"))?;
    if !availability.available {
        anyhow::bail!(
            "{name} is not available (status {}): {}",
            availability.status,
            availability.reason.as_deref().unwrap_or("refused")
        );
    }
    let (min, max) = (
        param_u64(params, "minRegistrationMs")?,
        param_u64(params, "maxRegistrationMs")?,
    );
    if duration_ms < min || duration_ms > max {
        anyhow::bail!(
            "the chain registers names for {min} to {max} ms; {duration_ms} ms is out of bounds"
        );
    }
    Ok(())
}

/// Commits to the registration, waits until the commit is in a block, then until it is
/// `min_age` ms old by the chain's clock (or the local one, see the module doc).
pub(super) async fn commit_and_mature(
    client: &Client,
    signer: &Signer,
    name: &DomainName,
    commitment: Hash,
    min_age: u64,
    deadline: Deadline,
) -> anyhow::Result<()> {
    let commit_signer = Signer {
        wait: match signer.wait {
            Wait::Finalized => Wait::Finalized,
            Wait::None | Wait::InBlock => Wait::InBlock,
        },
        ..signer.clone()
    };
    let call = RuntimeCall::Domains(DomainCall::Commit { commitment });
    let report = match submit_call(client, &commit_signer, call, deadline)
        .await
        .context("committing to the registration")?
    {
        Submitted::Included(report) => report,
        Submitted::Pool(report) => anyhow::bail!(
            "commitment extrinsic {} was not followed into a block",
            report.extrinsic_hash
        ),
    };
    report
        .ensure_success()
        .context("committing to the registration")?;
    let committed_at = client
        .header(Some(report.block_hash))
        .await
        .rpc_context("fetching the commitment's block (chain_getHeader)")?
        .ok_or_else(|| anyhow::anyhow!("the node does not know block {}", report.block_hash))?
        .timestamp_ms;
    let ready_at = committed_at.saturating_add(min_age);
    eprintln!(
        "committed to {name} in block {}; registering once the commitment is {} ms old",
        report.block_number, min_age
    );
    loop {
        let best = client
            .header(None)
            .await
            .rpc_context("fetching the best header (chain_getHeader)")?
            .ok_or_else(|| anyhow::anyhow!("the node has no best header"))?;
        let Some(remaining) = commitment_wait(ready_at, best.timestamp_ms, now_ms()) else {
            return Ok(());
        };
        if Instant::now() >= deadline.at {
            anyhow::bail!(
                "the commitment to {name} did not become {min_age} ms old within {} s",
                deadline.limit.as_secs()
            );
        }
        tokio::time::sleep(remaining.min(COMMITMENT_POLL)).await;
    }
}

/// Runs `resolve [--proof]`.
pub(super) async fn resolve(
    endpoint: &Endpoint,
    input: &str,
    proof: bool,
    out: &Output,
) -> anyhow::Result<()> {
    let name = parse_name(input)?;
    let client = endpoint.connect().await?;
    let not_registered = || anyhow::anyhow!("{name} is not registered");
    if !proof {
        let resolution = client
            .resolve(name.to_string(), None)
            .await
            .rpc_context(format_args!("resolving {name} (domain_resolve)"))?
            .ok_or_else(not_registered)?;
        return out.emit(&Resolved(resolution));
    }
    let answer = client
        .resolve_with_proof(name.to_string(), None)
        .await
        .rpc_context(format_args!("resolving {name} (domain_resolveWithProof)"))?;
    let header = client
        .header(Some(answer.at))
        .await
        .rpc_context(format_args!(
            "fetching the proof's block {} (chain_getHeader)",
            answer.at
        ))?
        .ok_or_else(|| anyhow::anyhow!("the node does not know block {}", answer.at))?;
    ghost_client::verify::verify_resolution(&name, &answer, header.state_root)
        .with_context(|| format!("verifying the proof of {name} at block {}", answer.at))?;
    if answer.resolution.is_none() {
        anyhow::bail!(
            "{name} is not registered (proven absent at block {}, state root {})",
            answer.at,
            answer.state_root
        );
    }
    out.emit(&VerifiedResolution(answer))
}

/// The genesis hash `resolve --verify` trusts: `--genesis`, or computed from `--chain`.
fn pinned_genesis(chain: Option<&str>, genesis: Option<&str>) -> anyhow::Result<Hash> {
    match (chain, genesis) {
        (_, Some(hex)) => {
            let bytes = decode_hex(hex).context("--genesis: not 0x-hex")?;
            let bytes: [u8; 32] = bytes
                .try_into()
                .map_err(|_| anyhow::anyhow!("--genesis: a genesis hash is 32 bytes"))?;
            Ok(Hash(bytes))
        }
        (Some(spec), None) => {
            let spec = ghost_client::runtime::chain_spec::ChainSpec::load(spec)
                .with_context(|| format!("--chain {spec}"))?;
            let genesis = spec
                .build_genesis()
                .with_context(|| format!("building the genesis of {}", spec.id))?;
            Ok(genesis.header.hash())
        }
        (None, None) => anyhow::bail!(
            "--verify trusts only the chain's genesis: name it with --chain dev|local|solo|SPEC.json \
             or --genesis 0x… (a node prints its genesis hash at start)"
        ),
    }
}

/// Runs `resolve --verify`.
async fn resolve_verified(
    endpoint: &Endpoint,
    input: &str,
    chain: Option<&str>,
    genesis: Option<&str>,
    out: &Output,
) -> anyhow::Result<()> {
    let name = parse_name(input)?;
    let genesis = pinned_genesis(chain, genesis)?;
    let client = endpoint.connect().await?;
    let proven = client
        .resolve_final(&genesis, &name)
        .await
        .with_context(|| format!("could not verify {name} against genesis {genesis}"))?;
    if proven.answer.resolution.is_none() {
        anyhow::bail!(
            "{name} is not registered (proven absent at finalized #{}, voter set {} after {} \
             set changes from genesis {genesis})",
            proven.number,
            proven.voters.set_id,
            proven.set_changes
        );
    }
    out.emit(&FinallyVerified {
        resolution: proven.answer,
        finalized: proven.number,
        set_id: proven.voters.set_id,
        set_changes: proven.set_changes,
        genesis,
    })
}

/// Runs `list`.
pub(super) async fn list(
    endpoint: &Endpoint,
    owner: &str,
    limit: Option<u64>,
    out: &Output,
) -> anyhow::Result<()> {
    let owner = parse_address(owner).map_err(|e| e.context("--owner"))?;
    let limit = limit.map(|l| usize::try_from(l).unwrap_or(usize::MAX));
    let client = endpoint.connect().await?;
    let mut names = Vec::new();
    let mut cursor = None;
    loop {
        let page_size = match limit {
            Some(limit) => (limit - names.len()).min(LIST_PAGE),
            None => LIST_PAGE,
        };
        let page = client
            .list_by_owner(owner.to_string(), cursor, Some(page_size as u32))
            .await
            .rpc_context(format_args!(
                "listing the names of {owner} (domain_listByOwner)"
            ))?;
        names.extend(page.names);
        let more = limit.is_none_or(|limit| names.len() < limit);
        // A page may hold no live name and still have a next one: the node scans a bounded
        // number of entries per page and skips expired names.
        match page.next {
            Some(next) if more && Some(next) != cursor => cursor = Some(next),
            _ => break,
        }
    }
    out.emit(&NameList { owner, names })
}

/// Runs `watch`.
pub(super) async fn watch(
    endpoint: &Endpoint,
    args: WatchArgs,
    out: &Output,
) -> anyhow::Result<()> {
    let filter = ChangeFilter {
        domains: args
            .domains
            .iter()
            .map(|d| parse_name(d).map(|n| n.to_string()))
            .collect::<anyhow::Result<_>>()?,
        suffixes: args
            .suffixes
            .iter()
            .map(|s| parse_suffix(s))
            .collect::<anyhow::Result<_>>()?,
        change_types: args
            .types
            .iter()
            .map(|t| {
                t.to_possible_value()
                    .map(|v| v.get_name().to_string())
                    .unwrap_or_default()
            })
            .collect(),
        include_empty: false,
    };
    let client = endpoint.connect().await?;
    // The client library's stream: a consumer slower than a long replay (its buffer overflows)
    // subscribes again after the last block it printed, so no block is lost or repeated.
    let mut subscription = client
        .domain_changes(args.from_height, filter)
        .await
        .context("subscribing to name changes (domain_subscribeChanges)")?;
    let mut seen = 0u64;
    while args.count.is_none_or(|count| seen < count) {
        let next = tokio::select! {
            next = futures::StreamExt::next(&mut subscription) => next,
            _ = tokio::signal::ctrl_c() => break,
        };
        let block = match next {
            None => anyhow::bail!("the node ended the subscription"),
            Some(Err(e)) => anyhow::bail!("name change stream: {e}"),
            Some(Ok(block)) => block,
        };
        let text = if out.is_json() {
            let mut line = serde_json::to_string(&block).context("serializing a notification")?;
            line.push('\n');
            line
        } else {
            change_lines(&block)
        };
        out.write(&text)?;
        seen += 1;
    }
    Ok(())
}
