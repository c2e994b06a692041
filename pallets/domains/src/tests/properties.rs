//! Property tests: under random histories of registrations, transfers, subnames and time jumps
//! the owner index `Owned` stays equal to the owners recorded in `Domains`; commitments bind
//! the name, the owner and the secret.

use std::collections::BTreeSet;

use ghost_support::transactional;
use proptest::prelude::*;

use super::*;
use crate::{Call, DAY_MS, YEAR_MS};

const ROOTS: [&str; 3] = ["alice.ghost", "bobby.ghost", "carol.bc"];
const LABELS: [&str; 2] = ["www", "mail"];
/// How many names operations pick from: the roots and their subnames one level down.
const TARGETS: usize = ROOTS.len() * (1 + LABELS.len());

/// Target `i`: `alice.ghost`, ..., `www.alice.ghost`, ..., `mail.carol.bc`.
fn target(i: usize) -> String {
    let root = ROOTS[i % ROOTS.len()];
    match i / ROOTS.len() {
        0 => root.to_string(),
        k => format!("{}.{root}", LABELS[k - 1]),
    }
}

/// Who makes a call: mostly the current owner of the name it is about, so that calls succeed.
#[derive(Clone, Copy, Debug)]
enum Caller {
    Owner,
    Account(u8),
}

impl Caller {
    /// The calling account for a call about `n` (account 1 if `n` has no owner).
    fn of(self, n: &str) -> u8 {
        match self {
            Caller::Account(who) => who,
            Caller::Owner => info_of(n).map_or(1, |info| info.owner.0[0]),
        }
    }
}

