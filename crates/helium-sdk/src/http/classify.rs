//! Step 3 of the pipeline: an error status and its body become an [`ApiError`].

use std::time::Duration;

use crate::auth::redact_secrets;
use crate::error::{ApiError, Endpoint, ErrorKind, PostgrestError, RateLimit};
use crate::models::error::{ErrorBody, ErrorDetail};

/// A header's value (names compared case-insensitively).
pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// `Retry-After` as delta-seconds (integer or decimal). HTTP-dates are not used by the backend and are ignored.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let secs: f64 = value.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)))
}

/// The backend wraps an `HTTPException` raised inside a generic `except` into a 5xx whose string detail
/// starts with the inner status: `500 {"detail": "404: No sandbox found for this project"}`. Returns the inner
/// status and the message after the prefix.
fn unwrap_status(status: u16, detail: Option<&ErrorDetail>) -> Option<(u16, &str)> {
    if status < 500 {
        return None;
    }
    let Some(ErrorDetail::Message(m)) = detail else {
        return None;
    };
    let (code, rest) = (m.get(..3)?, m.get(3..)?);
    let rest = rest.strip_prefix(": ")?;
    let inner: u16 = code
        .parse()
        .ok()
        .filter(|c| (100..600).contains(c) && code.bytes().all(|b| b.is_ascii_digit()))?;
    Some((inner, rest))
}

/// Classifies an error response: FastAPI's `{"detail": …}` (wrapped statuses unwrapped, a 422's field
/// problems in the message), PostgREST's `{code, message, details, hint}` (`PGRST116` → not found,
/// `42501` → forbidden), or any other body (an excerpt in the message). Secrets are redacted from messages.
pub(crate) fn classify(
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    endpoint: Endpoint,
    request_id: Option<&str>,
) -> ApiError {
    let detail = serde_json::from_slice::<ErrorBody>(body).ok().map(|b| b.detail);
    let postgrest = if detail.is_none() {
        serde_json::from_slice::<PostgrestError>(body).ok()
    } else {
        None
    };
    let wrapped = unwrap_status(status, detail.as_ref());
    let kind = match (&wrapped, &postgrest) {
        (Some((inner, _)), _) => ErrorKind::from_status(*inner),
        (None, Some(p)) if p.code == "PGRST116" => ErrorKind::NotFound,
        (None, Some(p)) if p.code == "42501" => ErrorKind::Forbidden,
        _ => ErrorKind::from_status(status),
    };
    let message = match (&wrapped, &detail, &postgrest) {
        (Some((_, rest)), _, _) => redact_secrets(rest),
        (None, Some(d @ ErrorDetail::Validation(_)), _) => {
            redact_secrets(&format!("{} ({d})", status_text(status)))
        }
        (None, Some(d), _) => match d.message() {
            Some(m) => redact_secrets(m),
            None => redact_secrets(&d.to_string()),
        },
        (None, None, Some(p)) => redact_secrets(&p.message),
        (None, None, None) if body.is_empty() => status_text(status).to_owned(),
        (None, None, None) => format!(
            "{} (the body is not a JSON error: {:?})",
            status_text(status),
            excerpt(body)
        ),
    };
    ApiError {
        status,
        wrapped_status: wrapped.map(|(inner, _)| inner),
        kind,
        endpoint,
        message,
        detail,
        postgrest,
        request_id: header(headers, "x-request-id").or(request_id).map(str::to_owned),
        retry_after: header(headers, "retry-after").and_then(parse_retry_after),
        rate_limit: RateLimit::from_headers(headers),
        body_error: None,
    }
}

/// The first 200 characters of a body, secrets redacted.
pub(crate) fn excerpt(body: &[u8]) -> String {
    // The cut is moved to the end of the word it falls in (within a bound), so that a credential crossing it is
    // recognised whole and redacted before the cut.
    let cut_at_word_end = |text: &str| {
        let cut = text
            .char_indices()
            .nth(EXCERPT_CHARS)
            .map_or(text.len(), |(i, _)| i);
        text[cut..]
            .find(|c: char| !crate::auth::is_word_char(c))
            .map(|j| cut + j)
    };
    let window = |bytes: usize| String::from_utf8_lossy(body.get(..bytes).unwrap_or(body));
    let mut text = window(EXCERPT_CHARS * 4);
    let mut end = cut_at_word_end(&text);
    if end.is_none() && body.len() > EXCERPT_CHARS * 4 {
        text = window(EXCERPT_CHARS * 4 + 8192);
        end = cut_at_word_end(&text);
    }
    let end = end.unwrap_or(text.len());
    redact_secrets(&text[..end]).chars().take(EXCERPT_CHARS).collect()
}

/// The characters of a body an error message quotes.
const EXCERPT_CHARS: usize = 200;

