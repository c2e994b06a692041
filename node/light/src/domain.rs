//! A name's resolution recomputed from a read proof.
//!
//! [`ProofKeys::of`] computes, from the runtime's own storage items, which keys a resolution
//! depends on: the name's entry, its records, the domain parameters, the block time and (for a
//! subname) its root name's entry. [`prove_resolution`] verifies those keys and recomputes what
//! `Pallet::resolve` would answer; a client compares that with the node's claim.

use ghost_primitives::{AccountId, DnsRecord, DomainName, Hash, Web3Records};
use ghost_support::storage::{StorageMap, StorageValue};
use ghost_trie::ReadProof;
use pallet_domains::{DomainInfo, DomainParams, NameRecords};

use crate::read::{ProofError, decode_value, verify_read};

/// Where a name stands at the proven block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameStatus {
    /// Registered and resolving.
    Active,
    /// Expired, renewable by its owner only.
    Grace,
    /// Expired past grace: anyone may register it.
    Available,
}

impl NameStatus {
    /// `active`, `grace` or `available` (the RPC's spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            NameStatus::Active => "active",
            NameStatus::Grace => "grace",
            NameStatus::Available => "available",
        }
    }
}

/// What the proven state says about a name (the fields of `domain_resolve`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvenResolution {
    /// The name as stored.
    pub name: DomainName,
    /// Its namehash.
    pub namehash: Hash,
    /// Owner.
    pub owner: AccountId,
    /// DNS records (empty unless active).
    pub records: Vec<DnsRecord>,
    /// Web3 records (empty unless active).
    pub web3: Web3Records,
    /// Effective expiry (ms): a subname's is its root's.
    pub expires_at: u64,
    /// Creation time (ms).
    pub created_at: u64,
    /// Status at the proven block.
    pub status: NameStatus,
    /// A subname's parent: the name minus its first label, bound by namehash to the proven
    /// entry's parent.
    pub parent: Option<DomainName>,
    /// The key that may sign updates besides the owner.
    pub update_key: Option<AccountId>,
    /// The sequence number the name's next signed update must carry.
    pub update_sequence: u64,
}

/// The storage keys a resolution depends on, computed locally from the runtime's items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofKeys {
    /// `Domains.Domains[namehash]`.
    pub entry: Vec<u8>,
    /// `Domains.Records[namehash]`.
    pub records: Vec<u8>,
    /// `Domains.Params`.
    pub params: Vec<u8>,
    /// `System.Now`.
    pub now: Vec<u8>,
    /// The root name's entry, for a subname.
    pub root_entry: Option<Vec<u8>>,
}

impl ProofKeys {
    /// The keys for `name`.
    pub fn of(name: &DomainName) -> Self {
        let root_entry =
            root_of(name).map(|root| pallet_domains::Domains::hashed_key(&root.namehash()));
        ProofKeys {
            entry: pallet_domains::Domains::hashed_key(&name.namehash()),
            records: pallet_domains::Records::hashed_key(&name.namehash()),
            params: pallet_domains::Params::hashed_key(),
            now: pallet_system::Now::hashed_key(),
            root_entry,
        }
    }

    /// All keys, in no particular order.
    pub fn all(&self) -> Vec<Vec<u8>> {
        let mut keys = vec![
            self.entry.clone(),
            self.records.clone(),
            self.params.clone(),
            self.now.clone(),
        ];
        keys.extend(self.root_entry.clone());
        keys
    }
}

/// The second-level name a subname hangs under (`None` for a second-level name).
fn root_of(name: &DomainName) -> Option<DomainName> {
    let mut root = name.clone();
    while root.depth() > 2 {
        root = root.parent()?;
    }
    (root != *name).then_some(root)
}

