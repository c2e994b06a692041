//! Transactions: builders over the runtime's own calls, signing, submission and following an
//! extrinsic to a block.
//!
//! ```ignore
//! let in_block = client
//!     .tx()
//!     .balances()
//!     .transfer(bob, 10 * GHOST)
//!     .tip(1_000)
//!     .submit_and_watch(&alice)
//!     .await?
//!     .in_block()
//!     .await?;
//! ```
//!
//! The builders construct [`RuntimeCall`] values (there is no second copy of the encoding):
//! each method's arguments are the fields of the pallet's `Call` variant, checked by the
//! compiler against the runtime this crate is built with. [`Tx::new`] takes any call, for
//! anything the builders do not cover.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::{Stream, StreamExt};
use ghost_primitives::{AccountId, Balance, Bytes, DnsRecord, DomainName, Hash};
use ghost_primitives::{EnsName, EthAddress};
use ghost_rpc::{AuthorApiClient, FeeInfoJson, PaymentApiClient};
use ghost_runtime::domains::{RecordChange, SignedRecordUpdate};
use ghost_runtime::ens_bridge::{BridgeParams, EnsRecords, EthSignature};
use ghost_runtime::system::Event as SystemEvent;
use ghost_runtime::{RuntimeCall, RuntimeEvent, UncheckedExtrinsic};
use jsonrpsee::core::client::Subscription;
use parity_scale_codec::Encode;
use serde_json::Value;

use crate::client::{Client, RpcResultExt};
use crate::error::{DispatchFailure, Error, Result};
use crate::events::Events;
use crate::signer::Signer;

/// `client.tx()`: the transaction builders of each pallet.
#[derive(Clone, Copy, Debug)]
pub struct TxBuilder<'c> {
    client: &'c Client,
}

impl<'c> TxBuilder<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        TxBuilder { client }
    }

    /// A transaction of any call.
    pub fn call(&self, call: impl Into<RuntimeCall>) -> Tx<'c> {
        Tx::new(self.client, call)
    }

    /// Calls of the system pallet.
    pub fn system(&self) -> SystemTx<'c> {
        SystemTx {
            client: self.client,
        }
    }

    /// Calls of the balances pallet.
    pub fn balances(&self) -> BalancesTx<'c> {
        BalancesTx {
            client: self.client,
        }
    }

    /// Calls of the domains pallet.
    pub fn domains(&self) -> DomainsTx<'c> {
        DomainsTx {
            client: self.client,
        }
    }

    /// Calls of the contracts pallet.
    pub fn contracts(&self) -> ContractsTx<'c> {
        ContractsTx {
            client: self.client,
        }
    }

    /// Calls of the validators pallet (root only: wrap them in [`SudoTx::sudo_call`]).
    pub fn validators(&self) -> ValidatorsTx<'c> {
        ValidatorsTx {
            client: self.client,
        }
    }

    /// Calls of the ENS bridge pallet.
    pub fn ens_bridge(&self) -> EnsBridgeTx<'c> {
        EnsBridgeTx {
            client: self.client,
        }
    }

    /// Calls of the sudo pallet.
    pub fn sudo(&self) -> SudoTx<'c> {
        SudoTx {
            client: self.client,
        }
    }
}