fn status_text(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "HTTP error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `response_decoding` fuzz target: a token glued to the words of a detail (or cut by the
    /// excerpt) reached the error message.
    #[test]
    fn a_token_inside_a_detail_or_an_excerpt_is_redacted() {
        let secret = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmdXp6In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
        let body = format!("{{\n  \"detail\": \"Agent{secret} run not found\"\n}}\n");
        let e = crate::Error::from(classify(502, &[], body.as_bytes(), ep(), Some("rid")));
        assert!(!e.to_string().contains("eyJzdWIiOiJmdXp6In0"), "{e}");
        // The detail is kept as sent for callers, and redacted in `Debug` output.
        let body = format!("{{\"detail\": \"Health{secret} check failed\"}}");
        let e = crate::Error::from(classify(418, &[], body.as_bytes(), ep(), None));
        for text in [format!("{e:?}"), format!("{e:#?}")] {
            assert!(!text.contains("eyJzdWIiOiJmdXp6In0"), "{text}");
            assert!(text.contains("check failed"), "{text}");
        }
        assert!(e.detail().unwrap().message().unwrap().contains(secret));
        // Found next: a JSON array reads as a PostgREST error (serde takes a struct's fields in order), and its
        // `code`, shown in the message, held the token.
        let body = format!("[\"{{\\\"{secret}ph15:0ida>>>3c'}}\", \"  a8c'}}\"]");
        let e = crate::Error::from(classify(200, &[], body.as_bytes(), ep(), None));
        assert!(e.as_api().unwrap().postgrest().is_some());
        for text in [e.to_string(), format!("{e:?}")] {
            assert!(!text.contains("eyJzdWIiOiJmdXp6In0"), "{text}");
        }
        // A body whose excerpt ends inside a token.
        let body = format!("{}token={secret}", "x ".repeat(97));
        let text = excerpt(body.as_bytes());
        assert!(!text.contains("eyJzdWIi"), "{text}");
        assert!(text.ends_with(" [redac"), "{text}");
    }

    fn ep() -> Endpoint {
        Endpoint::new("GET", "http://h:1/api/x")
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 1.5 "), Some(Duration::from_millis(1500)));
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("NaN"), None);
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn fastapi_bodies_map_to_kinds() {
        let e = classify(
            404,
            &[],
            br#"{"detail": "Agent run not found"}"#,
            ep(),
            Some("rid"),
        );
        assert_eq!(
            (e.kind, e.message.as_str(), e.request_id.as_deref()),
            (ErrorKind::NotFound, "Agent run not found", Some("rid"))
        );
        let e = classify(
            502,
            &[("retry-after".into(), "2".into())],
            b"<html>bad gateway</html>",
            ep(),
            None,
        );
        assert_eq!(e.kind, ErrorKind::Server);
        assert!(e.message.contains("<html>bad gateway"), "{}", e.message);
        assert_eq!(e.retry_after, Some(Duration::from_secs(2)));
        let e = classify(
            401,
            &[],
            br#"{"detail": "Invalid token: eyJhbGciOi.eyJzdWIi.c2ln"}"#,
            ep(),
            None,
        );
        assert!(!e.message.contains("eyJzdWIi"), "{}", e.message);
    }

    #[test]
    fn wrapped_statuses_are_classified_by_the_inner_status() {
        let e = classify(
            500,
            &[],
            br#"{"detail":"404: No sandbox found for this project"}"#,
            ep(),
            None,
        );
        assert_eq!(
            (e.status, e.wrapped_status, e.kind),
            (500, Some(404), ErrorKind::NotFound)
        );
        assert_eq!(e.message, "No sandbox found for this project");
        assert!(e.to_string().contains("HTTP 500 (wrapping 404)"), "{e}");
        // Only a 5xx with a string detail of exactly that shape.
        for (status, body) in [
            (500, r#"{"detail":"Internal server error: 404: x"}"#),
            (500, r#"{"detail":"40: x"}"#),
            (500, r#"{"detail":"4041: x"}"#),
            (500, r#"{"detail":"404 x"}"#),
            (400, r#"{"detail":"404: x"}"#),
            (500, r#"{"detail":{"message":"404: x"}}"#),
            (500, r#"{"detail":"+40: x"}"#),
        ] {
            let e = classify(status, &[], body.as_bytes(), ep(), None);
            assert_eq!(e.wrapped_status, None, "{body}");
        }
        let e = classify(503, &[], br#"{"detail":"429: slow down"}"#, ep(), None);
        assert_eq!((e.kind, e.wrapped_status), (ErrorKind::RateLimited, Some(429)));
    }

    #[test]
    fn validation_errors_show_the_field_problems() {
        let body =
            br#"{"detail":[{"type":"missing","loc":["body","prompt"],"msg":"Field required","input":null}]}"#;
        let e = classify(422, &[], body, ep(), None);
        assert_eq!(e.kind, ErrorKind::Validation);
        assert_eq!(e.message, "Unprocessable Entity (body.prompt: Field required)");
    }

    #[test]
    fn postgrest_errors_are_typed() {
        let body = br#"{"code":"PGRST116","message":"JSON object requested, multiple (or no) rows returned","details":"The result contains 0 rows","hint":null}"#;
        let e = classify(406, &[], body, ep(), None);
        assert_eq!(e.kind, ErrorKind::NotFound);
        let p = e.postgrest.as_ref().unwrap();
        assert_eq!(
            (p.code.as_str(), p.details.as_deref(), p.hint.as_deref()),
            ("PGRST116", Some("The result contains 0 rows"), None)
        );
        let body = br#"{"code":"42501","message":"new row violates row-level security policy for table \"threads\"","details":null,"hint":null}"#;
        assert_eq!(classify(401, &[], body, ep(), None).kind, ErrorKind::Forbidden);
        let body = br#"{"code":"23505","message":"duplicate key","details":"Key exists","hint":null}"#;
        let e = classify(409, &[], body, ep(), None);
        assert_eq!(
            (e.kind, e.message.as_str()),
            (ErrorKind::BadRequest, "duplicate key")
        );
    }

    #[test]
    fn rate_limit_headers_are_kept() {
        let headers = vec![
            ("X-RateLimit-Limit".to_owned(), "100".to_owned()),
            ("X-RateLimit-Remaining".to_owned(), "0".to_owned()),
            ("X-RateLimit-Reset".to_owned(), "1700000000".to_owned()),
        ];
        let e = classify(
            429,
            &headers,
            br#"{"detail":"Rate limit exceeded. Please try again later."}"#,
            ep(),
            None,
        );
        let r = e.rate_limit.unwrap();
        assert_eq!(
            (r.limit, r.remaining, r.reset),
            (Some(100), Some(0), Some(1_700_000_000))
        );
    }
}
