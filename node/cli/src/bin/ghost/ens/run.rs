//! Running `ghost ens` commands: validate, connect, read or submit through `ghost-client`,
//! print the report.

use super::*;

/// Runs an `ens` subcommand.
pub async fn run(endpoint: &Endpoint, command: EnsCommand, out: &Output) -> anyhow::Result<()> {
    match command {
        EnsCommand::Message(args) => message(endpoint, args, out).await,
        EnsCommand::Link(args) => link(endpoint, args, out).await,
        EnsCommand::Status { ens_name } => status(endpoint, &ens_name, out).await,
        EnsCommand::Reverse { ghost_name } => reverse(endpoint, &ghost_name, out).await,
        EnsCommand::Pending => {
            let client = endpoint.connect().await?;
            let requests = client.ens_pending().await?;
            out.emit(&Pending {
                count: requests.len(),
                requests,
            })
        }
        EnsCommand::Oracles => {
            let client = endpoint.connect().await?;
            out.emit(&Oracles(client.ens_oracles().await?))
        }
        EnsCommand::Unlink(args) => name_tx(endpoint, args, true, out).await,
        EnsCommand::Cancel(args) => name_tx(endpoint, args, false, out).await,
    }
}

/// An ENS name as typed, in ENSIP-15 normal form.
pub fn parse_ens_name(input: &str) -> anyhow::Result<EnsName> {
    normalize_ens_name(input).map_err(|e| anyhow::anyhow!("invalid ENS name `{input}`: {e}"))
}

/// A ghost name as typed, canonical.
pub fn parse_ghost_name(input: &str) -> anyhow::Result<DomainName> {
    normalize_name(input).map_err(|e| anyhow::anyhow!("invalid ghost name `{input}`: {e}"))
}

/// A secp256k1 secret key: 32 bytes hex, `0x` optional.
pub fn parse_eth_key(input: &str) -> anyhow::Result<EthKey> {
    let input = input.trim();
    let hex = input.strip_prefix("0x").unwrap_or(input);
    let bytes = hex::decode(hex).map_err(|e| anyhow::anyhow!("--eth-key: {e}"))?;
    let secret: [u8; 32] = bytes
        .try_into()
        .map_err(|b: Vec<u8>| anyhow::anyhow!("--eth-key: expected 32 bytes, got {}", b.len()))?;
    EthKey::from_secret(&secret)
        .map_err(|_| anyhow::anyhow!("--eth-key: not a valid secp256k1 secret key"))
}

/// A 65-byte `r ++ s ++ v` signature.
pub fn parse_eth_signature(input: &str) -> anyhow::Result<EthSignature> {
    input
        .trim()
        .parse()
        .map_err(|e| anyhow::anyhow!("--eth-signature: {e}"))
}

/// Who signs the link message: a key here, or a signature made elsewhere.
pub(super) enum EthProof {
    Key(EthKey),
    Signature(EthSignature),
}

impl EthProof {
    /// The signature of `message` and the address that made it.
    pub(super) fn sign(&self, message: &str) -> anyhow::Result<(EthAddress, EthSignature)> {
        match self {
            EthProof::Key(key) => Ok((key.address(), key.sign_personal(message.as_bytes()))),
            EthProof::Signature(signature) => {
                let hash = personal_message_hash(message.as_bytes());
                let address = recover_signer(&hash, signature).map_err(|e| {
                    anyhow::anyhow!("--eth-signature does not sign the link message: {e}")
                })?;
                Ok((address, *signature))
            }
        }
    }
}

async fn message(endpoint: &Endpoint, args: MessageArgs, out: &Output) -> anyhow::Result<()> {
    let ens_name = parse_ens_name(&args.ens_name)?;
    let ghost_name = parse_ghost_name(&args.ghost_name)?;
    let account = match (&args.from, &args.account) {
        (Some(suri), _) => pair_from_suri(suri)
            .map_err(|e| e.context("--from"))?
            .public(),
        (None, Some(address)) => parse_address(address)?,
        (None, None) => anyhow::bail!("give --from or --account"),
    };
    let client = endpoint.connect().await?;
    let message = client
        .ens_link_message(&ens_name, &ghost_name, &account)
        .await?;
    if out.is_json() {
        out.emit(&Message {
            ens_name,
            ghost_name,
            account,
            message,
        })
    } else {
        out.write(&format!("{message}\n"))
    }
}

