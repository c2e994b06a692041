//! Applying record changes and checking a name's records against the limits.

use std::collections::BTreeMap;

use ghost_primitives::{DnsRecord, DomainName, Hash, RecordData, RecordLabel, RecordType};
use ghost_support::prelude::*;

use crate::types::*;
use crate::{Config, Domains, Error, Event, Pallet, Records};

/// Applies `changes` in order to `records` and checks the result against the limits of
/// `params`. Refuses more than [`DomainParams::max_changes_per_call`] changes before doing any
/// work, and a new record whose TTL exceeds [`MAX_RECORD_TTL`].
///
/// # Complexity
/// O((r + c) log(r + c)) for r records and c changes: the DNS records are kept in a map from
/// (label, type) to (value → TTL), so an upsert or removal is one map operation, a `ReplaceSet`
/// drops one entry, and the result is sorted once. The weight of `set_records` is measured on the
/// worst case of this function (`benches/set_records.rs`).
pub fn apply_changes(
    name: &DomainName,
    records: NameRecords,
    changes: Vec<RecordChange>,
    params: &DomainParams,
) -> Result<NameRecords, Error> {
    if changes.len() as u64 > u64::from(params.max_changes_per_call()) {
        return Err(Error::TooManyChanges);
    }
    let NameRecords { dns, mut web3 } = records;
    let mut sets: BTreeMap<(RecordLabel, RecordType), BTreeMap<RecordData, u32>> = BTreeMap::new();
    for record in dns {
        sets.entry((record.label, record.data.rtype()))
            .or_default()
            .insert(record.data, record.ttl);
    }
    for change in changes {
        match change {
            RecordChange::Upsert(record) => {
                if record.ttl > MAX_RECORD_TTL {
                    return Err(Error::TtlTooLong);
                }
                sets.entry((record.label, record.data.rtype()))
                    .or_default()
                    .insert(record.data, record.ttl);
            }
            RecordChange::Remove(record) => {
                let key = (record.label, record.data.rtype());
                let set = sets.get_mut(&key).ok_or(Error::RecordNotFound)?;
                set.remove(&record.data).ok_or(Error::RecordNotFound)?;
                if set.is_empty() {
                    sets.remove(&key);
                }
            }
            RecordChange::ReplaceSet {
                label,
                rtype,
                ttl,
                values,
            } => {
                if values.iter().any(|v| v.rtype() != rtype) {
                    return Err(Error::RecordTypeMismatch);
                }
                if ttl > MAX_RECORD_TTL {
                    return Err(Error::TtlTooLong);
                }
                let set: BTreeMap<RecordData, u32> =
                    values.into_iter().map(|data| (data, ttl)).collect();
                if set.is_empty() {
                    sets.remove(&(label, rtype));
                } else {
                    sets.insert((label, rtype), set);
                }
            }
            RecordChange::SetAddress { coin_type, address } => match address {
                Some(a) => {
                    web3.addresses.insert(coin_type, a);
                }
                None => {
                    web3.addresses.remove(&coin_type);
                }
            },
            RecordChange::SetText { key, value } => match value {
                Some(v) => {
                    web3.texts.insert(key, v);
                }
                None => {
                    web3.texts.remove(&key);
                }
            },
            RecordChange::SetContenthash(hash) => web3.contenthash = hash,
        }
    }
    let count: usize = sets.values().map(BTreeMap::len).sum();
    if count as u64 > u64::from(params.max_dns_records) {
        return Err(Error::TooManyRecords);
    }
    let mut dns = Vec::with_capacity(count);
    for ((label, _), set) in sets {
        dns.extend(set.into_iter().map(|(data, ttl)| DnsRecord {
            label: label.clone(),
            ttl,
            data,
        }));
    }
    dns.sort();
    let records = NameRecords { dns, web3 };
    check_records(name, &records, params)?;
    Ok(records)
}

/// Checks limits, values, absolute name lengths and CNAME exclusivity of records sorted by
/// label (as stored), in one pass.
pub(crate) fn check_records(
    name: &DomainName,
    records: &NameRecords,
    params: &DomainParams,
) -> Result<(), Error> {
    if records.dns.len() as u64 > u64::from(params.max_dns_records) {
        return Err(Error::TooManyRecords);
    }
    if records.web3.count() as u64 > u64::from(params.max_web3_entries) {
        return Err(Error::TooManyWeb3Entries);
    }
    let size = records
        .dns
        .iter()
        .map(parity_scale_codec::Encode::encoded_size)
        .sum::<usize>()
        + records.web3.size();
    if size as u64 > u64::from(params.max_record_bytes) {
        return Err(Error::RecordsTooLarge);
    }
    for record in &records.dns {
        record.data.validate().map_err(|_| Error::InvalidRecord)?;
        if record.label.under(name.as_str()).len() > ghost_primitives::names::MAX_NAME_LEN {
            return Err(Error::RecordNameTooLong);
        }
    }
    // Sorted by label: the records of one label are one run; a CNAME must be alone in its run.
    for run in records.dns.chunk_by(|a, b| a.label == b.label) {
        if run.len() > 1 && run.iter().any(|r| r.data.rtype() == RecordType::CNAME) {
            return Err(Error::CnameConflict);
        }
    }
    Ok(())
}

impl<T: Config> Pallet<T> {
    /// [`apply_changes`], as a dispatch error.
    pub(crate) fn apply_changes(
        name: &DomainName,
        records: NameRecords,
        changes: Vec<RecordChange>,
        params: &DomainParams,
    ) -> Result<NameRecords, DispatchError> {
        apply_changes(name, records, changes, params).map_err(Into::into)
    }

    /// Stores a name's records (settling a subname's records deposit with `signer` first), moves
    /// its update sequence on and announces them.
    pub(crate) fn store_records(
        signer: &AccountId,
        name: &DomainName,
        hash: &Hash,
        info: &DomainInfo,
        records: NameRecords,
    ) -> DispatchResult {
        // The deposit first: refused, it leaves nothing behind.
        Self::settle_records_deposit(signer, hash, info, &records)?;
        if let Some(mut info) = Domains::get(hash) {
            info.update_sequence = info.update_sequence.saturating_add(1);
            Domains::insert(hash, &info);
        }
        let dns = records.dns.clone();
        let web3_entries = records.web3.count() as u32;
        if records.is_empty() {
            Records::remove(hash);
        } else {
            Records::insert(hash, &records);
        }
        Self::deposit_event(Event::RecordsChanged {
            name: name.clone(),
            records: dns,
            web3_entries,
        });
        Ok(())
    }
}
