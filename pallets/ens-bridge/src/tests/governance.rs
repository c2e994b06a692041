//! The oracle set, the parameters and the genesis checks.

use ghost_support::prelude::*;

use super::*;
use crate::{Call, Error, GenesisError};

#[test]
fn root_replaces_the_oracles_with_a_majority_threshold() {
    new_test_ext().execute_with(|| {
        let set = |oracles: Vec<AccountId>, threshold| Call::SetOracles { oracles, threshold };
        assert_noop(
            Origin::signed(acc(1)),
            set(vec![acc(20)], 1),
            DispatchError::BadOrigin,
        );
        for (oracles, threshold) in [
            (vec![], 0),
            (vec![acc(20), acc(21)], 1),
            (vec![acc(20), acc(21), acc(22)], 4),
            (vec![acc(20), acc(20), acc(21)], 2),
            ((20..26).map(acc).collect(), 4),
        ] {
            assert_noop(Origin::Root, set(oracles, threshold), Error::BadOracleSet);
        }
        assert_eq!(
            Bridge::dispatch(set(vec![acc(21), acc(20)], 2), Origin::Root),
            Ok(())
        );
        assert_eq!(Bridge::oracles(), vec![acc(20), acc(21)]);
        assert_eq!(Bridge::threshold(), 2);
        // The old oracles are out.
        let key = eth_key(&ALICE_ETH_SECRET);
        assert_eq!(request(1, &key, "alice.eth", "alice.ghost"), Ok(()));
        assert_noop(
            Origin::signed(oracles()[0]),
            attestation("alice.eth", 1, key.address(), EnsRecords::default()),
            Error::NotOracle,
        );
    });
}

#[test]
fn root_sets_params_within_bounds() {
    new_test_ext().execute_with(|| {
        let mut params = BridgeParams::default();
        params.text_keys.push("url".into());
        assert_noop(Origin::Root, Call::SetParams { params }, Error::BadParams);
        let params = BridgeParams {
            max_records: 0,
            ..BridgeParams::default()
        };
        assert_noop(Origin::Root, Call::SetParams { params }, Error::BadParams);
        let params = BridgeParams {
            text_keys: vec!["url".into()],
            ..BridgeParams::default()
        };
        assert_noop(
            Origin::signed(acc(1)),
            Call::SetParams {
                params: params.clone(),
            },
            DispatchError::BadOrigin,
        );
        assert_eq!(
            Bridge::dispatch(
                Call::SetParams {
                    params: params.clone()
                },
                Origin::Root
            ),
            Ok(())
        );
        assert_eq!(Bridge::params(), params);
    });
}

#[test]
fn genesis_refuses_a_minority_threshold() {
    let mut ext = ghost_support::testing::TestExternalities::default();
    ext.execute_with(|| {
        let config = crate::GenesisConfig {
            oracles: oracles().to_vec(),
            threshold: 1,
            params: BridgeParams::default(),
        };
        assert_eq!(config.build::<Test>(), Err(GenesisError::BadOracleSet));
        let off = crate::GenesisConfig::default();
        assert_eq!(off.build::<Test>(), Ok(()));
        assert!(
            Bridge::oracles().is_empty(),
            "no oracles: the bridge is off"
        );
    });
}

#[test]
fn integrity_test_passes() {
    <Bridge as Hooks>::integrity_test();
}
