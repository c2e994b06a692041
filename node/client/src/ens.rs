//! Typed reads of the ENS bridge (`ens_*`) and the link message an ENS owner signs.
//!
//! ```text
//! client.ens_link(&ens_name)      → Option<EnsLinkJson>     ens_link
//! client.ens_reverse(&ghost_name) → Option<EnsName>         ens_reverse
//! client.ens_pending()            → Vec<EnsRequestJson>     ens_pending
//! client.ens_oracles()            → EnsOraclesJson          ens_oracles
//! client.ens_links_page(cursor)   → EnsLinkListJson         ens_links
//! client.ens_all_links()          → Vec<EnsLinkJson>        ens_links, every page
//! client.ens_link_message(..)     → String                  (local text + the node's genesis)
//! ```

use ghost_primitives::{AccountId, DomainName, EnsName, Hash};
use ghost_rpc::{EnsApiClient, EnsLinkJson, EnsLinkListJson, EnsOraclesJson, EnsRequestJson};

use crate::client::{Client, RpcResultExt};
use crate::error::Result;

/// Links per `ens_links` page [`Client::ens_all_links`] asks for (the node's cap).
pub const LINKS_PAGE: u32 = 1_000;

/// Most pages [`Client::ens_all_links`] follows (a million links): a node that keeps answering
/// full pages cannot keep the client looping.
pub const MAX_LINK_PAGES: usize = 1_000;

impl Client {
    /// The link of `ens_name` at the best block, if any.
    pub async fn ens_link(&self, ens_name: &EnsName) -> Result<Option<EnsLinkJson>> {
        EnsApiClient::link(self, ens_name.to_string(), None)
            .await
            .during(self, "ens_link")
    }

    /// The ENS name linked to `ghost_name` at the best block, if any.
    pub async fn ens_reverse(&self, ghost_name: &DomainName) -> Result<Option<EnsName>> {
        EnsApiClient::reverse(self, ghost_name.to_string(), None)
            .await
            .during(self, "ens_reverse")
    }

    /// Every pending link request (up to the node's cap of 1,000).
    pub async fn ens_pending(&self) -> Result<Vec<EnsRequestJson>> {
        EnsApiClient::pending(self, None)
            .await
            .during(self, "ens_pending")
    }

    /// The oracle set and threshold.
    pub async fn ens_oracles(&self) -> Result<EnsOraclesJson> {
        EnsApiClient::oracles(self)
            .await
            .during(self, "ens_oracles")
    }

    /// One page of links after the ENS node `cursor`.
    pub async fn ens_links_page(&self, cursor: Option<Hash>) -> Result<EnsLinkListJson> {
        EnsApiClient::links(self, cursor, Some(LINKS_PAGE))
            .await
            .during(self, "ens_links")
    }

    /// Every link, following pages (at most [`MAX_LINK_PAGES`]).
    pub async fn ens_all_links(&self) -> Result<Vec<EnsLinkJson>> {
        let mut links = Vec::new();
        let mut cursor = None;
        for _ in 0..MAX_LINK_PAGES {
            let page = self.ens_links_page(cursor).await?;
            links.extend(page.links);
            match page.next {
                Some(next) if Some(next) != cursor => cursor = Some(next),
                _ => return Ok(links),
            }
        }
        Err(self.bad_answer(
            "ens_links",
            format!("more than {MAX_LINK_PAGES} pages of links"),
        ))
    }

    /// The exact text the owner of `ens_name` signs (EIP-191 `personal_sign`) to link it to
    /// `ghost_name` for `account` on this node's chain.
    pub async fn ens_link_message(
        &self,
        ens_name: &EnsName,
        ghost_name: &DomainName,
        account: &AccountId,
    ) -> Result<String> {
        let genesis = self.genesis_hash().await?;
        Ok(ghost_runtime::ens_bridge::eth::link_message(
            ens_name, ghost_name, account, &genesis,
        ))
    }
}