/// Declares a pallet's builder: one method per call variant, whose arguments are the variant's
/// fields.
macro_rules! pallet_tx {
    (
        $(#[$doc:meta])* $builder:ident => $pallet:ident {
            $( $(#[$mdoc:meta])* $method:ident => $variant:ident { $( $field:ident : $ty:ty ),* $(,)? } ),* $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub struct $builder<'c> {
            client: &'c Client,
        }

        impl<'c> $builder<'c> {
            $(
                $(#[$mdoc])*
                #[allow(clippy::too_many_arguments)]
                pub fn $method(&self, $( $field: $ty ),*) -> Tx<'c> {
                    Tx::new(self.client, ghost_runtime::$pallet::Call::$variant { $( $field ),* })
                }
            )*
        }
    };
}

pallet_tx! {
    /// Calls of the system pallet (`System.*`).
    SystemTx => system {
        /// `System.Remark`: a note on chain.
        remark => Remark { remark: Vec<u8> },
    }
}

pallet_tx! {
    /// Calls of the balances pallet (`Balances.*`).
    BalancesTx => balances {
        /// `Balances.Transfer`: moves `value` from the signer to `dest`.
        transfer => Transfer { dest: AccountId, value: Balance },
        /// `Balances.TransferKeepAlive`: a transfer that may not reap the sender.
        transfer_keep_alive => TransferKeepAlive { dest: AccountId, value: Balance },
        /// `Balances.ForceSetBalance` (root only).
        force_set_balance => ForceSetBalance { who: AccountId, free: Balance },
    }
}

pallet_tx! {
    /// Calls of the domains pallet (`Domains.*`).
    DomainsTx => domains {
        /// `Domains.Commit`: commits to a registration.
        commit => Commit { commitment: Hash },
        /// `Domains.Register`: registers `name` for `owner`, revealing `secret`.
        register => Register { name: DomainName, owner: AccountId, duration_ms: u64, secret: Hash, records: Vec<DnsRecord> },
        /// `Domains.Renew`: extends a name.
        renew => Renew { name: DomainName, duration_ms: u64 },
        /// `Domains.Transfer`: gives a name to `new_owner`.
        transfer => Transfer { name: DomainName, new_owner: AccountId },
        /// `Domains.SetRecords`: applies record changes atomically.
        set_records => SetRecords { name: DomainName, changes: Vec<RecordChange> },
        /// `Domains.SetRecord`: adds a record or updates its TTL.
        set_record => SetRecord { name: DomainName, record: DnsRecord },
        /// `Domains.ClearRecords`: removes every record.
        clear_records => ClearRecords { name: DomainName },
        /// `Domains.SetSubnameOwner`: creates or reassigns `label.parent`.
        set_subname_owner => SetSubnameOwner { parent: DomainName, label: String, owner: AccountId, lock: bool },
        /// `Domains.Approve`: lets `account` (or nobody) manage `name`.
        approve => Approve { name: DomainName, account: Option<AccountId> },
        /// `Domains.SetOperator`: lets `operator` manage all the signer's names, or stops it.
        set_operator => SetOperator { operator: AccountId, approved: bool },
        /// `Domains.SetPrimaryName`: sets or clears the signer's reverse name.
        set_primary_name => SetPrimaryName { name: Option<DomainName> },
        /// `Domains.SetUpdateKey`: sets or clears the key that may sign updates.
        set_update_key => SetUpdateKey { name: DomainName, key: Option<AccountId> },
        /// `Domains.SetRecordsSigned`: relays an update signed off chain.
        set_records_signed => SetRecordsSigned { update: SignedRecordUpdate },
        /// `Domains.BatchSetRecordsSigned`: relays several signed updates.
        batch_set_records_signed => BatchSetRecordsSigned { updates: Vec<SignedRecordUpdate> },
        /// `Domains.SetTld` (root only).
        set_tld => SetTld { tld: Vec<u8>, enabled: bool },
    }
}

pallet_tx! {
    /// Calls of the contracts pallet (`Contracts.*`).
    ContractsTx => contracts {
        /// `Contracts.UploadCode`: stores WASM code (against a deposit).
        upload_code => UploadCode { code: Vec<u8> },
        /// `Contracts.Instantiate`: creates a contract from uploaded code; the signer pays the
        /// storage deposits, at most `storage_deposit_limit` (`None`: no cap).
        instantiate => Instantiate { code_hash: Hash, value: Balance, fuel_limit: u64, storage_deposit_limit: Option<Balance>, data: Vec<u8>, salt: Vec<u8> },
        /// `Contracts.Call`: calls a contract with `data` (`selector ++ SCALE(args)`); the signer
        /// pays the storage deposits, at most `storage_deposit_limit` (`None`: no cap).
        call => Call { dest: AccountId, value: Balance, fuel_limit: u64, storage_deposit_limit: Option<Balance>, data: Vec<u8> },
        /// `Contracts.RemoveCode`: removes unused code and returns its deposit.
        remove_code => RemoveCode { code_hash: Hash },
    }
}

pallet_tx! {
    /// Calls of the validators pallet (`Validators.*`).
    ValidatorsTx => validators {
        /// `Validators.AddValidator` (root): `who` joins at the next session boundary.
        add_validator => AddValidator { who: AccountId },
        /// `Validators.RemoveValidator` (root): `who` leaves at the next session boundary.
        remove_validator => RemoveValidator { who: AccountId },
        /// `Validators.ReportEquivocation` (anyone): two votes of one GRANDPA round by one voter.
        report_equivocation => ReportEquivocation {
            proof: ghost_primitives::consensus::GrandpaEquivocation,
        },
        /// `Validators.ReportBlockEquivocation` (anyone): two headers of one Aura slot sealed by
        /// its author.
        report_block_equivocation => ReportBlockEquivocation {
            proof: ghost_primitives::consensus::AuraEquivocation,
        },
    }
}

pallet_tx! {
    /// Calls of the sudo pallet (`Sudo.*`).
    SudoTx => sudo {
        /// `Sudo.Sudo`: dispatches the SCALE-encoded `call` as root (see [`SudoTx::sudo_call`]).
        sudo => Sudo { call: Vec<u8> },
        /// `Sudo.SetKey`: hands the sudo key to `new`.
        set_key => SetKey { new: AccountId },
    }
}

pallet_tx! {
    /// Calls of the ENS bridge pallet (`EnsBridge.*`).
    EnsBridgeTx => ens_bridge {
        /// `EnsBridge.RegisterEnsDomain`: asks to link `ens_name` to `ghost_name`, signed by the
        /// ENS owner's Ethereum key.
        register_ens_domain => RegisterEnsDomain { ens_name: EnsName, ghost_name: DomainName, eth_address: EthAddress, eth_signature: EthSignature },
        /// `EnsBridge.SubmitAttestation` (an oracle): what Ethereum says about `ens_name`.
        submit_attestation => SubmitAttestation { ens_name: EnsName, eth_block_number: u64, eth_block_hash: Hash, owner: EthAddress, records: EnsRecords },
        /// `EnsBridge.Unlink`: ends a link.
        unlink => Unlink { ens_name: EnsName },
        /// `EnsBridge.CancelRequest`: withdraws a pending link request.
        cancel_request => CancelRequest { ens_name: EnsName },
        /// `EnsBridge.SetOracles` (root): the oracle set and threshold.
        set_oracles => SetOracles { oracles: Vec<AccountId>, threshold: u32 },
        /// `EnsBridge.SetParams` (root): the bridge's parameters.
        set_params => SetParams { params: BridgeParams },
    }
}

impl<'c> SudoTx<'c> {
    /// `Sudo.Sudo` of `call`, encoded with the runtime's own `RuntimeCall`.
    pub fn sudo_call(&self, call: impl Into<RuntimeCall>) -> Tx<'c> {
        self.sudo(call.into().encode())
    }
}

/// A transaction to sign: a call plus tip and mortality.
#[derive(Clone, Debug)]
pub struct Tx<'c> {
    client: &'c Client,
    call: RuntimeCall,
    tip: Balance,
    mortal: Option<u32>,
}

