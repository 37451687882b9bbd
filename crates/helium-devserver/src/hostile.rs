//! Hostile mode: a raw HTTP/1.1 server whose answers are built to break clients (an endless header, an endless
//! line, a 1 GiB body, a gzip bomb, a slow drip, invalid UTF-8, JSON nested 100 000 deep, absurd numbers).
//!
//! The first path segment picks the behaviour and the rest is the route a client asked for, so a client whose
//! backend URL is `http://HOST:PORT/<mode>` sends `GET /<mode>/api/agent-run/{id}/stream` and so on. A path ending
//! in `/stream` gets the `text/event-stream` flavour of the mode, any other path the JSON one. Every connection
//! gets one answer and is then closed. Everything is generated while it is sent (nothing is buffered), and every
//! "endless" answer stops after [`HostileOptions::endless_limit`] bytes, so the server always ends by itself.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What a hostile answer does; the first path segment names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostileMode {
    /// `endless-header`: a status line, then one header whose value never ends.
    EndlessHeader,
    /// `endless-line`: normal headers, then a body that is one line without a newline, never ending (an SSE
    /// `data:` line on the stream route, an unterminated JSON string elsewhere); sent until the client closes.
    EndlessLine,
    /// `huge-body`: a body of [`HostileOptions::body_size`] bytes (1 GiB by default), with its `Content-Length`.
    HugeBody,
    /// `huge-chunked`: the same body without a length (it ends when the connection closes).
    HugeChunked,
    /// `gzip-bomb`: `Content-Encoding: gzip` and a small body (about 1/158 of the size) that inflates to
    /// [`HostileOptions::bomb_size`] bytes of spaces.
    GzipBomb,
    /// `slow-drip`: a small valid answer (head and body) sent one byte per [`HostileOptions::drip_interval`].
    SlowDrip,
    /// `slow-body`: the head at once, then a small valid body one byte per [`HostileOptions::drip_interval`].
    SlowBody,
    /// `invalid-utf8`: bytes that are not UTF-8 in a header value and inside JSON strings.
    InvalidUtf8,
    /// `deep-json`: JSON arrays nested [`HostileOptions::depth`] deep (100 000 by default).
    DeepJson,
    /// `absurd-numbers`: numbers far outside any range: `1e999999`, a 100 000-digit integer, `-1e-999999`,
    /// `18446744073709551616` (2^64).
    AbsurdNumbers,
}

impl HostileMode {
    /// Every mode, in a stable order.
    pub const ALL: [HostileMode; 10] = [
        HostileMode::EndlessHeader,
        HostileMode::EndlessLine,
        HostileMode::HugeBody,
        HostileMode::HugeChunked,
        HostileMode::GzipBomb,
        HostileMode::SlowDrip,
        HostileMode::SlowBody,
        HostileMode::InvalidUtf8,
        HostileMode::DeepJson,
        HostileMode::AbsurdNumbers,
    ];

    /// The path segment naming the mode.
    pub fn as_str(self) -> &'static str {
        match self {
            HostileMode::EndlessHeader => "endless-header",
            HostileMode::EndlessLine => "endless-line",
            HostileMode::HugeBody => "huge-body",
            HostileMode::HugeChunked => "huge-chunked",
            HostileMode::GzipBomb => "gzip-bomb",
            HostileMode::SlowDrip => "slow-drip",
            HostileMode::SlowBody => "slow-body",
            HostileMode::InvalidUtf8 => "invalid-utf8",
            HostileMode::DeepJson => "deep-json",
            HostileMode::AbsurdNumbers => "absurd-numbers",
        }
    }

    /// The mode a path segment names.
    pub fn parse(segment: &str) -> Option<HostileMode> {
        HostileMode::ALL.into_iter().find(|m| m.as_str() == segment)
    }
}

impl std::fmt::Display for HostileMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Options of [`HostileServer::start`].
#[derive(Debug, Clone)]
pub struct HostileOptions {
    /// Interface to bind (default `127.0.0.1`).
    pub host: IpAddr,
    /// Port; `0` picks a free one.
    pub port: u16,
    /// Size of the `huge-body` and `huge-chunked` bodies (default 1 GiB).
    pub body_size: u64,
    /// Inflated size of the `gzip-bomb` body (default 1 GiB).
    pub bomb_size: u64,
    /// Pause between the bytes of `slow-drip` and `slow-body` (default 100 ms).
    pub drip_interval: Duration,
    /// Nesting depth of `deep-json` (default 100 000).
    pub depth: usize,
    /// The most bytes an "endless" answer sends before the server closes it (default 4 GiB).
    pub endless_limit: u64,
}

