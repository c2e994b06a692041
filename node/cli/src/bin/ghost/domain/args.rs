//! The `ghost domain` command line: subcommands and their arguments (clap).

use super::*;

/// `ghost domain …`.
#[derive(Debug, Clone, Subcommand)]
pub enum DomainCommand {
    /// Register a name (committing first when the chain requires it).
    Register(RegisterArgs),
    /// Add a DNS record to a name, or update the TTL of an identical one.
    SetRecord(SetRecordArgs),
    /// Remove a DNS record from a name (label, type and value must match).
    RemoveRecord(RemoveRecordArgs),
    /// Owner, status, expiry and records of a name.
    Resolve {
        /// The name.
        name: String,
        /// Also fetch a state proof and verify the answer against the block's state root (the
        /// header is the node's word).
        #[arg(long)]
        proof: bool,
        /// Trust nothing but the chain's genesis: prove the node's finalized block final
        /// (GRANDPA, following the voter set from genesis) and the answer against its state.
        /// Needs `--chain` or `--genesis`.
        #[arg(long, conflicts_with = "proof")]
        verify: bool,
        /// With `--verify`: the chain to trust, as a spec (`dev`, `local`, `solo` or a spec
        /// file) whose genesis hash is computed here.
        #[arg(
            long,
            value_name = "SPEC",
            requires = "verify",
            conflicts_with = "genesis"
        )]
        chain: Option<String>,
        /// With `--verify`: the genesis hash to trust (`0x…`).
        #[arg(long, value_name = "HASH", requires = "verify")]
        genesis: Option<String>,
    },
    /// Give a name to another account.
    Transfer {
        /// The name.
        name: String,
        /// The new owner's address (`ghost1…`).
        #[arg(long, value_name = "ADDRESS")]
        to: String,
        /// Signer and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Extend a name's registration (anyone may pay for it).
    Renew {
        /// The name.
        name: String,
        /// How much longer (default: 1 year).
        #[command(flatten)]
        duration: DurationArgs,
        /// Signer and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// The names an address owns (follows the node's pages).
    List {
        /// The owner's address (`ghost1…`).
        #[arg(long, value_name = "ADDRESS")]
        owner: String,
        /// List at most N names.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        limit: Option<u64>,
    },
    /// Whether a name can be registered now.
    Available {
        /// The name.
        name: String,
    },
    /// The fee to register or renew a name.
    Price {
        /// The name.
        name: String,
        /// For how long (default: 1 year).
        #[command(flatten)]
        duration: DurationArgs,
    },
    /// Create or reassign the subname LABEL.PARENT.
    Subname {
        /// The parent name (`alice.ghost`).
        parent: String,
        /// The new label (`www`).
        label: String,
        /// The subname's owner (`ghost1…`).
        #[arg(long, value_name = "ADDRESS")]
        owner: String,
        /// Give up the parent's control of the subname for good.
        #[arg(long)]
        lock: bool,
        /// Signer and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Make a name the signer's primary (reverse) name (it must be active and the signer's), or
    /// clear it.
    #[command(group(ArgGroup::new("target").required(true).args(["name", "clear"])))]
    Primary {
        /// The name.
        name: Option<String>,
        /// Clear the signer's primary name instead.
        #[arg(long)]
        clear: bool,
        /// Signer and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// The primary (reverse) name of an address, if it still resolves to it.
    PrimaryOf {
        /// The address (`ghost1…`).
        address: String,
    },
    /// Let one account manage a name (records, update key, transfer), or clear the approval.
    #[command(group(ArgGroup::new("target").required(true).args(["account", "clear"])))]
    Approve {
        /// The name.
        name: String,
        /// The approved account (`ghost1…`).
        #[arg(long, value_name = "ADDRESS")]
        account: Option<String>,
        /// Remove the approval.
        #[arg(long)]
        clear: bool,
        /// Signer (the owner or one of its operators) and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Let an operator manage all the signer's names, or revoke it.
    #[command(group(ArgGroup::new("decision").required(true).args(["approve", "revoke"])))]
    Operator {
        /// The operator's address (`ghost1…`).
        operator: String,
        /// Make it an operator.
        #[arg(long)]
        approve: bool,
        /// Stop it being one.
        #[arg(long)]
        revoke: bool,
        /// Signer (the owner) and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Set the ed25519 key that may sign off-chain record updates of a name, or clear it.
    #[command(group(ArgGroup::new("source").required(true).args(["key", "suri", "clear"])))]
    UpdateKey {
        /// The name.
        name: String,
        /// The key's public key (`0x` + 64 hex digits; a `ghost1…` address also works).
        #[arg(long, value_name = "PUBLIC_KEY")]
        key: Option<String>,
        /// The key's secret URI; only its public key is used.
        #[arg(long, value_name = "SURI")]
        suri: Option<String>,
        /// Remove the update key.
        #[arg(long)]
        clear: bool,
        /// Signer (a manager of the name) and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Remove every record of a name: DNS and web3.
    ClearRecords {
        /// The name.
        name: String,
        /// Signer and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Set or clear the address of a name for a SLIP-44 coin type (60 = Ethereum).
    #[command(group(ArgGroup::new("target").required(true).args(["address", "clear"])))]
    SetAddr {
        /// The name.
        name: String,
        /// The SLIP-44 coin type.
        coin_type: u32,
        /// The address bytes as `0x`-hex.
        #[arg(value_name = "0xHEX")]
        address: Option<String>,
        /// Remove the address for this coin type.
        #[arg(long)]
        clear: bool,
        /// Signer and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Set or clear a text record of a name (`url`, `avatar`, `com.github`, …).
    #[command(group(ArgGroup::new("target").required(true).args(["value", "clear"])))]
    SetText {
        /// The name.
        name: String,
        /// The key.
        key: String,
        /// The value (quote it if it has spaces).
        #[arg(allow_hyphen_values = true)]
        value: Option<String>,
        /// Remove the text record.
        #[arg(long)]
        clear: bool,
        /// Signer and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Set or clear a name's content hash (EIP-1577 bytes).
    #[command(group(ArgGroup::new("target").required(true).args(["contenthash", "clear"])))]
    SetContenthash {
        /// The name.
        name: String,
        /// The content hash bytes as `0x`-hex.
        #[arg(value_name = "0xHEX")]
        contenthash: Option<String>,
        /// Remove the content hash.
        #[arg(long)]
        clear: bool,
        /// Signer and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Replace a name's DNS records with an update signed off chain by its owner or update key,
    /// submitted (and paid for) by a relayer.
    SignedUpdate(SignedUpdateArgs),
    /// Print name changes as blocks make them, until Ctrl-C (or `--count` notifications).
    Watch(WatchArgs),
}

/// A registration or renewal period; one of the flags, 1 year when none is given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Args)]
#[group(multiple = false)]
pub struct DurationArgs {
    /// Years of 365 days.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub years: Option<u64>,
    /// Days.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub days: Option<u64>,
    /// Seconds (dev chains accept registrations of a few seconds).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub seconds: Option<u64>,
}

impl DurationArgs {
    /// The period in ms.
    pub fn to_ms(self) -> anyhow::Result<u64> {
        let (n, unit_ms, flag) = match (self.years, self.days, self.seconds) {
            (Some(years), _, _) => (years, YEAR_MS, "--years"),
            (None, Some(days), _) => (days, DAY_MS, "--days"),
            (None, None, Some(seconds)) => (seconds, 1_000, "--seconds"),
            (None, None, None) => return Ok(YEAR_MS),
        };
        n.checked_mul(unit_ms)
            .ok_or_else(|| anyhow::anyhow!("{flag} {n}: the duration does not fit in 64-bit ms"))
    }
}

/// Where records go under the name and how long resolvers may cache them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct RecordPlacement {
    /// Where under the name: `@` (the name itself, the default), `www`, `_sip._tcp`, …
    #[arg(long, value_name = "LABEL")]
    pub label: Option<String>,
    /// Time to live in seconds (default 300).
    #[arg(long, value_name = "SECONDS")]
    pub ttl: Option<u32>,
}

/// `ghost domain register …`.
#[derive(Debug, Clone, Args)]
pub struct RegisterArgs {
    /// The name (`alice.ghost`; `Bücher.ghost` is normalized to `xn--bcher-kva.ghost`).
    pub name: String,
    /// Who will own it (default: the signer).
    #[arg(long, value_name = "ADDRESS")]
    pub owner: Option<String>,
    /// How long (default: 1 year).
    #[command(flatten)]
    pub duration: DurationArgs,
    /// An initial DNS record (`A=10.0.0.1`, `MX=10 mail.example.com`, `TXT=hello`); repeatable.
    #[arg(long = "record", value_name = "TYPE=VALUE")]
    pub records: Vec<String>,
    /// Label and TTL of the `--record`s.
    #[command(flatten)]
    pub placement: RecordPlacement,
    /// Signer (who pays) and submission.
    #[command(flatten)]
    pub tx: TxArgs,
}

/// `ghost domain set-record …`.
#[derive(Debug, Clone, Args)]
pub struct SetRecordArgs {
    /// The name.
    pub name: String,
    /// Record type: A, AAAA, CNAME, TXT, MX, NS, SRV, CAA, TLSA.
    #[arg(value_name = "TYPE")]
    pub rtype: String,
    /// The value (`10.0.0.1`, `10 mail.example.com`); several words are joined by spaces.
    #[arg(value_name = "VALUE", required = true, num_args = 1..)]
    pub value: Vec<String>,
    /// Label and TTL.
    #[command(flatten)]
    pub placement: RecordPlacement,
    /// Signer and submission.
    #[command(flatten)]
    pub tx: TxArgs,
}

/// `ghost domain remove-record …`.
#[derive(Debug, Clone, Args)]
pub struct RemoveRecordArgs {
    /// The name.
    pub name: String,
    /// Record type.
    #[arg(value_name = "TYPE")]
    pub rtype: String,
    /// The value; several words are joined by spaces.
    #[arg(value_name = "VALUE", required = true, num_args = 1..)]
    pub value: Vec<String>,
    /// Where under the name (default `@`).
    #[arg(long, value_name = "LABEL")]
    pub label: Option<String>,
    /// Signer and submission.
    #[command(flatten)]
    pub tx: TxArgs,
}

/// `ghost domain signed-update …`.
#[derive(Debug, Clone, Args)]
pub struct SignedUpdateArgs {
    /// The name.
    pub name: String,
    /// Secret URI of the key that signs the update: the name's owner or its update key.
    #[arg(long, value_name = "SURI")]
    pub signer: String,
    /// Secret URI of the account that submits the update and pays its fee.
    #[arg(long, value_name = "SURI")]
    pub relayer: String,
    /// A DNS record of the update (`A=10.0.0.1`); repeatable. These replace all the name's DNS
    /// records (none: remove them all); web3 records stay.
    #[arg(long = "record", value_name = "TYPE=VALUE")]
    pub records: Vec<String>,
    /// Label and TTL of the `--record`s.
    #[command(flatten)]
    pub placement: RecordPlacement,
    /// Who produced the update (opaque, at most 64 bytes; empty by default).
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub contract_id: String,
    /// Tip on top of the relayer's fee, as `--tip` of the other transactions.
    #[arg(
        long,
        value_name = "AMOUNT",
        default_value = "0",
        allow_hyphen_values = true
    )]
    pub tip: String,
    /// When to return.
    #[arg(long, value_enum, default_value_t = Wait::InBlock)]
    pub wait: Wait,
    /// Make the extrinsic mortal: valid only in the next BLOCKS blocks after the best block.
    #[arg(long, value_name = "BLOCKS")]
    pub mortal: Option<u32>,
}

impl SignedUpdateArgs {
    /// The relayer as a transaction signer (it signs the extrinsic, not the update).
    pub(super) fn relayer(&self) -> anyhow::Result<Signer> {
        pair_from_suri(&self.relayer).map_err(|e| e.context("--relayer"))?;
        TxArgs {
            from: self.relayer.clone(),
            tip: self.tip.clone(),
            wait: self.wait,
            mortal: self.mortal,
        }
        .validate()
    }
}

/// A change type `watch --type` filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChangeKind {
    /// Registered, or a subname created.
    Created,
    /// Records or expiry changed.
    Updated,
    /// Owner changed.
    Transferred,
    /// Expired, released or removed.
    Expired,
}

/// `ghost domain watch …`.
#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// Replay changes from this block height on, then follow new blocks (default: from the next
    /// block).
    #[arg(long, value_name = "HEIGHT")]
    pub from_height: Option<u64>,
    /// Only changes of this name; repeatable.
    #[arg(long = "domain", value_name = "NAME")]
    pub domains: Vec<String>,
    /// Only names under this suffix (`ghost`, or `alice.ghost` with its subnames); repeatable.
    #[arg(long = "suffix", value_name = "SUFFIX")]
    pub suffixes: Vec<String>,
    /// Only these change types; repeatable.
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub types: Vec<ChangeKind>,
    /// Stop after N notifications (each is one block's matching changes).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,
}