/// Verifies `proof` against `state_root` for every key in `listed` (what the node says it
/// proved) and for every key `name` depends on, and recomputes the resolution from the proven
/// values (`None`: the name is proven not to resolve).
pub fn prove_resolution(
    name: &DomainName,
    state_root: &Hash,
    proof: &ReadProof,
    listed: &[Vec<u8>],
) -> Result<Option<ProvenResolution>, ProofError> {
    let read = |key: &[u8]| verify_read(state_root, proof, key);
    for key in listed {
        read(key)?;
    }
    let keys = ProofKeys::of(name);
    let Some(info) = decode_value::<DomainInfo>(read(&keys.entry)?, "name entry")? else {
        return Ok(None);
    };
    let expires_at = match (&info.parent, &keys.root_entry) {
        (None, _) => info.expires_at,
        (Some(_), None) => return Ok(None),
        (Some(_), Some(root_key)) => {
            match decode_value::<DomainInfo>(read(root_key)?, "root entry")? {
                Some(root) if root.registration == info.registration && root.parent.is_none() => {
                    root.expires_at
                }
                _ => return Ok(None),
            }
        }
    };
    let params =
        decode_value::<DomainParams>(read(&keys.params)?, "domain parameters")?.unwrap_or_default();
    let now = decode_value::<u64>(read(&keys.now)?, "block time")?.unwrap_or(0);
    let status = if now < expires_at {
        NameStatus::Active
    } else if now < expires_at.saturating_add(params.grace_period_ms) {
        NameStatus::Grace
    } else {
        NameStatus::Available
    };
    let records = if status == NameStatus::Active {
        decode_value::<NameRecords>(read(&keys.records)?, "records")?.unwrap_or_default()
    } else {
        NameRecords::default()
    };
    let parent = match info.parent {
        None => None,
        Some(parent_hash) => match name.parent().filter(|p| p.namehash() == parent_hash) {
            Some(parent) => Some(parent),
            None => {
                return Err(ProofError::Inconsistent(format!(
                    "the proven entry of {name} names parent {parent_hash}, which is not {}",
                    name.parent().map(|p| p.to_string()).unwrap_or_default()
                )));
            }
        },
    };
    Ok(Some(ProvenResolution {
        name: info.name,
        namehash: name.namehash(),
        owner: info.owner,
        records: records.dns,
        web3: records.web3,
        expires_at,
        created_at: info.created_at,
        status,
        parent,
        update_key: info.update_key,
        update_sequence: info.update_sequence,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use parity_scale_codec::{DecodeAll, Encode};

    fn name(s: &str) -> DomainName {
        DomainName::parse(s).unwrap()
    }

    #[test]
    fn proof_keys_are_the_runtimes() {
        for n in ["alice.ghost", "www.alice.ghost", "a.www.alice.ghost"] {
            let n = name(n);
            let mut ours = ProofKeys::of(&n).all();
            ours.sort();
            let mut runtime = ghost_runtime::api::domain_proof_keys(&n);
            runtime.sort();
            assert_eq!(ours, runtime, "{n}");
        }
    }

    /// The fixture state at `now` and a proof for `target`, as `prove_resolution`'s inputs.
    fn proven_state(
        target: &str,
        now: u64,
        tamper: impl FnOnce(&mut Vec<(Vec<u8>, Vec<u8>)>),
    ) -> (DomainName, Hash, ReadProof, Vec<Vec<u8>>) {
        let p = crate::fixtures::proven_state(target, now, tamper);
        (p.name, p.state_root, p.proof, p.keys)
    }

    #[test]
    fn active_grace_subname_and_absent_names_are_recomputed() {
        let (n, root, proof, keys) = proven_state("alice.ghost", 5_000, |_| {});
        let r = prove_resolution(&n, &root, &proof, &keys).unwrap().unwrap();
        assert_eq!(
            (r.status, r.expires_at, r.records.len()),
            (NameStatus::Active, 10_000, 1)
        );

        let (n, root, proof, keys) = proven_state("alice.ghost", 12_000, |_| {});
        let r = prove_resolution(&n, &root, &proof, &keys).unwrap().unwrap();
        assert_eq!(r.status, NameStatus::Grace);
        assert!(r.records.is_empty(), "records stop resolving at expiry");

        let (n, root, proof, keys) = proven_state("www.alice.ghost", 5_000, |_| {});
        let r = prove_resolution(&n, &root, &proof, &keys).unwrap().unwrap();
        assert_eq!(r.parent, Some(name("alice.ghost")));
        assert_eq!(r.expires_at, 10_000, "a subname expires with its root");

        let (n, root, proof, keys) = proven_state("bob.ghost", 5_000, |_| {});
        assert_eq!(prove_resolution(&n, &root, &proof, &keys).unwrap(), None);
    }

    #[test]
    fn wrong_root_or_missing_node_is_refused() {
        let (n, root, mut proof, keys) = proven_state("alice.ghost", 5_000, |_| {});
        let err = prove_resolution(&n, &Hash([1; 32]), &proof, &keys).unwrap_err();
        assert!(matches!(err, ProofError::DoesNotVerify { .. }), "{err}");
        proof.nodes.pop();
        assert!(prove_resolution(&n, &root, &proof, &keys).is_err());
    }

    #[test]
    fn subname_of_an_earlier_registration_does_not_resolve() {
        let (sub, root, proof, keys) = proven_state("www.alice.ghost", 5_000, |pairs| {
            let key = ProofKeys::of(&name("alice.ghost")).entry;
            let entry = pairs.iter_mut().find(|(k, _)| *k == key).unwrap();
            let mut info = DomainInfo::decode_all(&mut &entry.1[..]).unwrap();
            info.registration = 2;
            entry.1 = info.encode();
        });
        assert_eq!(prove_resolution(&sub, &root, &proof, &keys).unwrap(), None);
    }

    #[test]
    fn garbage_values_are_errors_not_panics() {
        let (n, root, proof, keys) = proven_state("alice.ghost", 5_000, |pairs| {
            let key = ProofKeys::of(&name("alice.ghost")).entry;
            pairs.iter_mut().find(|(k, _)| *k == key).unwrap().1 = vec![0xff; 3];
        });
        let err = prove_resolution(&n, &root, &proof, &keys).unwrap_err();
        assert!(
            matches!(
                err,
                ProofError::BadValue {
                    what: "name entry",
                    ..
                }
            ),
            "{err}"
        );
    }
}
