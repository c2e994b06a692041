//! Tests of the ENS bridge, one file per area.
//!
//! Each test drives the mock runtime ([`crate::mock`]), whose ghost names are the real domains
//! pallet, like a script; refusals go through [`assert_noop`](crate::mock::assert_noop), which
//! also proves the state is unchanged.
//!
//! - `signatures`: wallet-library vectors for EIP-191 recovery, the link message text.
//! - `requests`: `register_ens_domain`, deposits, cancelling and expiry.
//! - `attestations`: thresholds, links, syncs, stale/conflicting/rogue attestations, owner
//!   changes, unlink, bounds.
//! - `governance`: the oracle set, parameters and genesis checks.
//! - `properties`: proptests of the threshold against a rogue oracle.

mod attestations;
mod governance;
mod properties;
mod requests;
mod signatures;

use ghost_primitives::Hash;

use crate::mock::*;
use crate::types::*;
