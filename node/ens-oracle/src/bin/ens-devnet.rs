//! `ens-devnet`: a local ENS on anvil for demos — deploy ENS's registry and public resolver from
//! the npm artifacts, create names, change their records, transfer them.
//!
//! ```text
//! ens-devnet [--eth-rpc URL] deploy [--modules DIR] [--name LABEL=ACCOUNT …]
//! ens-devnet [--eth-rpc URL] set-text  --registry 0x… --from ACCOUNT NAME KEY VALUE
//! ens-devnet [--eth-rpc URL] set-addr  --registry 0x… --from ACCOUNT NAME 0xADDRESS
//! ens-devnet [--eth-rpc URL] set-dns   --registry 0x… --from ACCOUNT NAME LABEL TYPE=VALUE … [--ttl S]
//! ens-devnet [--eth-rpc URL] transfer  --registry 0x… --from ACCOUNT NAME 0xADDRESS
//! ```
//!
//! ACCOUNT is an index into the node's `eth_accounts` (anvil's keys are public test keys).
//! `deploy` prints `registry: 0x…` and `resolver: 0x…`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use alloy_primitives::Address;
use clap::{Parser, Subcommand};
use ens_oracle::EthClient;
use ens_oracle::devnet::Devnet;
use ens_oracle::dns_wire::{encode_rr, wire_name};
use ghost_primitives::{RecordData, RecordLabel};

#[derive(Debug, Parser)]
#[command(
    name = "ens-devnet",
    version,
    about = "A local ENS on anvil: deploy, create names, change records"
)]
struct Cli {
    /// The Ethereum node (anvil), http:// or https://.
    #[arg(long, default_value = "http://127.0.0.1:8545")]
    eth_rpc: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Deploy ENSRegistry and PublicResolver; account 0 gets `eth`.
    Deploy {
        /// The `node_modules` with @ensdomains/ens and @ensdomains/resolver (default: the cache
        /// of scripts/ens-npm.sh).
        #[arg(long)]
        modules: Option<PathBuf>,
        /// Create LABEL.eth for account ACCOUNT (its ETH address set to the owner); repeatable.
        #[arg(long = "name", value_name = "LABEL=ACCOUNT")]
        names: Vec<String>,
    },
    /// Set a text record.
    SetText {
        #[command(flatten)]
        on: On,
        /// The ENS name.
        name: String,
        /// The key (`url`, `avatar`, …).
        key: String,
        /// The value.
        value: String,
    },
    /// Set the ETH address record.
    SetAddr {
        #[command(flatten)]
        on: On,
        /// The ENS name.
        name: String,
        /// The address.
        address: String,
    },
    /// Set DNS records (EIP-1185) at LABEL of the name: each RECORD is `TYPE=VALUE`
    /// (`A=192.0.2.1`, `AAAA=2001:db8::1`, `TXT=hello`, `MX=10 mail.example.com`); the
    /// records replace that label's sets of their types.
    SetDns {
        #[command(flatten)]
        on: On,
        /// The ENS name.
        name: String,
        /// Where under it (`@` for the name itself, `www`, ...).
        label: String,
        /// The records.
        #[arg(required = true)]
        records: Vec<String>,
        /// Their TTL (seconds).
        #[arg(long, default_value_t = 300)]
        ttl: u32,
    },
    /// Transfer the name in the registry.
    Transfer {
        #[command(flatten)]
        on: On,
        /// The ENS name.
        name: String,
        /// The new owner.
        to: String,
    },
}

#[derive(Debug, clap::Args)]
struct On {
    /// The registry `deploy` printed.
    #[arg(long)]
    registry: String,
    /// The sending account (index into eth_accounts): the name's owner.
    #[arg(long)]
    from: usize,
}

fn address(s: &str, what: &str) -> anyhow::Result<Address> {
    s.parse().map_err(|e| anyhow::anyhow!("{what} `{s}`: {e}"))
}

async fn attach(client: EthClient, on: &On) -> anyhow::Result<Devnet> {
    Ok(Devnet::attach(client, address(&on.registry, "--registry")?).await?)
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let client = EthClient::new(&cli.eth_rpc, Duration::from_secs(30))?;
    // A node started a moment ago (`anvil &`) gets ten seconds to answer.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while let Err(e) = client.block_number().await {
        if std::time::Instant::now() > deadline {
            return Err(e.into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    match cli.command {
        Command::Deploy { modules, names } => {
            let modules = match modules {
                Some(dir) => dir,
                None => std::env::var_os("GHOST_ENS_NPM")
                    .map(PathBuf::from)
                    .or_else(|| {
                        std::env::var_os("HOME")
                            .map(|h| PathBuf::from(h).join(".cache/ghostchain/npm"))
                    })
                    .ok_or_else(|| anyhow::anyhow!("give --modules"))?
                    .join("node_modules"),
            };
            let mut parsed = Vec::new();
            for name in &names {
                let (label, account) = name
                    .split_once('=')
                    .ok_or_else(|| anyhow::anyhow!("--name `{name}`: expected LABEL=ACCOUNT"))?;
                let account: usize = account
                    .parse()
                    .map_err(|e| anyhow::anyhow!("--name `{name}`: {e}"))?;
                parsed.push((label.to_string(), account));
            }
            let devnet = Devnet::deploy(client, &modules).await?;
            println!("registry: {}", devnet.registry);
            println!("resolver: {}", devnet.resolver);
            for (label, account) in parsed {
                devnet.create_name(&label, account).await?;
                println!("{label}.eth: owner {}", devnet.account(account)?);
            }
        }
        Command::SetText {
            on,
            name,
            key,
            value,
        } => {
            let block = attach(client, &on)
                .await?
                .set_text(on.from, &name, &key, &value)
                .await?;
            println!("block: {block}");
        }
        Command::SetAddr {
            on,
            name,
            address: a,
        } => {
            let a = address(&a, "address")?;
            let block = attach(client, &on)
                .await?
                .set_addr(on.from, &name, a)
                .await?;
            println!("block: {block}");
        }
        Command::SetDns {
            on,
            name,
            label,
            records,
            ttl,
        } => {
            let label = RecordLabel::parse(&label).map_err(|e| anyhow::anyhow!("label: {e}"))?;
            let owner = wire_name(&label, &name)
                .ok_or_else(|| anyhow::anyhow!("`{label}` under `{name}` is too long for DNS"))?;
            let mut data: Vec<RecordData> = Vec::new();
            for record in &records {
                let value = RecordData::parse_assignment(record)
                    .map_err(|e| anyhow::anyhow!("record `{record}`: {e}"))?;
                data.push(value);
            }
            // setDNSRecords stores consecutive records of one type as one set.
            data.sort_by_key(|d| d.rtype());
            let mut wire = Vec::new();
            for value in &data {
                wire.extend(encode_rr(&owner, ttl, value).ok_or_else(|| {
                    anyhow::anyhow!(
                        "{} records are not mirrored (A, AAAA, TXT, MX are)",
                        value.rtype()
                    )
                })?);
            }
            let block = attach(client, &on)
                .await?
                .set_dns_records(on.from, &name, &wire)
                .await?;
            println!("block: {block}");
        }
        Command::Transfer { on, name, to } => {
            let to = address(&to, "new owner")?;
            let block = attach(client, &on)
                .await?
                .set_owner(on.from, &name, to)
                .await?;
            println!("block: {block}");
        }
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