impl<'c> Tx<'c> {
    /// A transaction of `call`: immortal, no tip.
    pub fn new(client: &'c Client, call: impl Into<RuntimeCall>) -> Self {
        Tx {
            client,
            call: call.into(),
            tip: 0,
            mortal: None,
        }
    }

    /// Pays `tip` on top of the fee (raises the priority in the pool).
    pub fn tip(mut self, tip: Balance) -> Self {
        self.tip = tip;
        self
    }

    /// Makes the extrinsic valid only for `period` blocks after the best block (0: immortal).
    pub fn mortal(mut self, period: u32) -> Self {
        self.mortal = (period > 0).then_some(period);
        self
    }

    /// The call.
    pub fn call(&self) -> &RuntimeCall {
        &self.call
    }

    /// Signs with `signer`'s next nonce (see [`Client::reserve_nonce`]). The nonce stays
    /// reserved: submit the extrinsic, or [`Client::release_nonce`] it.
    pub async fn sign(&self, signer: &Signer) -> Result<UncheckedExtrinsic> {
        let client = self.client;
        client.check_runtime().await?;
        let genesis = client.genesis_hash().await?;
        let mortality = match self.mortal {
            None => None,
            Some(period) => {
                let best = client.fetch_header(None).await?;
                Some((best.number, best.hash(), period))
            }
        };
        let nonce = client.reserve_nonce(&signer.account()).await?;
        Ok(ghost_runtime::sign_extrinsic(
            self.call.clone(),
            signer.pair(),
            nonce,
            self.tip,
            genesis,
            mortality,
        ))
    }

