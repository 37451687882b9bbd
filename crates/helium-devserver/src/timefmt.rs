//! Timestamp formatting in the styles the real backend emits (no date crate needed).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A broken-down UTC time.
#[derive(Debug, Clone, Copy)]
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u64,
    minute: u64,
    second: u64,
    nanos: u32,
}

fn civil(t: SystemTime) -> Civil {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let secs = d.as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month,
        day,
        hour: rem / 3600,
        minute: (rem % 3600) / 60,
        second: rem % 60,
        nanos: d.subsec_nanos(),
    }
}

/// Python `datetime.now(timezone.utc).isoformat()`: `2025-09-25T10:15:02.204512+00:00`.
pub fn iso_offset(t: SystemTime) -> String {
    let c = civil(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        c.year,
        c.month,
        c.day,
        c.hour,
        c.minute,
        c.second,
        c.nanos / 1000
    )
}

/// Pydantic datetime serialisation: `2025-09-25T10:20:11.482913Z`.
pub fn iso_z(t: SystemTime) -> String {
    let c = civil(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        c.year,
        c.month,
        c.day,
        c.hour,
        c.minute,
        c.second,
        c.nanos / 1000
    )
}

/// Go-style `time.Time` string used by Daytona: `2025-09-25 10:15:02.904512031 +0000 UTC`.
pub fn go_time(t: SystemTime) -> String {
    let c = civil(t);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:09} +0000 UTC",
        c.year, c.month, c.day, c.hour, c.minute, c.second, c.nanos
    )
}

/// Now, offset style.
pub fn now_iso() -> String {
    iso_offset(SystemTime::now())
}

/// A sort/compare key for a timestamptz text in the forms the dev backend meets
/// (`2025-09-25T10:15:02.154512+00:00`, `… 10:15:02+00`, `…Z`): `T` separator, the fraction padded to 6 digits,
/// UTC offsets dropped. Other offsets are compared as written.
pub fn ts_key(s: &str) -> String {
    let s = s.trim().replacen(' ', "T", 1);
    let (body, offset) = match s.find(['+', 'Z']).or_else(|| {
        // a `-hh:mm` offset after the time part
        s.get(11..).and_then(|t| t.find('-')).map(|i| i + 11)
    }) {
        Some(i) => (s[..i].to_owned(), s[i..].to_owned()),
        None => (s.clone(), String::new()),
    };
    let (secs, frac) = match body.split_once('.') {
        Some((a, b)) => (a.to_owned(), b.to_owned()),
        None => (body.clone(), String::new()),
    };
    let mut frac: String = frac.chars().take(6).collect();
    while frac.len() < 6 {
        frac.push('0');
    }
    let utc = matches!(offset.as_str(), "" | "Z" | "+00" | "+00:00" | "+0000" | "-00:00");
    if utc {
        format!("{secs}.{frac}")
    } else {
        format!("{secs}.{frac}{offset}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instant() {
        // 2025-09-25T10:15:02.204512Z
        let t = UNIX_EPOCH + Duration::new(1_758_795_302, 204_512_000);
        assert_eq!(iso_offset(t), "2025-09-25T10:15:02.204512+00:00");
        assert_eq!(iso_z(t), "2025-09-25T10:15:02.204512Z");
        assert_eq!(go_time(t), "2025-09-25 10:15:02.204512000 +0000 UTC");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert!(iso_offset(leap).starts_with("2000-02-29T00:00:00"));
    }

    #[test]
    fn ts_keys_compare_instants() {
        assert_eq!(
            ts_key("2025-09-25T10:15:02Z"),
            ts_key("2025-09-25 10:15:02.000000+00")
        );
        assert!(ts_key("2025-09-25T10:15:02.5+00:00") > ts_key("2025-09-25T10:15:02.154512+00:00"));
    }
}
