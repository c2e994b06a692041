//! Applying record changes and checking a name's records against the limits.

use ghost_primitives::{DnsRecord, DomainName, Hash, RecordType};
use ghost_support::prelude::*;

use crate::types::*;
use crate::{Config, Domains, Error, Event, Pallet, Records};

impl<T: Config> Pallet<T> {
    /// Applies `changes` in order to `records` and checks the result.
    pub(crate) fn apply_changes(
        name: &DomainName,
        mut records: NameRecords,
        changes: Vec<RecordChange>,
        params: &DomainParams,
    ) -> Result<NameRecords, DispatchError> {
        for change in changes {
            match change {
                RecordChange::Upsert(record) => {
                    match records
                        .dns
                        .iter_mut()
                        .find(|r| r.label == record.label && r.data == record.data)
                    {
                        Some(existing) => existing.ttl = record.ttl,
                        None => records.dns.push(record),
                    }
                }
                RecordChange::Remove(record) => {
                    let before = records.dns.len();
                    records
                        .dns
                        .retain(|r| !(r.label == record.label && r.data == record.data));
                    ensure!(records.dns.len() < before, Error::RecordNotFound);
                }
                RecordChange::ReplaceSet {
                    label,
                    rtype,
                    ttl,
                    values,
                } => {
                    ensure!(
                        values.iter().all(|v| v.rtype() == rtype),
                        Error::RecordTypeMismatch
                    );
                    records
                        .dns
                        .retain(|r| !(r.label == label && r.data.rtype() == rtype));
                    records.dns.extend(values.into_iter().map(|data| DnsRecord {
                        label: label.clone(),
                        ttl,
                        data,
                    }));
                }
                RecordChange::SetAddress { coin_type, address } => match address {
                    Some(a) => {
                        records.web3.addresses.insert(coin_type, a);
                    }
                    None => {
                        records.web3.addresses.remove(&coin_type);
                    }
                },
                RecordChange::SetText { key, value } => match value {
                    Some(v) => {
                        records.web3.texts.insert(key, v);
                    }
                    None => {
                        records.web3.texts.remove(&key);
                    }
                },
                RecordChange::SetContenthash(hash) => records.web3.contenthash = hash,
            }
        }
        Self::check_records(name, &records, params)?;
        records.dns.sort();
        Ok(records)
    }

    /// Checks limits, values, absolute name lengths and CNAME exclusivity.
    pub(crate) fn check_records(
        name: &DomainName,
        records: &NameRecords,
        params: &DomainParams,
    ) -> DispatchResult {
        ensure!(
            records.dns.len() as u64 <= u64::from(params.max_dns_records),
            Error::TooManyRecords
        );
        ensure!(
            records.web3.count() as u64 <= u64::from(params.max_web3_entries),
            Error::TooManyWeb3Entries
        );
        let size = records
            .dns
            .iter()
            .map(parity_scale_codec::Encode::encoded_size)
            .sum::<usize>()
            + records.web3.size();
        ensure!(
            size as u64 <= u64::from(params.max_record_bytes),
            Error::RecordsTooLarge
        );
        for record in &records.dns {
            record.data.validate().map_err(|_| Error::InvalidRecord)?;
            ensure!(
                record.label.under(name.as_str()).len() <= ghost_primitives::names::MAX_NAME_LEN,
                Error::RecordNameTooLong
            );
            if record.data.rtype() == RecordType::CNAME {
                let others_at_label = records
                    .dns
                    .iter()
                    .filter(|r| r.label == record.label)
                    .count();
                ensure!(others_at_label == 1, Error::CnameConflict);
            }
        }
        Ok(())
    }

    /// Stores a name's records, moves its update sequence on and announces them.
    pub(crate) fn store_records(name: &DomainName, hash: &Hash, records: NameRecords) {
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
    }
}
