//! What each `ghost ens` command prints.

use super::*;

/// `message` (human form: the text alone, ready to paste into a wallet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    /// The ENS name (normal form).
    pub ens_name: EnsName,
    /// The ghost name.
    pub ghost_name: DomainName,
    /// The ghost account.
    pub account: AccountId,
    /// The text to sign.
    pub message: String,
}

impl Render for Message {}

/// `link`: the request as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkRequested {
    /// The ENS name (normal form).
    pub ens_name: EnsName,
    /// The ghost name.
    pub ghost_name: DomainName,
    /// The ghost account.
    pub account: AccountId,
    /// The Ethereum address that signed (must be the ENS owner for the link to be made).
    pub eth_address: EthAddress,
    /// The ghost block after which the request expires; `null` with `--wait none`.
    pub expires_at: Option<u64>,
}

impl Render for LinkRequested {}

/// `unlink` / `cancel`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameDone {
    /// The ENS name.
    pub ens_name: EnsName,
}

impl Render for NameDone {}

/// `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    /// The ENS name (normal form).
    pub ens_name: EnsName,
    /// Its EIP-137 namehash.
    pub ens_node: Hash,
    /// `linked`, `suspended`, `pending` or `none`.
    pub state: &'static str,
    /// The link, if any.
    pub link: Option<EnsLinkJson>,
    /// The pending request, if any.
    pub request: Option<EnsRequestJson>,
}

impl Render for Status {}

/// `reverse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reverse {
    /// The ghost name.
    pub ghost_name: DomainName,
    /// The ENS name linked to it (`null`: none).
    pub ens_name: Option<EnsName>,
}

impl Render for Reverse {}

/// `pending`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pending {
    /// How many.
    pub count: usize,
    /// The requests.
    pub requests: Vec<EnsRequestJson>,
}

impl Render for Pending {
    fn lines(&self) -> crate::output::Lines {
        let mut lines = crate::output::Lines::new().with("count", self.count);
        for (index, r) in self.requests.iter().enumerate() {
            lines = lines.with(
                format!("request[{index}]"),
                format!(
                    "{} -> {} by {} (eth {}, expires after block {})",
                    r.ens_name, r.ghost_name, r.ghost_account, r.eth_address, r.expires_at
                ),
            );
        }
        lines
    }
}

/// `oracles`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Oracles(pub EnsOraclesJson);

impl Render for Oracles {}
