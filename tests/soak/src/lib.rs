//! The SDK's reliability campaign: faulted agent-run streams against the dev backend ([`faults`]), load from one
//! client ([`load`]), a hostile server ([`hostile`]), and a scan of everything the runs printed for the secrets
//! they used ([`secrets`]). The `helium-soak` binary runs them at full size and prints the figures of
//! `RELIABILITY.md`; `tests/smoke.rs` runs them small, in CI. See `tests/soak/README.md`.

pub mod faults;
pub mod hostile;
pub mod load;
pub mod mem;
pub mod secrets;

use std::time::Duration;

/// A small deterministic random generator (xorshift64*), so that a seed reproduces a campaign.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (0 is replaced by a fixed non-zero value).
    pub fn new(seed: u64) -> Rng {
        Rng(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Milliseconds, for reports.
pub fn ms(d: Duration) -> u128 {
    d.as_millis()
}

/// An error as a report names it: its kind, then its code or stream cause.
pub fn describe(e: &helium_sdk::Error) -> String {
    use helium_sdk::error::StreamCause;
    let detail = match e.as_stream().map(|s| s.cause()) {
        Some(StreamCause::Sse(_)) => "event_too_large".to_owned(),
        Some(StreamCause::NotJson(_)) => "not_json".to_owned(),
        Some(StreamCause::ReplayMismatch { .. }) => "replay_mismatch".to_owned(),
        Some(StreamCause::ReplayExpired { .. }) => "replay_expired".to_owned(),
        Some(StreamCause::EndedEarly) => "ended_early".to_owned(),
        Some(StreamCause::Idle(_)) => "idle".to_owned(),
        Some(StreamCause::ReconnectsExhausted { last, .. }) => {
            format!("reconnects_exhausted({})", describe(last))
        }
        Some(_) => "other".to_owned(),
        None => e.code().unwrap_or_default().to_owned(),
    };
    if detail.is_empty() {
        e.kind().to_string()
    } else {
        format!("{}/{detail}", e.kind())
    }
}
