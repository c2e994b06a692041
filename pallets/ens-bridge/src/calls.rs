//! Requests, unlinking, cancelling, and root's changes of the oracle set and parameters.

use ghost_primitives::{DomainName, EnsName, EthAddress, Hash};
use ghost_support::prelude::*;
use ghost_support::traits::Currency;
use ghost_support::transactional;

use crate::eth::{link_message, personal_message_hash, recover_signer};
use crate::types::*;
use crate::{
    Config, Error, Event, GhostNames, Links, Oracles, Pallet, Params, Pending, Reverse, Threshold,
    Votes,
};

/// Longest text key mirrored.
const MAX_TEXT_KEY_LEN: usize = 64;
/// Most text keys, NameWrapper addresses.
const MAX_LIST_LEN: usize = 64;
/// Most labels DNS-profile records are mirrored at (each costs one read per mirrored type).
const MAX_DNS_LABELS: usize = 8;

impl<T: Config> Pallet<T> {
    pub(crate) fn block_number() -> BlockNumber {
        pallet_system::Pallet::<T>::block_number()
    }

    /// The secret of the ghost-name registration a request of `who` for `node` leads to.
    pub(crate) fn registration_secret(node: &EnsNode, who: &AccountId) -> Hash {
        Hash::of_encoded(&(b"ghostchain/ens-bridge/v1", node, who))
    }

    /// The link message `who` must have the ENS owner sign, on this chain.
    pub fn message_for(
        ens_name: &EnsName,
        ghost_name: &DomainName,
        who: &AccountId,
    ) -> Result<String, DispatchError> {
        let genesis = pallet_system::Pallet::<T>::block_hash(0).ok_or(Error::NoGenesisHash)?;
        Ok(link_message(ens_name, ghost_name, who, &genesis))
    }

    pub(crate) fn register_ens_domain(
        origin: Origin,
        ens_name: EnsName,
        ghost_name: DomainName,
        eth_address: EthAddress,
        eth_signature: EthSignature,
    ) -> DispatchResult {
        let who = ensure_signed(origin)?;
        let node = ens_name.namehash();
        let now = Self::block_number();
        let replaced = Pending::get(&node);
        if let Some(request) = &replaced {
            ensure!(now > request.expires_at, Error::RequestPending);
        }
        if let Some(link) = Links::get(&node) {
            let same = link.status == LinkStatus::Active
                && link.ghost_account == who
                && link.ghost_name == ghost_name
                && link.eth_owner == eth_address;
            ensure!(!same, Error::AlreadyLinked);
        }
        if let Some(linked) = Reverse::get(&ghost_name.namehash()) {
            ensure!(linked == ens_name, Error::GhostNameLinked);
        }
        if let Some(owner) = T::Names::owner(&ghost_name) {
            ensure!(owner == who, Error::GhostNameTaken);
        }
        let message = Self::message_for(&ens_name, &ghost_name, &who)?;
        let signer = recover_signer(&personal_message_hash(message.as_bytes()), &eth_signature)
            .map_err(|_| Error::BadSignature)?;
        ensure!(signer == eth_address, Error::SignerMismatch);
        let expires_at = now.saturating_add(T::REQUEST_LIFETIME);

        transactional(|| {
            T::Currency::reserve(&who, T::REQUEST_DEPOSIT)?;
            T::Names::prepare_registration(
                &who,
                &ghost_name,
                &Self::registration_secret(&node, &who),
            )?;
            if let Some(old) = replaced {
                T::Currency::unreserve(&old.ghost_account, old.deposit);
                Self::deposit_event(Event::RequestCancelled {
                    ens_name: old.ens_name,
                    ghost_account: old.ghost_account,
                    expired: true,
                });
            }
            Pending::insert(
                &node,
                &PendingRequest {
                    ens_name: ens_name.clone(),
                    ghost_name: ghost_name.clone(),
                    ghost_account: who,
                    eth_address,
                    deposit: T::REQUEST_DEPOSIT,
                    expires_at,
                },
            );
            Self::deposit_event(Event::LinkRequested {
                ens_name,
                ghost_name,
                ghost_account: who,
                eth_address,
                expires_at,
            });
            Ok(())
        })
    }

