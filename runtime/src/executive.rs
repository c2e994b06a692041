//! The executive: applies blocks and extrinsics, calling the pallets in order.
//!
//! Every function here runs inside `with_externalities` (the [`crate::builder`] and
//! [`crate::api`] set that up). The order of one block:
//! 1. [`Executive::initialize_block`]: the system pallet checks number and timestamp and
//!    records the parent hash; `on_initialize` hooks run.
//! 2. [`Executive::apply_extrinsic`] for each extrinsic:
//!    checks (size, era, signature over genesis hash + spec version + birth hash, nonce, weight
//!    and length limits, fee) → fee withdrawn and nonce bumped → the call dispatched in its own
//!    storage transaction. An extrinsic that fails a check is *invalid*: it leaves no trace and
//!    may not be in a block. A call that fails after the checks is *applied*: it pays its fee,
//!    its writes are reverted and `ExtrinsicFailed` records why. A contract call that used less
//!    weight than it declared ([`crate::contracts::take_actual_weight`]) gets the fee of the
//!    difference back and frees that block weight. Its `ExtrinsicSuccess`/`ExtrinsicFailed`
//!    carries the weight used and the fee paid (tip included, net of that refund): the one
//!    event that reports the fee.
//! 3. [`Executive::finalize_block`]: `on_finalize` hooks, then the system pallet commits to
//!    the block's events (`System.EventsDigest`; the events themselves are not state).

use ghost_primitives::extrinsic::SigningContext;
use ghost_primitives::{
    Hash, Header, InvalidTransaction, TransactionValidity, TransactionValidityError,
    UnknownTransaction, ValidTransaction,
};
use ghost_support::prelude::*;
use ghost_support::transactional;

use crate::balances::fees::FeeDetails;
use crate::{
    Balances, Contracts, Domains, MAX_EXTRINSIC_SIZE, System, UncheckedExtrinsic, Validators,
};

/// Why a block cannot be built or imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    /// The system pallet refused the header (number or timestamp).
    #[error("block initialization failed: {0}")]
    Initialize(DispatchError),
    /// An extrinsic in the block is invalid.
    #[error("extrinsic {index} is invalid: {error}")]
    InvalidExtrinsic {
        /// Its position in the block.
        index: usize,
        /// Why.
        error: TransactionValidityError,
    },
    /// The header's parent is not the block it is executed on.
    #[error("parent mismatch: header names {expected}, executing on {actual}")]
    ParentMismatch {
        /// The header's parent hash.
        expected: Hash,
        /// The hash of the block the state belongs to.
        actual: Hash,
    },
    /// The extrinsics root in the header does not match the body.
    #[error("extrinsics root mismatch: header has {expected}, body gives {computed}")]
    ExtrinsicsRootMismatch {
        /// The header's root.
        expected: Hash,
        /// The body's root.
        computed: Hash,
    },
    /// The state root after execution differs from the header's.
    #[error("state root mismatch: header has {expected}, execution gives {computed}")]
    StateRootMismatch {
        /// The header's root.
        expected: Hash,
        /// The computed root.
        computed: Hash,
    },
    /// The header's runtime digest items (e.g. an authority-set change) are not the ones the
    /// block's execution produced.
    #[error("header digest does not match the runtime's digest items")]
    DigestMismatch,
    /// The state could not be read or written (missing trie nodes).
    #[error("state backend: {0}")]
    Backend(String),
}

/// What the checks found; what apply needs next.
struct Checked {
    info: DispatchInfo,
    fee: FeeDetails,
    future: bool,
}

/// Whether a check is for the pool (future nonces allowed) or for inclusion.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Validate,
    Apply,
}

/// Whether `apply` must still verify the signature.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SignatureCheck {
    /// Verify it (authoring, pool).
    Verify,
    /// Already verified in a batch for this block (import).
    AlreadyVerified,
}

/// Applies blocks and extrinsics.
pub struct Executive;

impl Executive {
    /// Starts the block of `header`.
    pub fn initialize_block(header: &Header) -> Result<(), BlockError> {
        System::initialize(header.number, header.parent_hash, header.timestamp_ms)
            .map_err(BlockError::Initialize)?;
        let hook_weight = <System as Hooks>::on_initialize(header.number)
            .saturating_add(<Balances as Hooks>::on_initialize(header.number))
            .saturating_add(<Domains as Hooks>::on_initialize(header.number))
            .saturating_add(<Contracts as Hooks>::on_initialize(header.number))
            .saturating_add(<Validators as Hooks>::on_initialize(header.number));
        System::register_extra_weight(hook_weight);
        Ok(())
    }

    /// The context `xt`'s signature must be valid in, in the current block.
    pub fn signing_context(xt: &UncheckedExtrinsic) -> Result<SigningContext, InvalidTransaction> {
        let genesis_hash = System::block_hash(0).ok_or(InvalidTransaction::Outdated)?;
        let birth_hash = match xt.extra.era.birth() {
            None => genesis_hash,
            Some(birth) => System::block_hash(birth).ok_or(InvalidTransaction::Outdated)?,
        };
        Ok(SigningContext {
            genesis_hash,
            spec_version: crate::SPEC_VERSION,
            birth_hash,
        })
    }