impl Default for HostileOptions {
    fn default() -> Self {
        HostileOptions {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            body_size: 1 << 30,
            bomb_size: 1 << 30,
            drip_interval: Duration::from_millis(100),
            depth: 100_000,
            endless_limit: 4 << 30,
        }
    }
}

/// Counters of a hostile server.
#[derive(Debug, Default)]
struct Stats {
    connections: AtomicU64,
    bytes_sent: AtomicU64,
}

/// A running hostile server.
#[derive(Debug)]
pub struct HostileServer {
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
    stats: Arc<Stats>,
}

impl HostileServer {
    /// Binds and spawns the server on the current tokio runtime.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start(options: HostileOptions) -> std::io::Result<HostileServer> {
        let listener = TcpListener::bind(SocketAddr::new(options.host, options.port)).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = watch::channel(false);
        let stats = Arc::new(Stats::default());
        let task = tokio::spawn(accept_loop(listener, Arc::new(options), stats.clone(), rx));
        Ok(HostileServer {
            addr,
            shutdown: tx,
            task,
            stats,
        })
    }

    /// `http://HOST:PORT`.
    pub fn base_url(&self) -> String {
        crate::base_url(self.addr)
    }

    /// The backend URL of a mode: `http://HOST:PORT/<mode>` (a client appends `/api`).
    pub fn url(&self, mode: HostileMode) -> String {
        format!("{}/{mode}", self.base_url())
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.stats.connections.load(Ordering::Relaxed)
    }

    /// Bytes written so far (heads and bodies).
    pub fn bytes_sent(&self) -> u64 {
        self.stats.bytes_sent.load(Ordering::Relaxed)
    }

    /// Stops accepting and ends the answers being sent.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }
}

async fn accept_loop(
    listener: TcpListener,
    options: Arc<HostileOptions>,
    stats: Arc<Stats>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conns = tokio::task::JoinSet::new();
    loop {
        while conns.try_join_next().is_some() {}
        let accepted = tokio::select! {
            res = listener.accept() => res,
            _ = shutdown.wait_for(|v| *v) => break,
        };
        let Ok((stream, _)) = accepted else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        stats.connections.fetch_add(1, Ordering::Relaxed);
        let _ = stream.set_nodelay(true);
        let options = options.clone();
        let stats = stats.clone();
        let mut stop = shutdown.clone();
        conns.spawn(async move {
            tokio::select! {
                _ = serve(stream, &options, &stats) => {}
                _ = stop.wait_for(|v| *v) => {}
            }
        });
    }
    conns.abort_all();
    while conns.join_next().await.is_some() {}
}

/// The most request-head bytes read.
const MAX_REQUEST_HEAD: usize = 64 * 1024;

/// Reads the request head; returns its path (without the query).
async fn read_path(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0_u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > MAX_REQUEST_HEAD {
            return None;
        }
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        head.extend_from_slice(buf.get(..n)?);
    }
    let line = head.split(|&b| b == b'\r').next()?;
    let target = std::str::from_utf8(line).ok()?.split(' ').nth(1)?;
    Some(target.split('?').next().unwrap_or(target).to_owned())
}

/// Writes to the client, counting bytes; `Err` once the client is gone.
struct Out<'a> {
    stream: &'a mut TcpStream,
    stats: &'a Stats,
}

impl Out<'_> {
    async fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes).await?;
        self.stats
            .bytes_sent
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    /// Writes `total` bytes of `fill`, in blocks.
    async fn fill(&mut self, fill: u8, total: u64) -> std::io::Result<()> {
        let block = vec![fill; 64 * 1024];
        let mut left = total;
        while left > 0 {
            let n = usize::try_from(left.min(block.len() as u64)).unwrap_or(block.len());
            self.write(block.get(..n).unwrap_or_default()).await?;
            left -= n as u64;
        }
        Ok(())
    }

    /// Writes `bytes` one byte at a time, pausing `interval` before each.
    async fn drip(&mut self, bytes: &[u8], interval: Duration) -> std::io::Result<()> {
        for b in bytes {
            tokio::time::sleep(interval).await;
            self.write(std::slice::from_ref(b)).await?;
        }
        Ok(())
    }
}

/// A response head; `length` `None` means the body ends when the connection closes.
fn head(content_type: &str, length: Option<u64>, extra: &str) -> String {
    let mut h = format!("HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\nconnection: close\r\n{extra}");
    if let Some(len) = length {
        h.push_str(&format!("content-length: {len}\r\n"));
    }
    h.push_str("\r\n");
    h
}

const JSON: &str = "application/json";
const SSE: &str = "text/event-stream";

