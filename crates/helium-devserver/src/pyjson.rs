//! A JSON serializer that reproduces Python's `json.dumps` byte for byte.
//!
//! The real backend writes stream items with `json.dumps(item)` (separators `", "` and `": "`,
//! `ensure_ascii=True`) and plain responses through FastAPI's `JSONResponse`
//! (`separators=(",", ":")`, `ensure_ascii=False`). Key order is the insertion order of the
//! `serde_json::Value` (the crate enables `preserve_order`).

use serde_json::{Number, Value};

/// How to lay out the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// `true`: `","`/`":"` (FastAPI responses). `false`: `", "`/`": "` (`json.dumps` default).
    pub compact: bool,
    /// Escape every non-ASCII character as `\uXXXX` (surrogate pairs above U+FFFF).
    pub ensure_ascii: bool,
}

/// `json.dumps(value)`: default separators, `ensure_ascii=True`. Used on the SSE stream.
pub const PYTHON_DEFAULT: Style = Style {
    compact: false,
    ensure_ascii: true,
};

/// FastAPI `JSONResponse`: compact separators, `ensure_ascii=False`.
pub const FASTAPI: Style = Style {
    compact: true,
    ensure_ascii: false,
};

/// `json.dumps(value)` with Python's default settings.
pub fn dumps(value: &Value) -> String {
    dumps_with(value, PYTHON_DEFAULT)
}

/// Serialize `value` in the given [`Style`].
pub fn dumps_with(value: &Value, style: Style) -> String {
    let mut out = String::with_capacity(64);
    write_value(&mut out, value, style);
    out
}

fn write_value(out: &mut String, value: &Value, style: Style) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s, style.ensure_ascii),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(if style.compact { "," } else { ", " });
                }
                write_value(out, item, style);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(if style.compact { "," } else { ", " });
                }
                write_string(out, key, style.ensure_ascii);
                out.push_str(if style.compact { ":" } else { ": " });
                write_value(out, item, style);
            }
            out.push('}');
        }
    }
}

fn write_number(out: &mut String, n: &Number) {
    if let Some(i) = n.as_i64() {
        out.push_str(&i.to_string());
    } else if let Some(u) = n.as_u64() {
        out.push_str(&u.to_string());
    } else if let Some(f) = n.as_f64() {
        out.push_str(&python_float_repr(f));
    } else {
        out.push_str(&n.to_string());
    }
}

/// Python's `repr(float)`: the shortest round-tripping digits, in fixed notation when the
/// decimal exponent is in `-4..16`, otherwise `d.ddde+XX` / `de-XX` (at least two exponent digits).
pub fn python_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    // `{:e}` gives the shortest round-trip digits, e.g. "1.5625e0", "-1e-5".
    let sci = format!("{f:e}");
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (sci.as_str(), 0),
    };
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        if exp < 0 {
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            let int_len = usize::try_from(exp).unwrap_or(0) + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                for _ in digits.len()..int_len {
                    out.push('0');
                }
                out.push_str(".0");
            } else {
                let (int_part, frac_part) = digits.split_at(int_len);
                out.push_str(int_part);
                out.push('.');
                out.push_str(frac_part);
            }
        }
    } else {
        let mut chars = digits.chars();
        if let Some(first) = chars.next() {
            out.push(first);
        }
        let rest: String = chars.collect();
        if !rest.is_empty() {
            out.push('.');
            out.push_str(&rest);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.unsigned_abs()));
    }
    out
}

fn write_string(out: &mut String, s: &str, ensure_ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if ensure_ascii && !c.is_ascii() => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn default_spacing_and_key_order() {
        let v = json!({"type": "status", "status": "completed", "a": [1, 2, {"z": null, "b": true}]});
        assert_eq!(
            dumps(&v),
            r#"{"type": "status", "status": "completed", "a": [1, 2, {"z": null, "b": true}]}"#
        );
        assert_eq!(
            dumps_with(&v, FASTAPI),
            r#"{"type":"status","status":"completed","a":[1,2,{"z":null,"b":true}]}"#
        );
    }

    #[test]
    fn ensure_ascii_escapes_with_surrogate_pairs() {
        let v = json!({"t": "caf\u{e9} \u{26a1} \u{1f600}"});
        assert_eq!(dumps(&v), r#"{"t": "caf\u00e9 \u26a1 \ud83d\ude00"}"#);
        assert_eq!(
            dumps_with(&v, FASTAPI),
            "{\"t\":\"caf\u{e9} \u{26a1} \u{1f600}\"}"
        );
    }

    #[test]
    fn control_characters_and_quotes() {
        let v = json!("a\"b\\c\nd\re\tf\u{08}\u{0c}\u{01}\u{7f}/");
        assert_eq!(dumps(&v), "\"a\\\"b\\\\c\\nd\\re\\tf\\b\\f\\u0001\u{7f}/\"");
    }

    #[test]
    fn floats_like_python_repr() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (15.0, "15.0"),
            (1.5625, "1.5625"),
            (12.5, "12.5"),
            (0.0597, "0.0597"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (123456789012345.0, "123456789012345.0"),
            (-2.5, "-2.5"),
            (1184.2, "1184.2"),
            (0.1, "0.1"),
        ];
        for (f, expected) in cases {
            assert_eq!(python_float_repr(*f), *expected, "{f}");
        }
        assert_eq!(dumps(&json!({"x": 15.0, "n": 3})), r#"{"x": 15.0, "n": 3}"#);
    }

    #[test]
    fn fixture_stream_lines_round_trip_byte_for_byte() {
        let sample = include_str!("../fixtures/stream_sample.sse");
        let script = include_str!("../fixtures/script_run.sse");
        let mut count = 0;
        for line in sample.lines().chain(script.lines()).filter(|l| !l.is_empty()) {
            let json_text = line.strip_prefix("data: ").unwrap();
            let value: Value = serde_json::from_str(json_text).unwrap();
            assert_eq!(dumps(&value), json_text);
            count += 1;
        }
        assert_eq!(count, 54);
    }
}