    /// The fee this transaction would pay (without tip), signed by `signer` but not submitted.
    pub async fn fee(&self, signer: &Signer) -> Result<FeeInfoJson> {
        let xt = self.sign(signer).await?;
        self.client
            .release_nonce(&signer.account(), xt.extra.nonce)
            .await;
        PaymentApiClient::query_info(self.client, Bytes(xt.encode()), None)
            .await
            .during(self.client, "payment_queryInfo")
    }

    /// Signs and submits; returns the extrinsic hash once the pool accepted it.
    pub async fn submit(self, signer: &Signer) -> Result<Hash> {
        let xt = self.sign(signer).await?;
        let result = AuthorApiClient::submit_extrinsic(self.client, Bytes(xt.encode()))
            .await
            .during(self.client, "author_submitExtrinsic");
        if result.is_err() {
            self.client
                .release_nonce(&signer.account(), xt.extra.nonce)
                .await;
        }
        result
    }

    /// Signs, submits and follows the extrinsic: await [`TxProgress::in_block`] or
    /// [`TxProgress::finalized`], or read its statuses as a stream.
    pub async fn submit_and_watch(self, signer: &Signer) -> Result<TxProgress> {
        let xt = self.sign(signer).await?;
        let result = AuthorApiClient::submit_and_watch_extrinsic(self.client, Bytes(xt.encode()))
            .await
            .during(self.client, "author_submitAndWatchExtrinsic");
        match result {
            Ok(subscription) => Ok(TxProgress {
                client: self.client.clone(),
                extrinsic_hash: xt.hash(),
                reserved: Some((signer.account(), xt.extra.nonce)),
                subscription,
            }),
            Err(e) => {
                self.client
                    .release_nonce(&signer.account(), xt.extra.nonce)
                    .await;
                Err(e)
            }
        }
    }
}

/// Submits an already signed extrinsic and follows it.
pub async fn submit_and_watch_signed(
    client: &Client,
    xt: &UncheckedExtrinsic,
) -> Result<TxProgress> {
    let subscription = AuthorApiClient::submit_and_watch_extrinsic(client, Bytes(xt.encode()))
        .await
        .during(client, "author_submitAndWatchExtrinsic")?;
    Ok(TxProgress {
        client: client.clone(),
        extrinsic_hash: xt.hash(),
        reserved: None,
        subscription,
    })
}

/// Where a watched extrinsic is (`author_submitAndWatchExtrinsic` notifications).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxStatus {
    /// In the pool, ready to be included.
    Ready,
    /// In the pool, waiting for an earlier nonce.
    Future,
    /// Sent to peers.
    Broadcast,
    /// In a block of the best chain.
    InBlock(Hash),
    /// That block left the best chain.
    Retracted(Hash),
    /// In a finalized block.
    Finalized(Hash),
    /// Its block was not finalized in time.
    FinalityTimeout(Hash),
    /// Another extrinsic with the same nonce was included.
    Usurped(Hash),
    /// The pool dropped it.
    Dropped(String),
    /// The node found it invalid.
    Invalid(String),
}

impl TxStatus {
    /// Reads a notification in Substrate's shapes (`"ready"`, `{"inBlock": hash}`, ...).
    pub fn parse(status: &Value) -> std::result::Result<TxStatus, String> {
        let hash = |value: &Value| -> std::result::Result<Hash, String> {
            serde_json::from_value(value.clone())
                .map_err(|e| format!("bad block hash in status {status}: {e}"))
        };
        let text = |value: &Value| match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match status {
            Value::String(s) => Ok(match s.as_str() {
                "ready" => TxStatus::Ready,
                "future" => TxStatus::Future,
                "broadcast" => TxStatus::Broadcast,
                "invalid" => TxStatus::Invalid(String::new()),
                "dropped" => TxStatus::Dropped(String::new()),
                other => return Err(format!("unknown status `{other}`")),
            }),
            Value::Object(map) if map.len() == 1 => {
                let Some((key, value)) = map.iter().next() else {
                    return Err("empty status notification".into());
                };
                Ok(match key.as_str() {
                    "broadcast" => TxStatus::Broadcast,
                    "inBlock" => TxStatus::InBlock(hash(value)?),
                    "retracted" => TxStatus::Retracted(hash(value)?),
                    "finalized" => TxStatus::Finalized(hash(value)?),
                    "finalityTimeout" => TxStatus::FinalityTimeout(hash(value)?),
                    "usurped" => TxStatus::Usurped(hash(value)?),
                    "invalid" => TxStatus::Invalid(text(value)),
                    "dropped" => TxStatus::Dropped(text(value)),
                    other => return Err(format!("unknown status `{other}`")),
                })
            }
            other => Err(format!("unexpected status notification {other}")),
        }
    }