async fn serve(mut stream: TcpStream, options: &HostileOptions, stats: &Stats) {
    let Some(path) = read_path(&mut stream).await else {
        return;
    };
    let mut segments = path.trim_start_matches('/').splitn(2, '/');
    let mode = segments.next().and_then(HostileMode::parse);
    let sse = path.ends_with("/stream");
    let mut out = Out {
        stream: &mut stream,
        stats,
    };
    let result = match mode {
        Some(mode) => answer(&mut out, mode, sse, options).await,
        None => {
            let body = br#"{"detail":"Not Found"}"#;
            let h = format!(
                "HTTP/1.1 404 Not Found\r\ncontent-type: {JSON}\r\nconnection: close\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            match out.write(h.as_bytes()).await {
                Ok(()) => out.write(body).await,
                Err(e) => Err(e),
            }
        }
    };
    if result.is_ok() {
        let _ = stream.shutdown().await;
    }
}

async fn answer(out: &mut Out<'_>, mode: HostileMode, sse: bool, o: &HostileOptions) -> std::io::Result<()> {
    let ctype = if sse { SSE } else { JSON };
    match mode {
        HostileMode::EndlessHeader => {
            out.write(format!("HTTP/1.1 200 OK\r\ncontent-type: {ctype}\r\nx-endless: ").as_bytes())
                .await?;
            out.fill(b'a', o.endless_limit).await
        }
        HostileMode::EndlessLine => {
            out.write(head(ctype, None, "").as_bytes()).await?;
            let start: &[u8] = if sse {
                b"data: {\"type\": \"status\", \"message\": \""
            } else {
                b"{\"status\": \""
            };
            out.write(start).await?;
            out.fill(b'a', o.endless_limit).await
        }
        HostileMode::HugeBody | HostileMode::HugeChunked => {
            let start: &[u8] = if sse {
                b"data: {\"type\": \"status\", \"message\": \""
            } else {
                b"{\"status\": \""
            };
            let end: &[u8] = if sse { b"\"}\n\n" } else { b"\"}" };
            let fixed = (start.len() + end.len()) as u64;
            let size = o.body_size.max(fixed);
            let length = (mode == HostileMode::HugeBody).then_some(size);
            out.write(head(ctype, length, "").as_bytes()).await?;
            out.write(start).await?;
            out.fill(b'a', size - fixed).await?;
            out.write(end).await
        }
        HostileMode::GzipBomb => {
            out.write(head(ctype, None, "content-encoding: gzip\r\n").as_bytes())
                .await?;
            gzip_bomb(out, o.bomb_size).await
        }
        HostileMode::SlowDrip | HostileMode::SlowBody => {
            let body = small_body(sse);
            let h = head(ctype, Some(body.len() as u64), "");
            if mode == HostileMode::SlowDrip {
                out.drip(h.as_bytes(), o.drip_interval).await?;
            } else {
                out.write(h.as_bytes()).await?;
            }
            out.drip(body.as_bytes(), o.drip_interval).await
        }
        HostileMode::InvalidUtf8 => {
            let body: Vec<u8> = if sse {
                [
                    &b"data: {\"type\": \"status\", \"status\": \"error\", \"message\": \"bad \xff\xfe\xc0\xaf bytes\"}\n\n"[..],
                    b"data: {\"type\": \"status\", \"status\": \"\xed\xa0\x80\xf8\x88\x80\x80\x80\"}\n\n",
                    b"data: \xff{\"type\": \"status\"}\n\n",
                ]
                .concat()
            } else {
                b"{\"status\": \"ok\xff\xfe\", \"timestamp\": \"\xc0\xaf\", \"instance_id\": \"\xed\xa0\x80\"}".to_vec()
            };
            let mut h = head(ctype, Some(body.len() as u64), "").into_bytes();
            // A header value that is not UTF-8, before the blank line.
            h.truncate(h.len() - 2);
            h.extend_from_slice(b"x-request-id: \xff\xfe\r\n\r\n");
            out.write(&h).await?;
            out.write(&body).await
        }
        HostileMode::DeepJson => {
            let mut nested = "[".repeat(o.depth);
            nested.push_str(&"]".repeat(o.depth));
            let body = if sse {
                format!("data: {nested}\n\n")
            } else {
                nested
            };
            out.write(head(ctype, Some(body.len() as u64), "").as_bytes())
                .await?;
            out.write(body.as_bytes()).await
        }
        HostileMode::AbsurdNumbers => {
            let huge_int = format!("9{}", "9".repeat(100_000));
            let body = if sse {
                [
                    "data: {\"type\": \"assistant\", \"sequence\": 18446744073709551616, \"content\": \"{}\", \"metadata\": \"{}\"}\n\n".to_owned(),
                    "data: {\"type\": \"assistant\", \"sequence\": -1e-999999, \"content\": \"{}\", \"metadata\": \"{}\"}\n\n".to_owned(),
                    format!("data: {{\"type\": \"assistant\", \"sequence\": {huge_int}, \"content\": \"{{}}\"}}\n\n"),
                    "data: {\"type\": \"status\", \"status\": \"completed\", \"n\": 1e999999}\n\n".to_owned(),
                ]
                .concat()
            } else {
                format!(
                    "{{\"status\": \"ok\", \"timestamp\": 1e999999, \"instance_id\": {huge_int}, \"n\": -1e-999999, \"m\": 18446744073709551616}}"
                )
            };
            out.write(head(ctype, Some(body.len() as u64), "").as_bytes())
                .await?;
            out.write(body.as_bytes()).await
        }
    }
}

