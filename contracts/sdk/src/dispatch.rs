//! Entry points: the [`contract!`](crate::contract) macro generates the `deploy` and `call`
//! exports, and the functions here decode arguments, run a handler and end the frame with
//! its result.
//!
//! ## ABI
//! - `deploy` gets the instantiation data as is: `SCALE(args)`, no selector.
//! - `call` gets `selector ++ SCALE(args)` with `selector = blake3(method)[0..4]`. Several
//!   arguments are SCALE-encoded one after the other (a tuple), and must use all the bytes.
//! - A handler returns `Result<T, E>`: `Ok(t)` ends the frame with output `SCALE(t)`; `Err(e)`
//!   reverts it with output `SCALE(e)` (all the frame's writes are rolled back).
//! - ABI errors (unknown selector, undecodable arguments, value sent to a method that is not
//!   `#[payable]`) revert with an empty output, which no handler error produces (a SCALE enum is
//!   at least one byte).

use parity_scale_codec::{Decode, DecodeAll, Encode};

use crate::env::{finish, value_transferred};

/// A function the dispatcher can call with arguments decoded from SCALE: implemented for every
/// `FnOnce(A, B, ...) -> R` with up to eight arguments, taking them as the tuple `(A, B, ...)`.
pub trait Handler<Args> {
    /// What the function returns.
    type Output;
    /// Calls the function with `args` spread out.
    fn invoke(self, args: Args) -> Self::Output;
}

macro_rules! impl_handler {
    ($($arg:ident),*) => {
        impl<Func, Ret, $($arg,)*> Handler<($($arg,)*)> for Func
        where
            Func: FnOnce($($arg),*) -> Ret,
        {
            type Output = Ret;
            #[allow(non_snake_case)]
            fn invoke(self, ($($arg,)*): ($($arg,)*)) -> Ret {
                self($($arg),*)
            }
        }
    };
}

impl_handler!();
impl_handler!(A1);
impl_handler!(A1, A2);
impl_handler!(A1, A2, A3);
impl_handler!(A1, A2, A3, A4);
impl_handler!(A1, A2, A3, A4, A5);
impl_handler!(A1, A2, A3, A4, A5, A6);
impl_handler!(A1, A2, A3, A4, A5, A6, A7);
impl_handler!(A1, A2, A3, A4, A5, A6, A7, A8);

/// Reverts with an empty output: the call did not match the contract's ABI.
pub fn abi_error() -> ! {
    finish(true, &[])
}

/// Decodes `args` (all of them) for `handler`, runs it and ends the frame with its result.
pub fn run<Args, H, T, E>(handler: H, args: &[u8]) -> !
where
    Args: Decode,
    H: Handler<Args, Output = Result<T, E>>,
    T: Encode,
    E: Encode,
{
    let Ok(args) = Args::decode_all(&mut &args[..]) else {
        abi_error()
    };
    match handler.invoke(args) {
        Ok(value) => finish(false, &value.encode()),
        Err(error) => finish(true, &error.encode()),
    }
}

/// Splits call data into its selector and arguments; reverts (ABI error) if it is shorter than
/// a selector.
pub fn split_selector(input: &[u8]) -> ([u8; 4], &[u8]) {
    match input.split_first_chunk::<4>() {
        Some((selector, args)) => (*selector, args),
        None => abi_error(),
    }
}

/// Reverts (ABI error) if the call moved value: for methods not marked `payable`, so value
/// cannot get stuck in a contract that does not expect it.
pub fn reject_value() {
    if value_transferred() != 0 {
        abi_error()
    }
}

/// Panics (at compile time, where [`contract!`](crate::contract) calls it in a `const`) if two
/// selectors are equal: two method names whose blake3 hashes share their first 4 bytes.
pub const fn assert_distinct(selectors: &[[u8; 4]]) {
    let mut i = 0;
    while i < selectors.len() {
        let mut j = i + 1;
        while j < selectors.len() {
            let (a, b) = (selectors[i], selectors[j]);
            assert!(
                !(a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3]),
                "two methods of this contract have the same selector"
            );
            j += 1;
        }
        i += 1;
    }
}

/// Generates a contract's `deploy` and `call` exports.
///
/// ```ignore
/// ghost_contract_sdk::contract! {
///     deploy => deploy,
///     "increment" => increment,
///     "get" => get,
///     #[payable] "buy" => buy,
/// }
///
/// fn deploy(initial: u64) -> Result<(), Error> { ... }
/// fn increment(by: u64) -> Result<u64, Error> { ... }
/// ```
///
/// - `deploy => f`: `f` runs at instantiation with the data decoded as its arguments. It may
///   receive value (to fund the contract's storage deposits).
/// - `"name" => f`: `f` runs when the selector is `selector("name")`; its arguments are decoded
///   from the rest of the call data. The selectors are computed at compile time.
/// - `#[payable] "name" => f`: the same, but the call may move value (read it with
///   [`value_transferred`](crate::env::value_transferred)); without `payable`, a call that
///   moves value reverts.
///
/// Every handler returns `Result<T, E>` with `T, E: Encode` (see the [module](self) docs for
/// what the caller sees). An unknown selector reverts with an empty output. Two methods with
/// the same selector (or the same name) are a compile error.
#[macro_export]
macro_rules! contract {
    (
        deploy => $deploy:path,
        $( $(#[$kind:ident])? $method:literal => $handler:path ),* $(,)?
    ) => {
        const _: () = $crate::dispatch::assert_distinct(&[$($crate::selector($method)),*]);

        #[unsafe(export_name = "deploy")]
        pub extern "C" fn __ghost_contract_deploy() {
            let input = $crate::env::input();
            $crate::dispatch::run($deploy, &input)
        }

        #[unsafe(export_name = "call")]
        pub extern "C" fn __ghost_contract_call() {
            let input = $crate::env::input();
            let (selector, args) = $crate::dispatch::split_selector(&input);
            $(
                if selector == const { $crate::selector($method) } {
                    $crate::contract!(@value $($kind)?);
                    $crate::dispatch::run($handler, args)
                }
            )*
            $crate::dispatch::abi_error()
        }
    };
    (@value payable) => {};
    (@value) => {
        $crate::dispatch::reject_value()
    };
}
