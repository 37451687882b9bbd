//! Target-specific primitives (runtime probe, environment access). The only place besides `transport` and
//! `js` where the target is named.

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use native::*;

#[cfg(target_arch = "wasm32")]
mod wasm;
#[cfg(target_arch = "wasm32")]
pub(crate) use wasm::*;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Which of two raced futures finished first.
pub(crate) enum Either<A, B> {
    Left(A),
    Right(B),
}

/// Polls both futures and returns the first to finish (the other is dropped, which cancels it).
pub(crate) async fn race<A: Future, B: Future>(a: A, b: B) -> Either<A::Output, B::Output> {
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    std::future::poll_fn(move |cx: &mut Context<'_>| {
        if let Poll::Ready(v) = a.as_mut().poll(cx) {
            return Poll::Ready(Either::Left(v));
        }
        if let Poll::Ready(v) = b.as_mut().poll(cx) {
            return Poll::Ready(Either::Right(v));
        }
        Poll::Pending
    })
    .await
}

/// Runs `fut` with a deadline; `None` when the deadline passed first.
pub(crate) async fn timeout<F: Future>(after: Duration, fut: F) -> Option<F::Output> {
    match race(fut, sleep(after)).await {
        Either::Left(v) => Some(v),
        Either::Right(()) => None,
    }
}

/// A boxed future that is `Send` natively (for multi-threaded executors) and not on wasm (JS values are not).
#[cfg(not(target_arch = "wasm32"))]
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
/// A boxed future that is `Send` natively (for multi-threaded executors) and not on wasm (JS values are not).
#[cfg(target_arch = "wasm32")]
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// A boxed `FnMut` producing boxed futures (a page fetcher): `Send` natively, not on wasm.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) type BoxFnMut<A, T> = Box<dyn FnMut(A) -> BoxFuture<'static, T> + Send>;
/// A boxed `FnMut` producing boxed futures (a page fetcher): `Send` natively, not on wasm.
#[cfg(target_arch = "wasm32")]
pub(crate) type BoxFnMut<A, T> = Box<dyn FnMut(A) -> BoxFuture<'static, T>>;

/// Shared ownership: `Arc` natively (clients move across threads), `Rc` on wasm (one thread, JS values).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) type Shared<T> = std::sync::Arc<T>;
/// Shared ownership: `Arc` natively (clients move across threads), `Rc` on wasm (one thread, JS values).
#[cfg(target_arch = "wasm32")]
pub(crate) type Shared<T> = std::rc::Rc<T>;

/// `Send` natively, nothing on wasm: the bound of futures the SDK boxes or spawns, so that blanket impls
/// (e.g. [`crate::TokenProvider`] for closures) are written once for both targets.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + ?Sized> MaybeSend for T {}
/// `Send` natively, nothing on wasm: the bound of futures the SDK boxes or spawns, so that blanket impls
/// (e.g. [`crate::TokenProvider`] for closures) are written once for both targets.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSend for T {}

/// `Send + Sync` natively, nothing on wasm.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSendSync: Send + Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + Sync + ?Sized> MaybeSendSync for T {}
/// `Send + Sync` natively, nothing on wasm.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSendSync {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSendSync for T {}

/// Exponential backoff with "equal jitter": `initial × 2^attempt`, capped at `max`, then half of it fixed and
/// half random, so a delay is never zero (a real wait, also on wasm). Used by HTTP retries and stream reconnects.
pub(crate) fn backoff(initial: Duration, max: Duration, attempt: u32) -> Duration {
    let base = initial
        .saturating_mul(1u32.checked_shl(attempt).unwrap_or(u32::MAX))
        .min(max);
    base / 2 + base.mul_f64(jitter_unit() / 2.0)
}

/// FNV-1a, 64 bits: a fast, stable, non-cryptographic hash (key fingerprints, replay checks).
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A uniformly distributed number in `[0, 1)` for jitter (not for cryptography).
pub(crate) fn jitter_unit() -> f64 {
    random_u64() as f64 / (u64::MAX as f64 + 1.0)
}

/// 16 hex digits, for request ids.
pub(crate) fn random_hex() -> String {
    format!("{:016x}", random_u64())
}