    pub(crate) fn unlink(origin: Origin, ens_name: EnsName) -> DispatchResult {
        let who = ensure_signed(origin)?;
        let node = ens_name.namehash();
        let link = Links::get(&node).ok_or(Error::NoSuchLink)?;
        let allowed = match T::Names::owner(&link.ghost_name) {
            Some(owner) => owner == who,
            None => link.ghost_account == who,
        };
        ensure!(allowed, Error::NotLinkOwner);
        Links::remove(&node);
        Reverse::remove(&link.ghost_name.namehash());
        if !Pending::contains_key(&node) {
            Votes::remove_prefix(&node);
        }
        Self::deposit_event(Event::Unlinked {
            ens_name,
            ghost_name: link.ghost_name,
        });
        Ok(())
    }

    pub(crate) fn cancel_request(origin: Origin, ens_name: EnsName) -> DispatchResult {
        let who = ensure_signed(origin)?;
        let node = ens_name.namehash();
        let request = Pending::get(&node).ok_or(Error::NoSuchRequest)?;
        let expired = Self::block_number() > request.expires_at;
        ensure!(expired || request.ghost_account == who, Error::NotRequester);
        Pending::remove(&node);
        T::Currency::unreserve(&request.ghost_account, request.deposit);
        if !Links::contains_key(&node) {
            Votes::remove_prefix(&node);
        }
        Self::deposit_event(Event::RequestCancelled {
            ens_name,
            ghost_account: request.ghost_account,
            expired,
        });
        Ok(())
    }

    /// The oracle set sorted, if it is non-empty, bounded, without duplicates, and `threshold`
    /// is a strict majority of it.
    pub(crate) fn check_oracles(
        mut oracles: Vec<AccountId>,
        threshold: u32,
    ) -> Result<Vec<AccountId>, Error> {
        let n = oracles.len() as u64;
        oracles.sort();
        oracles.dedup();
        let majority = u64::from(threshold).saturating_mul(2) > n;
        if n == 0
            || n > u64::from(T::MAX_ORACLES)
            || oracles.len() as u64 != n
            || u64::from(threshold) > n
            || !majority
        {
            return Err(Error::BadOracleSet);
        }
        Ok(oracles)
    }

    pub(crate) fn check_params(params: &BridgeParams) -> Result<(), Error> {
        let mut keys: Vec<&String> = params.text_keys.iter().collect();
        keys.sort();
        keys.dedup();
        let keys_ok = keys.len() == params.text_keys.len()
            && keys.len() <= MAX_LIST_LEN
            && keys
                .iter()
                .all(|k| !k.is_empty() && k.len() <= MAX_TEXT_KEY_LEN);
        let limits_ok = (1..=4096).contains(&params.max_text_len)
            && (1..=256).contains(&params.max_records)
            && params.name_wrappers.len() <= MAX_LIST_LEN;
        let mut labels: Vec<_> = params.dns_labels.iter().collect();
        labels.sort();
        labels.dedup();
        let labels_ok = labels.len() == params.dns_labels.len() && labels.len() <= MAX_DNS_LABELS;
        if keys_ok && limits_ok && labels_ok {
            Ok(())
        } else {
            Err(Error::BadParams)
        }
    }

    pub(crate) fn set_oracles(
        origin: Origin,
        oracles: Vec<AccountId>,
        threshold: u32,
    ) -> DispatchResult {
        ensure_root(origin)?;
        let oracles = Self::check_oracles(oracles, threshold)?;
        Oracles::put(&oracles);
        Threshold::put(&threshold);
        Self::deposit_event(Event::OraclesChanged { oracles, threshold });
        Ok(())
    }

    pub(crate) fn set_params(origin: Origin, params: BridgeParams) -> DispatchResult {
        ensure_root(origin)?;
        Self::check_params(&params)?;
        Params::put(&params);
        Self::deposit_event(Event::ParamsChanged { params });
        Ok(())
    }
}