    /// Why the extrinsic will not be included, if this status says so.
    pub fn failure(&self) -> Option<String> {
        let with = |what: &str, detail: &str| {
            if detail.is_empty() {
                what.to_owned()
            } else {
                format!("{what}: {detail}")
            }
        };
        match self {
            TxStatus::Invalid(detail) => Some(with("the node found it invalid", detail)),
            TxStatus::Dropped(detail) => Some(with("the pool dropped it", detail)),
            TxStatus::Usurped(by) => Some(format!("usurped by extrinsic {by}")),
            TxStatus::FinalityTimeout(block) => {
                Some(format!("block {block} was not finalized in time"))
            }
            _ => None,
        }
    }
}

/// A submitted extrinsic being followed; a [`Stream`] of its [`TxStatus`]es.
pub struct TxProgress {
    client: Client,
    extrinsic_hash: Hash,
    /// The signer's account and the nonce this client reserved for it, released if the
    /// extrinsic will not be included.
    reserved: Option<(AccountId, u64)>,
    subscription: Subscription<Value>,
}

impl std::fmt::Debug for TxProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TxProgress")
            .field("extrinsic_hash", &self.extrinsic_hash)
            .finish()
    }
}

impl Stream for TxProgress {
    type Item = Result<TxStatus>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        this.subscription.poll_next_unpin(cx).map(|item| {
            item.map(|item| {
                let value = item.map_err(|e| {
                    this.client
                        .bad_answer("author_submitAndWatchExtrinsic", e.to_string())
                })?;
                TxStatus::parse(&value)
                    .map_err(|e| this.client.bad_answer("author_submitAndWatchExtrinsic", e))
            })
        })
    }
}

impl TxProgress {
    /// The extrinsic's hash.
    pub fn extrinsic_hash(&self) -> Hash {
        self.extrinsic_hash
    }

    /// Waits until the extrinsic is in a block of the best chain; its events decoded, or its
    /// dispatch failure as [`Error::Dispatch`].
    pub async fn in_block(self) -> Result<TxInBlock> {
        self.wait(false).await
    }

    /// Waits until the extrinsic is in a finalized block (see [`TxProgress::in_block`]).
    pub async fn finalized(self) -> Result<TxInBlock> {
        self.wait(true).await
    }

    async fn wait(mut self, finalized: bool) -> Result<TxInBlock> {
        let stage = if finalized { "finalized" } else { "in a block" };
        let timeout = self.client.timeout();
        let extrinsic_hash = self.extrinsic_hash;
        let block_hash = tokio::time::timeout(timeout, async {
            loop {
                let status = match self.next().await {
                    None => {
                        return Err(Error::NotIncluded {
                            extrinsic_hash,
                            reason: format!(
                                "the node ended the subscription before it was {stage}"
                            ),
                        });
                    }
                    Some(status) => status?,
                };
                if let Some(reason) = status.failure() {
                    if let Some((account, nonce)) = &self.reserved {
                        self.client.release_nonce(account, *nonce).await;
                    }
                    return Err(Error::NotIncluded {
                        extrinsic_hash,
                        reason,
                    });
                }
                match status {
                    TxStatus::InBlock(block) if !finalized => return Ok(block),
                    TxStatus::Finalized(block) => return Ok(block),
                    _ => {}
                }
            }
        })
        .await
        .map_err(|_| Error::WaitTimeout {
            extrinsic_hash,
            stage,
            secs: timeout.as_secs(),
        })??;
        drop(self.subscription);
        TxInBlock::read(&self.client, extrinsic_hash, block_hash, finalized).await
    }
}

