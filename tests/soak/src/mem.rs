//! The process's memory, from `/proc/self/status` (Linux): resident set size now and at its peak.

/// A `kB` field of `/proc/self/status`, in KiB.
fn status_field(name: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(name))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The resident set size now, in KiB.
pub fn rss_kib() -> Option<u64> {
    status_field("VmRSS:")
}

/// The peak resident set size since the start or the last [`reset_peak`], in KiB.
pub fn peak_kib() -> Option<u64> {
    status_field("VmHWM:")
}

/// Resets the peak resident set size to the current one (`5` to `/proc/self/clear_refs`); false if the kernel
/// refused.
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// KiB as MiB with one decimal, for reports.
pub fn mib(kib: Option<u64>) -> String {
    match kib {
        Some(k) => format!("{:.1} MiB", k as f64 / 1024.0),
        None => "n/a".to_owned(),
    }
}
