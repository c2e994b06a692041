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
//!   at least one byte), and write their reason to the debug buffer (`ghost: unknown selector`,
//!   `ghost: arguments do not decode as the method's parameters`, ...; see [`crate::debug`]).

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

/// Reverts with an empty output: the call did not match the contract's ABI. `reason` goes to
/// the debug buffer, so a dry run says which way it did not match.
pub fn abi_error(reason: &str) -> ! {
    crate::debug::message(reason);
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
        abi_error("ghost: arguments do not decode as the method's parameters")
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
        None => abi_error("ghost: call data shorter than a selector"),
    }
}

/// Reverts (ABI error) if the call moved value: for methods not marked `payable`, so value
/// cannot get stuck in a contract that does not expect it.
pub fn reject_value() {
    if value_transferred() != 0 {
        abi_error("ghost: value sent to a method that is not payable")
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

/// Whether byte `i` of the macro's raw ABI is kept: spaces (which `stringify!` puts inside
/// types, `Vec < u8 >`) and the `,` before a `]` (the macro writes every element with a
/// trailing comma) are dropped.
const fn abi_keeps(raw: &[u8], i: usize) -> bool {
    match raw[i] {
        b' ' | b'\n' => false,
        b',' => {
            let mut j = i + 1;
            while j < raw.len() && (raw[j] == b' ' || raw[j] == b'\n') {
                j += 1;
            }
            !(j < raw.len() && raw[j] == b']')
        }
        _ => true,
    }
}

/// The length of the ABI JSON made from the [`contract!`](crate::contract) macro's raw text.
pub const fn abi_len(raw: &str) -> usize {
    let raw = raw.as_bytes();
    let (mut i, mut n) = (0, 0);
    while i < raw.len() {
        if abi_keeps(raw, i) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The ABI JSON made from the [`contract!`](crate::contract) macro's raw text (`N` is
/// [`abi_len`]): the bytes of the `ghost-abi` custom section and of `GHOST_ABI`.
pub const fn abi_bytes<const N: usize>(raw: &str) -> [u8; N] {
    let raw = raw.as_bytes();
    let mut out = [0u8; N];
    let (mut i, mut n) = (0, 0);
    while i < raw.len() {
        if abi_keeps(raw, i) {
            out[n] = raw[i];
            n += 1;
        }
        i += 1;
    }
    assert!(n == N, "N is abi_len(raw)");
    out
}

/// The bytes of [`abi_bytes`] as text (they are ASCII from Rust tokens and method names).
pub const fn abi_str(bytes: &[u8]) -> &str {
    match core::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => panic!("the ABI is UTF-8"),
    }
}

/// The name of the WASM custom section that carries a contract's JSON ABI. The fixtures build
/// writes it to `<crate>.abi.json` next to the `.wasm`; `ghost contract upload` strips it before
/// uploading (it is not code, and would cost a deposit) and keeps it for `call` and `query`.
pub const ABI_SECTION: &str = "ghost-abi";

/// Generates a contract's `deploy` and `call` exports, and its JSON ABI.
///
/// ```ignore
/// ghost_contract_sdk::contract! {
///     deploy => deploy(initial: u64),
///     "increment" => increment(by: u64) -> u64,
///     "get" => get() -> u64,
///     #[payable] "buy" => buy,
///     errors: CounterError { Overflow, Host(Error) },
///     events: { Incremented { by: u64, count: u64 } },
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
/// - `f(arg: Type, ...) -> Ret` (optional, after any handler): the signature as the ABI states
///   it. The compiler checks it against `f` (the handler is called through a function pointer of
///   exactly this signature), so the ABI cannot drift from the code. Without it, the ABI lists
///   the method with `"args": null` (undeclared) and clients need raw call data.
/// - `errors: Type { Variant, Variant(Field, ...) , ... }` (optional): the handlers' error enum,
///   variants in declaration order (their SCALE index), for clients to decode reverts; the
///   compiler checks that every variant is listed (not their order: keep it). Struct variants
///   are written as a tuple of their field types, which is how SCALE encodes them.
/// - `events: { Name { field: Type, ... } ... }` (optional): the events the contract emits, with
///   the first topic `topic("Name")` by convention; the compiler checks each against its
///   struct (every field, with its type).
///
/// The ABI is JSON (`{"version":1,"deploy":…,"methods":[…],"errors":…,"events":[…]}`; types
/// are Rust types as written, e.g. `u64`, `AccountId`, `Vec<u8>`), a `const GHOST_ABI: &str`
/// in the contract crate and, on `wasm32`, the custom section [`ABI_SECTION`].
///
/// Every handler returns `Result<T, E>` with `T, E: Encode` (see the [module](self) docs for
/// what the caller sees). An unknown selector reverts with an empty output. Two methods with
/// the same selector (or the same name) are a compile error.
#[macro_export]
macro_rules! contract {
    (
        deploy => $deploy:ident $( ( $($darg:ident : $dty:ty),* $(,)? ) )?,
        $( $(#[$kind:ident])? $method:literal => $handler:ident
            $( ( $($arg:ident : $ty:ty),* $(,)? ) $(-> $ret:ty)? )? ),*
        $(, errors: $err:ident { $( $var:ident $( ( $($vty:ty),* $(,)? ) )? ),* $(,)? } )?
        $(, events: { $( $event:ident { $( $field:ident : $fty:ty ),* $(,)? } )* } )?
        $(,)?
    ) => {
        const _: () = $crate::dispatch::assert_distinct(&[$($crate::selector($method)),*]);

        // The declared signatures, checked against the handlers.
        const _: () = {
            $( let _: fn($($dty),*) -> _ = $deploy; )?
            $( $( let _: fn($($ty),*) -> ::core::result::Result<$crate::contract!(@ret $($ret)?), _> = $handler; )? )*
        };
        // The declared errors name every variant, the events every field with its type.
        const _: () = {
            $(
                #[allow(dead_code)]
                fn errors_are_complete(error: &$err) {
                    match error {
                        $( $err::$var { .. } => {} )*
                    }
                }
            )?
            $($(
                #[allow(dead_code, non_snake_case)]
                fn $event(event: $event) {
                    let $event { $($field),* } = event;
                    $( let _: $fty = $field; )*
                }
            )*)?
        };

        const __GHOST_ABI_RAW: &str = ::core::concat!(
            "{\"version\":1,\"deploy\":{\"args\":",
            $crate::contract!(@args $( ( $($darg : $dty),* ) )?),
            "},\"methods\":[",
            $( "{\"name\":\"", $method, "\",\"payable\":", $crate::contract!(@payable $($kind)?),
               ",\"args\":", $crate::contract!(@args $( ( $($arg : $ty),* ) )?),
               ",\"returns\":", $crate::contract!(@returns $( ( $(-> $ret)? ) )?),
               "},", )*
            "],\"errors\":",
            $crate::contract!(@errors $( $err { $( $var $( ( $($vty),* ) )? ),* } )?),
            ",\"events\":[",
            $($( "{\"name\":\"", ::core::stringify!($event), "\",\"fields\":[",
                 $( "{\"name\":\"", ::core::stringify!($field), "\",\"type\":\"",
                    ::core::stringify!($fty), "\"},", )*
                 "]},", )*)?
            "]}"
        );
        const __GHOST_ABI_LEN: usize = $crate::dispatch::abi_len(__GHOST_ABI_RAW);

        const __GHOST_ABI_BYTES: [u8; __GHOST_ABI_LEN] = $crate::dispatch::abi_bytes(__GHOST_ABI_RAW);

        /// This contract's ABI as JSON (see `ghost_contract_sdk::contract!`).
        pub const GHOST_ABI: &str = $crate::dispatch::abi_str(&__GHOST_ABI_BYTES);

        #[cfg(target_arch = "wasm32")]
        #[unsafe(link_section = "ghost-abi")]
        static __GHOST_ABI_SECTION: [u8; __GHOST_ABI_LEN] = __GHOST_ABI_BYTES;

        /// The `deploy` export. Off-chain (not `wasm32`) a plain function, for
        /// `ghost_contract_sdk::test::run`.
        #[cfg(target_arch = "wasm32")]
        #[unsafe(export_name = "deploy")]
        pub extern "C" fn __ghost_contract_deploy() {
            __ghost_contract_deploy_body()
        }

        /// The `call` export. Off-chain (not `wasm32`) a plain function, for
        /// `ghost_contract_sdk::test::run`.
        #[cfg(target_arch = "wasm32")]
        #[unsafe(export_name = "call")]
        pub extern "C" fn __ghost_contract_call() {
            __ghost_contract_call_body()
        }

        /// The `deploy` entry point, run by the off-chain test environment.
        #[cfg(not(target_arch = "wasm32"))]
        pub fn __ghost_contract_deploy() {
            __ghost_contract_deploy_body()
        }

        /// The `call` entry point, run by the off-chain test environment.
        #[cfg(not(target_arch = "wasm32"))]
        pub fn __ghost_contract_call() {
            __ghost_contract_call_body()
        }

        fn __ghost_contract_deploy_body() {
            let input = $crate::env::input();
            $crate::dispatch::run($deploy, &input)
        }

        fn __ghost_contract_call_body() {
            let input = $crate::env::input();
            let (selector, args) = $crate::dispatch::split_selector(&input);
            $(
                if selector == const { $crate::selector($method) } {
                    $crate::contract!(@value $($kind)?);
                    $crate::dispatch::run($handler, args)
                }
            )*
            $crate::dispatch::abi_error("ghost: unknown selector")
        }
    };
    (@value payable) => {};
    (@value) => {
        $crate::dispatch::reject_value()
    };
    (@payable payable) => { "true" };
    (@payable) => { "false" };
    (@ret $ret:ty) => { $ret };
    (@ret) => { () };
    (@args) => { "null" };
    (@args ( $($arg:ident : $ty:ty),* )) => {
        ::core::concat!("[", $( "{\"name\":\"", ::core::stringify!($arg), "\",\"type\":\"",
            ::core::stringify!($ty), "\"},", )* "]")
    };
    (@returns) => { "null" };
    (@returns ( )) => { "\"()\"" };
    (@returns ( -> $ret:ty )) => { ::core::concat!("\"", ::core::stringify!($ret), "\"") };
    (@errors) => { "null" };
    (@errors $err:ident { $( $var:ident $( ( $($vty:ty),* ) )? ),* }) => {
        ::core::concat!("{\"name\":\"", ::core::stringify!($err), "\",\"variants\":[",
            $( "{\"name\":\"", ::core::stringify!($var), "\",\"fields\":[",
               $($( "\"", ::core::stringify!($vty), "\",", )*)? "]},", )*
            "]}")
    };
}
