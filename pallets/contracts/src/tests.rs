//! Tests of the contracts pallet.