async fn link(endpoint: &Endpoint, args: LinkArgs, out: &Output) -> anyhow::Result<()> {
    let signer = args.tx.validate()?;
    let ens_name = parse_ens_name(&args.ens_name)?;
    let ghost_name = parse_ghost_name(&args.ghost_name)?;
    let proof = match (&args.eth_key, &args.eth_signature) {
        (Some(key), _) => EthProof::Key(parse_eth_key(key)?),
        (None, Some(signature)) => EthProof::Signature(parse_eth_signature(signature)?),
        (None, None) => anyhow::bail!("give --eth-key or --eth-signature"),
    };
    let account = signer.pair.public();

    let deadline = Deadline::after(endpoint.timeout);
    let client = endpoint.connect().await?;
    let message = client
        .ens_link_message(&ens_name, &ghost_name, &account)
        .await?;
    let (eth_address, eth_signature) = proof.sign(&message)?;
    let call = RuntimeCall::EnsBridge(EnsCall::RegisterEnsDomain {
        ens_name: ens_name.clone(),
        ghost_name: ghost_name.clone(),
        eth_address,
        eth_signature,
    });
    let tx = settle(submit_call(&client, &signer, call, deadline).await?, out)?;
    let expires_at = match tx.block_hash {
        None => None,
        Some(_) => pending_request(&client, &ens_name)
            .await?
            .map(|r| r.expires_at),
    };
    out.emit(&TxReport {
        details: LinkRequested {
            ens_name,
            ghost_name,
            account,
            eth_address,
            expires_at,
        },
        tx,
    })
}

/// The pending request of `ens_name`, if any.
async fn pending_request(
    client: &Client,
    ens_name: &EnsName,
) -> anyhow::Result<Option<EnsRequestJson>> {
    Ok(client
        .ens_pending()
        .await?
        .into_iter()
        .find(|r| r.ens_name == *ens_name))
}

/// The state of `ens_name`: its link (or suspension), else its pending request.
pub async fn status_of(client: &Client, ens_name: EnsName) -> anyhow::Result<Status> {
    let link = client.ens_link(&ens_name).await?;
    let request = pending_request(client, &ens_name).await?;
    let state = match (&link, &request) {
        (Some(link), _) if link.status == "active" => "linked",
        (Some(_), None) => "suspended",
        (_, Some(_)) => "pending",
        (None, None) => "none",
    };
    Ok(Status {
        ens_node: Hash(ens_name.namehash()),
        ens_name,
        state,
        link,
        request,
    })
}

async fn status(endpoint: &Endpoint, ens_name: &str, out: &Output) -> anyhow::Result<()> {
    let ens_name = parse_ens_name(ens_name)?;
    let client = endpoint.connect().await?;
    out.emit(&status_of(&client, ens_name).await?)
}

async fn reverse(endpoint: &Endpoint, ghost_name: &str, out: &Output) -> anyhow::Result<()> {
    let ghost_name = parse_ghost_name(ghost_name)?;
    let client = endpoint.connect().await?;
    let ens_name = client.ens_reverse(&ghost_name).await?;
    out.emit(&Reverse {
        ghost_name,
        ens_name,
    })
}

async fn name_tx(
    endpoint: &Endpoint,
    args: NameTxArgs,
    unlink: bool,
    out: &Output,
) -> anyhow::Result<()> {
    let signer = args.tx.validate()?;
    let ens_name = parse_ens_name(&args.ens_name)?;
    let deadline = Deadline::after(endpoint.timeout);
    let client = endpoint.connect().await?;
    let call = if unlink {
        if client.ens_link(&ens_name).await?.is_none() {
            anyhow::bail!("{ens_name} is not linked");
        }
        EnsCall::Unlink {
            ens_name: ens_name.clone(),
        }
    } else {
        if pending_request(&client, &ens_name).await?.is_none() {
            anyhow::bail!("{ens_name} has no pending request");
        }
        EnsCall::CancelRequest {
            ens_name: ens_name.clone(),
        }
    };
    let tx = settle(
        submit_call(&client, &signer, RuntimeCall::EnsBridge(call), deadline).await?,
        out,
    )?;
    out.emit(&TxReport {
        details: NameDone { ens_name },
        tx,
    })
}
