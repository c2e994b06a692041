//! `ghost`: the GhostChain client — keys, transfers, domains, contracts and chain queries over a
//! node's JSON-RPC.
//!
//! ```text
//! ghost [--rpc ws://127.0.0.1:9944] [--json] [--timeout SECS] <command>
//!   key generate                      a fresh seed, its address and public key (offline)
//!   key inspect <SURI>                address and public key of //Name or a 0x seed (offline)
//!   transfer --from SURI --to ADDRESS --amount N|xGHOST [--tip N] [--wait none|inblock|finalized]
//!            [--mortal BLOCKS]        sign, submit and follow a Balances.Transfer
//!   balance <ADDRESS>                 free, reserved, nonce
//!   block [NUMBER|HASH]               header fields and extrinsic hashes (best by default)
//!   tx status <HASH>                  pool, block (with outcome) or unknown
//!   chain info                        chain, genesis, best/finalized, runtime version
//!   domain register <NAME> --from SURI [--owner ADDRESS] [--years N|--days N|--seconds N]
//!          [--record TYPE=VALUE …] [--label L] [--ttl S]
//!                                     commit (if the chain asks) and register a name
//!   domain set-record|remove-record <NAME> <TYPE> <VALUE> --from SURI [--label L] [--ttl S]
//!   domain transfer <NAME> --to ADDRESS --from SURI
//!   domain renew <NAME> --from SURI [--years|--days|--seconds]
//!   domain subname <PARENT> <LABEL> --owner ADDRESS --from SURI [--lock]
//!   domain primary (<NAME>|--clear) --from SURI
//!                                     set or clear the signer's primary (reverse) name
//!   domain primary-of <ADDRESS>       an address's primary name (domain_primaryName)
//!   domain approve <NAME> (--account ADDRESS|--clear) --from SURI
//!   domain operator <ADDRESS> (--approve|--revoke) --from SURI
//!   domain update-key <NAME> (--key 0xPUBLIC_KEY|--suri SURI|--clear) --from SURI
//!   domain clear-records <NAME> --from SURI
//!   domain set-addr <NAME> <COIN_TYPE> (<0xHEX>|--clear) --from SURI
//!   domain set-text <NAME> <KEY> (<VALUE>|--clear) --from SURI
//!   domain set-contenthash <NAME> (<0xHEX>|--clear) --from SURI
//!   domain signed-update <NAME> --signer SURI --relayer SURI [--record TYPE=VALUE …]
//!          [--label L] [--ttl S] [--contract-id TEXT]
//!                                     records signed off chain by the owner or update key,
//!                                     submitted and paid for by the relayer
//!   domain resolve <NAME> [--proof]    owner, status, expiry, DNS and web3 records (proof
//!                                     verified locally)
//!   domain list --owner ADDRESS [--limit N] | available <NAME> | price <NAME> [--years|--days]
//!   domain watch [--from-height H] [--domain NAME …] [--suffix S …] [--type T …] [--count N]
//!   contract upload <FILE.wasm> --from SURI
//!                                     upload code; prints its hash
//!   contract instantiate <CODE_HASH> --from SURI [--data 0x..|--args JSON] [--value N]
//!            [--fuel N] [--salt 0x..] create a contract; prints its address
//!            [--dry-run [--at HASH]]  … or only print it and what `deploy` would do
//!   contract call <ADDRESS> --from SURI (--method NAME [--args JSON] | --data 0x..)
//!            [--value N] [--fuel N]   call a contract in a transaction
//!   contract query <ADDRESS> [--from SURI|--origin ADDRESS] (--method … | --data …)
//!            [--value N] [--fuel N] [--at HASH]
//!                                     dry run: output, revert flag, fuel, events
//!   ens message <ENS_NAME> <GHOST_NAME> (--from SURI|--account ADDRESS)
//!                                     the EIP-191 text the ENS owner signs
//!   ens link <ENS_NAME> <GHOST_NAME> --from SURI (--eth-key HEX|--eth-signature HEX)
//!                                     request a link; the oracles then attest the owner
//!   ens status <ENS_NAME> | reverse <GHOST_NAME> | pending | oracles
//!   ens unlink|cancel <ENS_NAME> --from SURI
//!   validators show [--at HASH]       current and queued validator set, set id, session
//!   validators add|remove <ADDRESS> --from SURI
//!                                     queue a set change (sudo) for the next session boundary
//! ```
//!
//! Domain and contract transactions also take `transfer`'s `--tip`, `--wait` and `--mortal`
//! (`signed-update` too, for its relayer).
//!
//! `--rpc` also comes from `GHOST_RPC`. Output is one `key: value` per line, or one JSON
//! document with `--json` (see [`output`]). Errors go to stderr as `error: …` with exit code 1,
//! including usage errors; bad input is reported before any node is contacted.
//!
//! Modules: [`amount`] (exact amount parsing), [`keys`], [`transfer`] (and the signing and
//! submission all transactions share), [`query`] (read-only commands), [`domain`], [`contract`]
//! (with the `--args` typed-argument encoding), [`ens`], [`rpc`] (connection and error text), [`output`]
//! (human vs JSON).
//! [`run`] is the entry point a test harness can call with a parsed [`Cli`].

mod amount;
mod bench;
mod contract;
mod domain;
mod ens;
mod keys;
mod output;
mod output_lines;
mod query;
mod rpc;
mod shown;
mod transfer;
mod validators;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::contract::ContractCommand;
use crate::domain::DomainCommand;
use crate::ens::EnsCommand;
use crate::keys::KeyCommand;
use crate::output::Output;
use crate::query::{ChainCommand, TxCommand};
use crate::rpc::Endpoint;
use crate::transfer::TransferArgs;
use crate::validators::ValidatorsCommand;

