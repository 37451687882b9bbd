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

/// FNV-1a, 64 bits: a stable, non-cryptographic hash (the short fingerprints of keys).
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A non-cryptographic 64-bit hash taken eight bytes at a time, for the stream's replay check, which hashes every
/// item it delivers (with FNV-1a's multiply per byte, `streamAgentRun` was 1.05× slower). Each step is a bijection
/// of the state for a given word and of the word for a given state, and the length goes in first, so texts of one
/// length that differ in a single eight-byte word never hash alike. Blocks of 32 bytes go to four independent lanes
/// (word `i` of a block to lane `i`), so that the multiplies of four words overlap; the lanes are then folded into
/// one state in order, which stays a bijection of each lane.
pub(crate) fn word_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    fn step(h: u64, word: u64) -> u64 {
        let h = (h ^ word).wrapping_mul(K);
        let h = (h ^ (h >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^ (h >> 32)
    }
    // The first eight bytes (or fewer, zero-padded) as a little-endian word.
    let word = |bytes: &[u8]| {
        let mut eight = [0u8; 8];
        for (to, from) in eight.iter_mut().zip(bytes) {
            *to = *from;
        }
        u64::from_le_bytes(eight)
    };
    let seed = (bytes.len() as u64).wrapping_mul(K);
    let mut blocks = bytes.chunks_exact(32);
    let mut lanes = [seed, seed ^ K, seed ^ K.rotate_left(16), seed ^ K.rotate_left(32)];
    for block in blocks.by_ref() {
        for (lane, eight) in lanes.iter_mut().zip(block.chunks_exact(8)) {
            *lane = step(*lane, word(eight));
        }
    }
    let mut h = lanes.into_iter().fold(seed, step);
    let mut words = blocks.remainder().chunks_exact(8);
    h = words.by_ref().map(word).fold(h, step);
    // MurmurHash3's finaliser.
    let mut h = step(h, word(words.remainder()));
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The index of the first byte of `bytes` that is `a` or `b` (a line end for the SSE parser, a quote or backslash
/// for the JSON check: both scan long runs of text for two bytes). Natively, blocks the compiler vectorizes; in
/// wasm (built without SIMD), eight bytes at a time in a `u64`, which is faster there (the stream decoder 1.12×).
#[inline]
pub(crate) fn find_either(bytes: &[u8], a: u8, b: u8) -> Option<usize> {
    #[cfg(target_arch = "wasm32")]
    return find_either_by_words(bytes, a, b);
    #[cfg(not(target_arch = "wasm32"))]
    return find_either_by_blocks(bytes, a, b);
}

/// [`find_either`] with a branch-free test of 32-byte blocks, then the byte located in the block.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
#[inline]
fn find_either_by_blocks(bytes: &[u8], a: u8, b: u8) -> Option<usize> {
    const BLOCK: usize = 32;
    let is_either = |x: &u8| *x == a || *x == b;
    let mut blocks = bytes.chunks_exact(BLOCK);
    let mut offset = 0;
    for block in blocks.by_ref() {
        if block.iter().fold(false, |found, x| found | is_either(x)) {
            return block.iter().position(is_either).map(|i| offset + i);
        }
        offset += BLOCK;
    }
    blocks.remainder().iter().position(is_either).map(|i| offset + i)
}

/// [`find_either`] eight bytes at a time in a `u64`.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[inline]
fn find_either_by_words(bytes: &[u8], a: u8, b: u8) -> Option<usize> {
    find_by_words(
        bytes,
        |word| zero_bytes(word ^ (ONES * u64::from(a))) | zero_bytes(word ^ (ONES * u64::from(b))),
        |x| x == a || x == b,
    )
}

/// The first byte that ends a run of plain JSON string content: `"`, `\` or a control character (eight bytes at a
/// time, on every target).
#[inline]
pub(crate) fn find_string_stop(bytes: &[u8]) -> Option<usize> {
    find_by_words(
        bytes,
        |word| {
            zero_bytes(word ^ (ONES * u64::from(b'"')))
                | zero_bytes(word ^ (ONES * u64::from(b'\\')))
                | word.wrapping_sub(ONES * 0x20) & !word & HIGH
        },
        |x| x == b'"' || x == b'\\' || x < 0x20,
    )
}

const ONES: u64 = u64::from_ne_bytes([1; 8]);
const HIGH: u64 = ONES << 7;

/// XOR with a repeated byte turns the bytes equal to it into zeros; in (x - ONES) & !x & HIGH the lowest flag
/// marks the first zero byte (a borrow can only flag bytes above it).
#[inline]
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGH
}

/// The first byte of `bytes` that `is`, found eight bytes at a time with `flags`, which sets the high bit of the
/// bytes of a little-endian word that are, the lowest one exactly.
#[inline]
fn find_by_words(bytes: &[u8], flags: impl Fn(u64) -> u64, is: impl Fn(u8) -> bool) -> Option<usize> {
    let mut words = bytes.chunks_exact(8);
    let mut offset = 0;
    for word in words.by_ref() {
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            break;
        };
        let found = flags(u64::from_le_bytes(word));
        if found != 0 {
            return Some(offset + (found.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    words.remainder().iter().position(|x| is(*x)).map(|i| offset + i)
}

/// A uniformly distributed number in `[0, 1)` for jitter (not for cryptography).
pub(crate) fn jitter_unit() -> f64 {
    random_u64() as f64 / (u64::MAX as f64 + 1.0)
}

/// 16 hex digits, for request ids.
pub(crate) fn random_hex() -> String {
    format!("{:016x}", random_u64())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn find_string_stop_stops_where_a_byte_scan_does() {
        // Around the stop: UTF-8 of é and 😀 (bytes of 0x80 and above), ASCII just above the control characters.
        let mut text: Vec<u8> = "é😀 !#x".bytes().cycle().take(40).collect();
        for stop in [b'"', b'\\', 0u8, 0x1f] {
            for at in 0..text.len() {
                let saved = text[at];
                text[at] = stop;
                assert_eq!(find_string_stop(&text), Some(at), "{stop} at {at}");
                text[at] = saved;
            }
        }
        // bytes just above the stops, and UTF-8
        let plain = "é ~!#[]^_`{|}\u{7f}😀 abcdefghijklmnop".as_bytes();
        assert_eq!(find_string_stop(plain), None);
    }

    #[test]
    fn word_hash_tells_apart_texts_one_bit_apart_and_lengths() {
        let text: Vec<u8> =
            br#"{"type": "assistant", "content": "{\"role\": \"assistant\"}", "sequence": 12}"#.to_vec();
        let original = word_hash(&text);
        let mut seen = std::collections::HashSet::new();
        for byte in 0..text.len() {
            for bit in 0..8 {
                let mut changed = text.clone();
                changed[byte] ^= 1 << bit;
                let h = word_hash(&changed);
                assert_ne!(h, original, "byte {byte}, bit {bit}");
                seen.insert(h);
            }
        }
        assert_eq!(seen.len(), text.len() * 8, "two one-bit changes hashed alike");
        // Every change of two bits: no two of the ~190,000 texts hash alike.
        let bits = text.len() * 8;
        let mut pairs = std::collections::HashSet::new();
        for first in 0..bits {
            for second in first + 1..bits {
                let mut changed = text.clone();
                changed[first / 8] ^= 1 << (first % 8);
                changed[second / 8] ^= 1 << (second % 8);
                pairs.insert(word_hash(&changed));
            }
        }
        assert_eq!(
            pairs.len(),
            bits * (bits - 1) / 2,
            "two two-bit changes hashed alike"
        );
        // A trailing zero byte is not the same text.
        for len in 0..text.len() {
            let mut padded = text[..len].to_vec();
            padded.push(0);
            assert_ne!(word_hash(&text[..len]), word_hash(&padded), "length {len}");
        }
        assert_eq!(word_hash(b"same"), word_hash(b"same"));
    }

    #[test]
    fn find_either_finds_the_first_of_two_bytes_at_every_offset() {
        for len in 0..40 {
            for at in 0..=len {
                for (a, b) in [(b'"', b'\\'), (b'\n', b'\r')] {
                    for stop in [a, b] {
                        // Non-ASCII bytes (UTF-8 of é and 😀) around the stop, none of which may look like one.
                        let mut bytes: Vec<u8> = "é😀x".bytes().cycle().take(len).collect();
                        if at < len {
                            bytes[at] = stop;
                        }
                        let expected = (at < len).then_some(at);
                        for find in [find_either_by_blocks, find_either_by_words] {
                            for from in 0..=at {
                                let found = find(&bytes[from..], a, b).map(|i| from + i);
                                assert_eq!(found, expected, "len {len}, stop at {at}, from {from}");
                            }
                        }
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn find_either_is_a_byte_search(bytes in prop::collection::vec(any::<u8>(), 0..64), a: u8, b: u8) {
            let expected = bytes.iter().position(|x| *x == a || *x == b);
            prop_assert_eq!(find_either_by_blocks(&bytes, a, b), expected);
            prop_assert_eq!(find_either_by_words(&bytes, a, b), expected);
        }
    }
}
