//! Pure helpers: names, labels, records, durations, commitments, times, text forms.

use super::*;

/// A name in canonical form, via the chain's IDNA rules (`ghost_primitives::names::normalize_name`).
pub fn parse_name(input: &str) -> anyhow::Result<DomainName> {
    normalize_name(input).map_err(|e| anyhow::anyhow!("invalid name `{input}`: {e}"))
}

/// The subname `label.parent`, with IDNA applied to the label too; the label must be one label.
pub fn subname_of(parent: &DomainName, label: &str) -> anyhow::Result<DomainName> {
    let child = parse_name(&format!("{label}.{parent}"))
        .map_err(|_| anyhow::anyhow!("invalid subname label `{label}`"))?;
    if child.parent().as_ref() != Some(parent) {
        anyhow::bail!("invalid subname label `{label}`: give a single label such as `www`");
    }
    Ok(child)
}

/// A `watch --suffix` in the node's canonical form (`Ghost` → `ghost`, `.Bücher.ghost` →
/// `xn--bcher-kva.ghost`).
pub fn parse_suffix(input: &str) -> anyhow::Result<String> {
    let trimmed = input.trim().trim_start_matches('.');
    let probe = parse_name(&format!("x.{trimmed}"))
        .map_err(|_| anyhow::anyhow!("invalid suffix `{input}`"))?;
    Ok(probe.as_str()["x.".len()..].to_string())
}

/// A record label (`@` when not given).
pub fn parse_label(label: Option<&str>) -> anyhow::Result<RecordLabel> {
    match label {
        None => Ok(RecordLabel::apex()),
        Some(label) => RecordLabel::parse(label).map_err(|e| anyhow::anyhow!("--label: {e}")),
    }
}

/// The records of `register --record TYPE=VALUE …`, all at one label with one TTL.
pub fn build_records(
    assignments: &[String],
    placement: &RecordPlacement,
) -> anyhow::Result<Vec<DnsRecord>> {
    let label = parse_label(placement.label.as_deref())?;
    let ttl = placement.ttl.unwrap_or(DEFAULT_TTL);
    assignments
        .iter()
        .map(|assignment| {
            let data = RecordData::parse_assignment(assignment)
                .map_err(|e| anyhow::anyhow!("--record `{assignment}`: {e}"))?;
            Ok(DnsRecord {
                label: label.clone(),
                ttl,
                data,
            })
        })
        .collect()
}

/// The record of `set-record NAME TYPE VALUE…`.
pub fn build_record(
    rtype: &str,
    value: &[String],
    placement: &RecordPlacement,
) -> anyhow::Result<DnsRecord> {
    let rtype: RecordType = rtype.parse()?;
    let value = value.join(" ");
    Ok(DnsRecord {
        label: parse_label(placement.label.as_deref())?,
        ttl: placement.ttl.unwrap_or(DEFAULT_TTL),
        data: RecordData::parse(rtype, &value)?,
    })
}

/// Bytes of a web3 record (`set-addr`, `set-contenthash`): `0x`-hex, at least one byte (`--clear`
/// removes a record).
pub fn parse_record_bytes(input: &str, what: &str) -> anyhow::Result<Bytes> {
    let bytes = decode_hex(input).map_err(|e| anyhow::anyhow!("invalid {what} `{input}`: {e}"))?;
    if bytes.is_empty() {
        anyhow::bail!("invalid {what} `{input}`: give at least one byte (--clear removes it)");
    }
    Ok(Bytes(bytes))
}

/// The key of `update-key`: `--key`, the public key of `--suri`, or none (`--clear`).
pub fn parse_update_key(
    key: Option<&str>,
    suri: Option<&str>,
) -> anyhow::Result<Option<AccountId>> {
    match (key, suri) {
        (Some(key), _) => key
            .parse()
            .map(Some)
            .map_err(|e| anyhow::anyhow!("--key: invalid public key `{key}`: {e}")),
        (None, Some(suri)) => Ok(Some(
            pair_from_suri(suri)
                .map_err(|e| e.context("--suri"))?
                .public(),
        )),
        (None, None) => Ok(None),
    }
}

/// `name`'s DNS records replaced by `records`, signed by `signer` at `timestamp` (ms) against
/// the name's update `sequence` over the pallet's canonical
/// [`SignedRecordUpdate::signing_payload`] for the chain with `genesis_hash`.
pub fn signed_update(
    name: &DomainName,
    contract_id: &str,
    records: Vec<DnsRecord>,
    signer: &Pair,
    timestamp: u64,
    genesis_hash: &Hash,
    sequence: u64,
) -> anyhow::Result<SignedRecordUpdate> {
    if contract_id.len() > MAX_CONTRACT_ID_LEN {
        anyhow::bail!(
            "--contract-id: at most {MAX_CONTRACT_ID_LEN} bytes, `{contract_id}` has {}",
            contract_id.len()
        );
    }
    let mut update = SignedRecordUpdate {
        domain: name.clone(),
        contract_id: Bytes(contract_id.as_bytes().to_vec()),
        records,
        owner_address: signer.public(),
        timestamp,
        sequence,
        signature: Signature::default(),
    };
    update.signature = signer.sign(&update.signing_payload(genesis_hash));
    Ok(update)
}

/// A fresh random secret for a commitment (32 bytes from the operating system).
pub(super) fn random_secret() -> anyhow::Result<Hash> {
    // `Pair::generate` draws its 32-byte seed from the OS; the seed is all we use.
    let (_, seed) = Pair::generate().map_err(|e| anyhow::anyhow!("drawing a secret: {e}"))?;
    Ok(Hash(seed))
}

/// The local wall clock in ms since the epoch.
pub(super) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// How much longer a commitment that may be revealed at `ready_at` must wait, given the best
/// block's time and the local clock; `None` once either has reached it.
pub fn commitment_wait(ready_at: u64, best_block_ms: u64, local_ms: u64) -> Option<Duration> {
    let now = best_block_ms.max(local_ms);
    (now < ready_at).then(|| Duration::from_millis(ready_at - now))
}

/// A `u64` field of `domain_params`.
pub(super) fn param_u64(params: &serde_json::Value, key: &str) -> anyhow::Result<u64> {
    params
        .get(key)
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| anyhow::anyhow!("domain_params has no numeric `{key}`: {params}"))
}