/// The GhostChain client.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "ghost",
    version,
    about = "GhostChain client: keys, transfers, domains, contracts and chain queries over a node's JSON-RPC",
    propagate_version = true
)]
pub struct Cli {
    /// WebSocket JSON-RPC endpoint of a node.
    #[arg(
        long,
        global = true,
        env = "GHOST_RPC",
        default_value = "ws://127.0.0.1:9944"
    )]
    pub rpc: String,
    /// Print one JSON document instead of `key: value` lines.
    #[arg(long, global = true)]
    pub json: bool,
    /// Seconds to wait for the node: connecting, each request, and a watched transfer.
    #[arg(long, global = true, value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Key pairs (no node needed).
    #[command(subcommand)]
    Key(KeyCommand),
    /// Transfer tokens.
    Transfer(TransferArgs),
    /// Free and reserved balance and nonce of an address.
    Balance {
        /// The address (`ghost1…`).
        address: String,
    },
    /// A block's header and extrinsics (the best block by default).
    Block {
        /// A block number or a `0x` block hash.
        #[arg(value_name = "NUMBER|HASH")]
        at: Option<String>,
    },
    /// Transactions.
    #[command(subcommand)]
    Tx(TxCommand),
    /// The chain.
    #[command(subcommand)]
    Chain(ChainCommand),
    /// Domain names: register, manage, resolve (with proofs) and watch.
    #[command(subcommand)]
    Domain(DomainCommand),
    /// WASM-lite contracts: upload, instantiate, call and dry-run queries.
    #[command(subcommand)]
    Contract(ContractCommand),
    /// ENS bridge: link ENS names to ghost names, show links, requests and oracles.
    #[command(subcommand)]
    Ens(EnsCommand),
    /// The validator set: show it, or queue a change (sudo) for the next session.
    #[command(subcommand)]
    Validators(ValidatorsCommand),
    /// Load driver: registrations at a chosen concurrency, with throughput, latency and losses.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

/// Runs a parsed command line, printing to stdout.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let out = Output::stdout(cli.json);
    run_with(cli, &out).await
}

/// Runs a parsed command line, printing through `out`.
pub async fn run_with(cli: Cli, out: &Output) -> anyhow::Result<()> {
    let endpoint = Endpoint {
        url: cli.rpc,
        timeout: Duration::from_secs(cli.timeout),
    };
    match cli.command {
        Command::Key(command) => keys::run(command, out),
        Command::Transfer(args) => transfer::run(&endpoint, args, out).await,
        Command::Balance { address } => query::balance(&endpoint, &address, out).await,
        Command::Block { at } => query::block(&endpoint, at.as_deref(), out).await,
        Command::Tx(command) => query::tx(&endpoint, command, out).await,
        Command::Chain(command) => query::chain(&endpoint, command, out).await,
        Command::Domain(command) => domain::run(&endpoint, command, out).await,
        Command::Contract(command) => contract::run(&endpoint, command, out).await,
        Command::Ens(command) => ens::run(&endpoint, command, out).await,
        Command::Validators(command) => validators::run(&endpoint, command, out).await,
        Command::Bench(command) => bench::run(&endpoint, command, out).await,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` go to stdout and succeed; usage errors exit 1 like any other.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_global_flags_anywhere_and_defaults() {
        let cli = Cli::try_parse_from(["ghost", "key", "inspect", "//Alice", "--json"]).unwrap();
        assert!(cli.json);
        assert_eq!(cli.timeout, 60);
        assert!(
            matches!(cli.command, Command::Key(KeyCommand::Inspect { ref suri }) if suri == "//Alice")
        );

        let cli = Cli::try_parse_from([
            "ghost",
            "--rpc",
            "ws://10.0.0.1:9944",
            "transfer",
            "--from",
            "//Alice",
            "--to",
            "x",
            "--amount",
            "-1",
            "--timeout",
            "5",
        ])
        .unwrap();
        assert_eq!(cli.rpc, "ws://10.0.0.1:9944");
        assert_eq!(cli.timeout, 5);
        let Command::Transfer(args) = cli.command else {
            panic!("not a transfer")
        };
        assert_eq!(args.amount, "-1");
        assert_eq!(args.tx.tip, "0");
        assert_eq!(args.tx.wait, transfer::Wait::InBlock);

        let cli = Cli::try_parse_from([
            "ghost", "transfer", "--from", "//A", "--to", "x", "--amount", "1", "--wait", "none",
            "--mortal", "64",
        ])
        .unwrap();
        let Command::Transfer(args) = cli.command else {
            panic!("not a transfer")
        };
        assert_eq!(args.tx.wait, transfer::Wait::None);
        assert_eq!(args.tx.mortal, Some(64));
    }

    #[test]
    fn zero_timeout_is_refused() {
        assert!(Cli::try_parse_from(["ghost", "--timeout", "0", "chain", "info"]).is_err());
    }

    #[tokio::test]
    async fn key_inspect_runs_through_the_entry_point() {
        let cli = Cli::try_parse_from(["ghost", "key", "inspect", "//Alice"]).unwrap();
        let out = Output::buffer(false);
        run_with(cli, &out).await.unwrap();
        let alice = ghost_primitives::Pair::dev("Alice").public();
        assert_eq!(
            out.captured(),
            format!("address: {alice}\npublic_key: {}\n", alice.to_hex())
        );
    }
}