#[derive(Clone, Debug)]
enum Op {
    Register {
        who: u8,
        root: usize,
    },
    Renew {
        root: usize,
    },
    Transfer {
        caller: Caller,
        target: usize,
        to: u8,
    },
    SetSubname {
        caller: Caller,
        parent: usize,
        label: usize,
        owner: u8,
        lock: bool,
    },
    /// Moves time forward; with `sweep`, runs blocks until nothing due is left, without it the
    /// next call sees names that are due but not swept yet.
    Jump {
        ms: u64,
        sweep: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let who = || 1u8..=4;
    let caller = || prop_oneof![4 => Just(Caller::Owner), 1 => who().prop_map(Caller::Account)];
    // Mostly the roots, which exist more often than subnames.
    let target = || prop_oneof![2 => 0..ROOTS.len(), 1 => 0..TARGETS];
    let jump = prop_oneof![
        3 => Just(DAY_MS),
        2 => 1..YEAR_MS,
        1 => Just(YEAR_MS + DAY_MS),
        1 => Just(YEAR_MS + GRACE + DAY_MS),
    ];
    prop_oneof![
        3 => (who(), 0..ROOTS.len()).prop_map(|(who, root)| Op::Register { who, root }),
        1 => (0..ROOTS.len()).prop_map(|root| Op::Renew { root }),
        3 => (caller(), target(), who()).prop_map(|(caller, target, to)| Op::Transfer { caller, target, to }),
        4 => (caller(), target(), 0..LABELS.len(), who(), prop::bool::weighted(0.2)).prop_map(
            |(caller, parent, label, owner, lock)| Op::SetSubname { caller, parent, label, owner, lock }
        ),
        3 => (jump, prop::bool::weighted(0.8)).prop_map(|(ms, sweep)| Op::Jump { ms, sweep }),
    ]
}

/// Applies `op` as the executive would: a refused call leaves no writes.
fn apply(op: &Op) {
    let dispatch = |who: u8, call: Call| {
        let _ = transactional(|| signed(who, call));
    };
    match *op {
        Op::Register { who, root } => {
            let _ = transactional(|| register_now(who, ROOTS[root]));
        }
        Op::Renew { root } => dispatch(
            5,
            Call::Renew {
                name: name(ROOTS[root]),
                duration_ms: YEAR_MS,
            },
        ),
        Op::Transfer {
            caller,
            target: t,
            to,
        } => {
            let n = target(t);
            dispatch(
                caller.of(&n),
                Call::Transfer {
                    name: name(&n),
                    new_owner: acc(to),
                },
            );
        }
        Op::SetSubname {
            caller,
            parent,
            label,
            owner,
            lock,
        } => {
            let parent = target(parent);
            let call = Call::SetSubnameOwner {
                parent: name(&parent),
                label: LABELS[label].into(),
                owner: acc(owner),
                lock,
            };
            dispatch(caller.of(&parent), call);
        }
        Op::Jump { ms, sweep } => {
            next_block_at(System::now() + ms);
            if sweep {
                sweep_everything_due();
            }
        }
    }
}

/// Runs blocks until the expiry queue holds nothing due.
fn sweep_everything_due() {
    for _ in 0..100 {
        let due = expiry_queue()
            .first()
            .is_some_and(|(moment, ..)| *moment <= System::now());
        if !due {
            return;
        }
        next_block_at(System::now() + 1);
    }
    panic!("the sweep did not catch up in 100 blocks");
}

/// `(owner, namehash)` of every `Domains` entry.
fn owners_in_domains() -> BTreeSet<(AccountId, Hash)> {
    pallet::Domains::iter()
        .map(|(hash, info)| (info.owner, hash))
        .collect()
}

/// Every `(owner, namehash)` in the `Owned` index, read from the raw keys.
fn owners_in_index() -> BTreeSet<(AccountId, Hash)> {
    let prefix = <pallet::Owned as StorageDoubleMap>::prefix();
    keys_under(&prefix)
        .into_iter()
        .map(|key| {
            // blake3(owner)[..16] ++ owner ++ namehash
            assert_eq!(
                key.len(),
                16 + 32 + 32,
                "an Owned key has the expected layout"
            );
            let owner = AccountId(key[16..48].try_into().expect("32 bytes"));
            let hash = Hash(key[48..80].try_into().expect("32 bytes"));
            (owner, hash)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn the_owner_index_always_mirrors_domains(ops in prop::collection::vec(op(), 1..60)) {
        new_test_ext_with(no_commitment_params()).execute_with(|| {
            for (step, op) in ops.iter().enumerate() {
                apply(op);

                prop_assert_eq!(owners_in_index(), owners_in_domains(), "after step {}: {:?}", step, op);
                for (hash, info) in pallet::Domains::iter() {
                    prop_assert_eq!(hash, info.name.namehash());
                    if let Op::Jump { sweep: true, .. } = op {
                        let swept = info.parent.is_some() || System::now() < info.expires_at + GRACE;
                        prop_assert!(swept, "{} outlived its grace after the sweep", info.name);
                    }
                }
            }
            Ok(())
        })?;
    }

    #[test]
    fn commitments_differ_in_every_field_the_reveal_sets(
        label in "[a-z0-9]{1,20}",
        owners in any::<([u8; 32], [u8; 32])>(),
        secrets in any::<([u8; 32], [u8; 32])>(),
        durations in any::<(u64, u64)>(),
        ttls in any::<(u32, u32)>(),
    ) {
        let alice = name(&format!("{label}.ghost"));
        let other = name(&format!("{label}.bc"));
        let record = |ttl| vec![super::rec_ttl("@", "A=10.0.0.1", ttl)];
        let commitment = |n, owner, secret, duration, records: &[ghost_primitives::DnsRecord]| {
            Domains::commitment_of(n, &AccountId(owner), &Hash(secret), duration, records)
        };
        let base = commitment(&alice, owners.0, secrets.0, durations.0, &record(ttls.0));

        prop_assert_eq!(base, commitment(&alice, owners.0, secrets.0, durations.0, &record(ttls.0)));
        prop_assert_ne!(base, commitment(&other, owners.0, secrets.0, durations.0, &record(ttls.0)));
        prop_assert_ne!(base, commitment(&alice, owners.0, secrets.0, durations.0, &[]));
        if secrets.0 != secrets.1 {
            prop_assert_ne!(base, commitment(&alice, owners.0, secrets.1, durations.0, &record(ttls.0)));
        }
        if owners.0 != owners.1 {
            prop_assert_ne!(base, commitment(&alice, owners.1, secrets.0, durations.0, &record(ttls.0)));
        }
        if durations.0 != durations.1 {
            prop_assert_ne!(base, commitment(&alice, owners.0, secrets.0, durations.1, &record(ttls.0)));
        }
        if ttls.0 != ttls.1 {
            prop_assert_ne!(base, commitment(&alice, owners.0, secrets.0, durations.0, &record(ttls.1)));
        }
    }
}