/// An extrinsic in a block whose call succeeded, with its events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxInBlock {
    /// The extrinsic.
    pub extrinsic_hash: Hash,
    /// The block.
    pub block_hash: Hash,
    /// Its height.
    pub block_number: u64,
    /// The extrinsic's position in the block.
    pub index: u32,
    /// Whether the block was reported finalized.
    pub finalized: bool,
    /// The events the extrinsic deposited, in order (ending with `System.ExtrinsicSuccess`).
    pub events: Vec<RuntimeEvent>,
}

impl TxInBlock {
    /// Reads the block, the extrinsic's position and its events; a failed call becomes
    /// [`Error::Dispatch`].
    pub async fn read(
        client: &Client,
        extrinsic_hash: Hash,
        block_hash: Hash,
        finalized: bool,
    ) -> Result<TxInBlock> {
        let block = client.fetch_block(Some(block_hash)).await?;
        let index = block
            .block
            .extrinsics
            .iter()
            .position(|xt| ghost_primitives::blake3_256(&xt.0) == extrinsic_hash)
            .ok_or_else(|| {
                client.bad_answer(
                    "chain_getBlock",
                    format!("block {block_hash} does not contain extrinsic {extrinsic_hash}"),
                )
            })?;
        let index = u32::try_from(index)
            .map_err(|_| client.bad_answer("chain_getBlock", "too many extrinsics"))?;
        let events: Vec<RuntimeEvent> = Events::at(client, block_hash)
            .await?
            .of_extrinsic(index)
            .cloned()
            .collect();
        let block_number = block.block.header.number;
        let failed = events.iter().find_map(|event| match event {
            RuntimeEvent::System(SystemEvent::ExtrinsicFailed { dispatch_error, .. }) => {
                Some(dispatch_error.clone())
            }
            _ => None,
        });
        if let Some(error) = failed {
            let docs = match &error {
                ghost_support::DispatchError::Module(m) => {
                    client.error_docs(&m.pallet, &m.error).await?
                }
                _ => None,
            };
            return Err(Error::Dispatch(Box::new(DispatchFailure {
                extrinsic_hash,
                block_hash,
                block_number,
                error,
                docs,
                events,
            })));
        }
        Ok(TxInBlock {
            extrinsic_hash,
            block_hash,
            block_number,
            index,
            finalized,
            events,
        })
    }

    /// The first event that `pick` maps to something (`Domains.Registered { .. }` → its fields).
    pub fn find<T>(&self, pick: impl FnMut(&RuntimeEvent) -> Option<T>) -> Option<T> {
        self.events.iter().find_map(pick)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn watch_notifications_parse() {
        let h = Hash([5; 32]);
        assert_eq!(TxStatus::parse(&json!("ready")), Ok(TxStatus::Ready));
        assert_eq!(TxStatus::parse(&json!("future")), Ok(TxStatus::Future));
        assert_eq!(
            TxStatus::parse(&json!({"broadcast": ["peer"]})),
            Ok(TxStatus::Broadcast)
        );
        assert_eq!(
            TxStatus::parse(&json!({"retracted": h})),
            Ok(TxStatus::Retracted(h))
        );
        assert_eq!(
            TxStatus::parse(&json!({"inBlock": h})),
            Ok(TxStatus::InBlock(h))
        );
        assert_eq!(
            TxStatus::parse(&json!({"finalized": h})),
            Ok(TxStatus::Finalized(h))
        );
        for failed in [
            json!("invalid"),
            json!("dropped"),
            json!({"invalid": "bad signature"}),
            json!({"usurped": h}),
            json!({"finalityTimeout": h}),
        ] {
            assert!(
                TxStatus::parse(&failed).unwrap().failure().is_some(),
                "{failed}"
            );
        }
        assert_eq!(
            TxStatus::parse(&json!({"invalid": "bad signature"}))
                .unwrap()
                .failure()
                .unwrap(),
            "the node found it invalid: bad signature"
        );
        assert!(TxStatus::parse(&json!({"inBlock": "0x12"})).is_err());
        assert!(TxStatus::parse(&json!(42)).is_err());
    }
}