    fn check(
        xt: &UncheckedExtrinsic,
        len: u32,
        mode: Mode,
        signature: SignatureCheck,
    ) -> Result<Checked, TransactionValidityError> {
        if len as usize > MAX_EXTRINSIC_SIZE {
            return Err(InvalidTransaction::ExhaustsResources.into());
        }
        let now = System::block_number();
        if !xt.extra.era.is_alive_at(now) {
            return Err(InvalidTransaction::Outdated.into());
        }
        let ctx = Self::signing_context(xt)?;
        if signature == SignatureCheck::Verify && !xt.verify(&ctx) {
            return Err(InvalidTransaction::BadProof.into());
        }
        let expected = System::account_nonce(&xt.signer);
        let got = xt.extra.nonce;
        if got < expected {
            return Err(InvalidTransaction::Stale { expected, got }.into());
        }
        let future = got > expected;
        if future && mode == Mode::Apply {
            return Err(TransactionValidityError::Unknown(
                UnknownTransaction::Future { expected, got },
            ));
        }
        let info = xt.call.dispatch_info();
        // Heavier than a block's room after its base weight: it could never be included.
        if info.weight > System::max_extrinsic_weight() {
            return Err(InvalidTransaction::ExhaustsResources.into());
        }
        let fee = Balances::compute_fee(len, &info, xt.extra.tip);
        Balances::can_pay_fee(&xt.signer, fee.total())?;
        Ok(Checked { info, fee, future })
    }

    /// Applies one extrinsic of `len` encoded bytes.
    ///
    /// `Err` means the extrinsic is invalid and left no writes; `Ok(result)` means it was
    /// applied (fee paid, nonce used) and `result` is its call's outcome.
    pub fn apply_extrinsic(
        xt: UncheckedExtrinsic,
        len: u32,
        signature: SignatureCheck,
    ) -> Result<DispatchResult, TransactionValidityError> {
        let signer = xt.signer;
        let index = pallet_system::ExtrinsicCount::get().unwrap_or(0);
        let checked = transactional(|| -> Result<Checked, TransactionValidityError> {
            System::note_extrinsic_start(index);
            let checked = Self::check(&xt, len, Mode::Apply, signature)?;
            System::try_consume(checked.info.weight, len)?;
            Balances::withdraw_fee(&signer, &checked.fee)?;
            System::inc_account_nonce(&signer);
            Ok(checked)
        })?;
        // Post-dispatch weight correction: a contract call reports the fuel it burned.
        let _stale = crate::contracts::take_actual_weight();
        let result = transactional(|| xt.call.dispatch(Origin::Signed(signer)));
        let mut info = checked.info;
        let mut fee_paid = checked.fee.total();
        if let Some(actual) = crate::contracts::take_actual_weight()
            && actual < info.weight
        {
            let unused = info.weight.saturating_sub(actual);
            info.weight = actual;
            let fee = Balances::compute_fee(len, &info, xt.extra.tip);
            let refunded =
                Balances::refund_fee(&signer, checked.fee.total().saturating_sub(fee.total()));
            fee_paid = fee_paid.saturating_sub(refunded);
            pallet_system::BlockWeight::mutate(|w| *w = w.saturating_sub(unused));
        }
        System::note_applied_extrinsic(&result, info, fee_paid);
        Ok(result)
    }

    /// Ends the block: `on_finalize` hooks.
    pub fn finalize_block() {
        System::note_finished_extrinsics();
        let number = System::block_number();
        <System as Hooks>::on_finalize(number);
        <Balances as Hooks>::on_finalize(number);
        <Domains as Hooks>::on_finalize(number);
        <Contracts as Hooks>::on_finalize(number);
        <Validators as Hooks>::on_finalize(number);
        System::finalize();
    }

    /// The pool's verdict on `xt`, in a block initialized on top of the best block.
    pub fn validate_transaction(xt: &UncheckedExtrinsic, len: u32) -> TransactionValidity {
        let checked = Self::check(xt, len, Mode::Validate, SignatureCheck::Verify)?;
        let nonce = xt.extra.nonce;
        let requires = if checked.future {
            vec![nonce_tag(&xt.signer, nonce - 1)]
        } else {
            vec![]
        };
        Ok(ValidTransaction {
            priority: u64::try_from(xt.extra.tip).unwrap_or(u64::MAX),
            requires,
            provides: vec![nonce_tag(&xt.signer, nonce)],
            valid_until: xt.extra.era.death(),
        })
    }
}

/// The pool tag of `(who, nonce)`.
pub fn nonce_tag(who: &AccountId, nonce: u64) -> Vec<u8> {
    (who, nonce).encode()
}