/// A small valid answer: a health body, or a one-item run that completes.
fn small_body(sse: bool) -> String {
    if sse {
        "data: {\"type\": \"status\", \"status\": \"completed\", \"message\": \"Agent run completed successfully\"}\n\n"
            .to_owned()
    } else {
        r#"{"status":"ok","timestamp":"2025-09-25T10:15:02.234512+00:00","instance_id":"hostile"}"#.to_owned()
    }
}

/// Writes a gzip member whose deflate stream inflates to `size` spaces (rounded down to 1 + 258·k): one literal
/// space, then back-references of length 258 at distance 1, in one fixed-Huffman block (13 bits per 258 bytes).
async fn gzip_bomb(out: &mut Out<'_>, size: u64) -> std::io::Result<()> {
    // gzip header: magic, deflate, no flags, no mtime, no extra flags, unknown OS.
    out.write(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]).await?;
    let copies = size.saturating_sub(1) / 258;
    let mut bits = BitWriter::default();
    bits.put(1, 1); // BFINAL
    bits.put(1, 2); // BTYPE 01: fixed Huffman codes
    bits.code(0x30 + 0x20, 8); // literal ' ' (0x20): codes 0x30.. for literals 0..143
    let mut crc = Crc32::default();
    crc.update(b" ");
    let run = [b' '; 258];
    for _ in 0..copies {
        bits.code(0b1100_0101, 8); // length code 285: 258 bytes
        bits.code(0, 5); // distance code 0: distance 1
        crc.update(&run);
        if bits.bytes.len() >= 64 * 1024 {
            out.write(&bits.bytes).await?;
            bits.bytes.clear();
        }
    }
    bits.code(0, 7); // end of block (256)
    bits.flush();
    out.write(&bits.bytes).await?;
    let inflated = 1 + copies * 258;
    let mut trailer = crc.finish().to_le_bytes().to_vec();
    trailer.extend_from_slice(&(inflated as u32).to_le_bytes());
    out.write(&trailer).await
}

/// Deflate's bit order: fields least significant bit first, Huffman codes most significant bit first.
#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    acc: u32,
    n: u32,
}

impl BitWriter {
    fn put(&mut self, value: u32, width: u32) {
        self.acc |= value << self.n;
        self.n += width;
        while self.n >= 8 {
            self.bytes.push((self.acc & 0xff) as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn code(&mut self, code: u32, width: u32) {
        let reversed = code.reverse_bits() >> (32 - width);
        self.put(reversed, width);
    }

    fn flush(&mut self) {
        if self.n > 0 {
            self.bytes.push((self.acc & 0xff) as u8);
            self.acc = 0;
            self.n = 0;
        }
    }
}

/// CRC-32 (IEEE), as gzip's trailer needs.
struct Crc32 {
    table: [u32; 256],
    value: u32,
}

impl Default for Crc32 {
    fn default() -> Self {
        let mut table = [0_u32; 256];
        for (i, entry) in table.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *entry = c;
        }
        Crc32 {
            table,
            value: 0xFFFF_FFFF,
        }
    }
}

impl Crc32 {
    fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            let index = ((self.value ^ u32::from(b)) & 0xff) as usize;
            self.value = self.table.get(index).copied().unwrap_or_default() ^ (self.value >> 8);
        }
    }

    fn finish(&self) -> u32 {
        self.value ^ 0xFFFF_FFFF
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_round_trip_their_names() {
        for mode in HostileMode::ALL {
            assert_eq!(HostileMode::parse(mode.as_str()), Some(mode));
        }
        assert_eq!(HostileMode::parse("api"), None);
    }

    #[test]
    fn crc32_of_a_known_string() {
        let mut crc = Crc32::default();
        crc.update(b"123456789");
        assert_eq!(crc.finish(), 0xCBF4_3926);
    }
}
