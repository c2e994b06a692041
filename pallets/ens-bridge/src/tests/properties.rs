//! Properties of the threshold: one oracle alone never decides; the honest majority always does.

use ghost_primitives::{Bytes, EthAddress, Web3Records};
use proptest::prelude::*;

use super::*;

fn records_with_url(n: u8) -> Web3Records {
    let mut records = Web3Records::default();
    records
        .texts
        .insert("url".into(), format!("https://{n}.example"));
    records.addresses.insert(60, Bytes(vec![n; 20]));
    records
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Whatever one oracle attests, in whatever order, nothing is linked or refused.
    #[test]
    fn one_oracle_alone_never_decides(
        attestations in proptest::collection::vec((0u64..50, any::<bool>(), 0u8..3), 1..20),
    ) {
        new_test_ext().execute_with(|| {
            let key = eth_key(&ALICE_ETH_SECRET);
            request(1, &key, "alice.eth", "alice.ghost").unwrap();
            let rogue = oracles()[2];
            for (index, (block, claims_alice, records)) in attestations.into_iter().enumerate() {
                if index % 4 == 3 {
                    next_block(1_000);
                }
                let owner = if claims_alice { key.address() } else { EthAddress([7; 20]) };
                let _ = attest(rogue, "alice.eth", block, owner, records_with_url(records));
            }
            prop_assert!(Bridge::link(&ens("alice.eth")).is_none());
            prop_assert!(Bridge::pending(&ens("alice.eth")).is_some());
            prop_assert!(Domains::resolve(&ghost("alice.ghost")).is_none());
            Ok(())
        })?;
    }

    /// Two honest oracles reporting the same state link it, at the higher of their blocks,
    /// whatever the rogue third reported before.
    #[test]
    fn the_honest_majority_links(
        first in 1u64..1_000,
        second in 1u64..1_000,
        rogue_block in 1u64..1_000,
        honest_first in any::<bool>(),
    ) {
        new_test_ext().execute_with(|| {
            let key = eth_key(&ALICE_ETH_SECRET);
            request(1, &key, "alice.eth", "alice.ghost").unwrap();
            let [o1, o2, rogue] = oracles();
            let records = records_with_url(1);
            attest(rogue, "alice.eth", rogue_block, EthAddress([7; 20]), &records).unwrap();
            let (a, b) = if honest_first { (o1, o2) } else { (o2, o1) };
            attest(a, "alice.eth", first, key.address(), &records).unwrap();
            attest(b, "alice.eth", second, key.address(), &records).unwrap();
            let link = Bridge::link(&ens("alice.eth"));
            prop_assert!(link.is_some());
            prop_assert_eq!(link.unwrap().eth_block_number, first.max(second));
            prop_assert_eq!(Domains::resolve(&ghost("alice.ghost")).unwrap().web3, records);
            Ok(())
        })?;
    }
}
