//! [`NamedStatements`]: the transport under a [`crate::PoolerClient`] that turns its unnamed
//! statements into statements named after their content, prepared once per server connection.
//!
//! tokio-postgres names the statements it prepares itself (`s0`, `s1`... from a per-process
//! counter) and binds only those, so behind a transaction pooler another process's `s3` may run
//! instead of ours. It can send an unnamed statement with its parameter types (`query_typed`):
//! Parse, Bind, Describe and Execute in one message, which the server parses, analyses and plans
//! on every call. This layer sits between tokio-postgres and the socket and rewrites exactly that
//! message, when it is safe, into a Bind of a statement named `sqlgen_` and 128 bits of the
//! SHA-256 of its text and parameter types: the same name means the same statement whichever
//! process or server connection prepared it. When the server connection the pooler picked does
//! not have it yet (`26000`), or its plan no longer fits (`0A000`, a column changed type), the
//! server has run nothing; the layer sends Close, a named Parse and the same Bind in one message
//! (one transaction, so one server connection) and hands tokio-postgres the answer of that.
//!
//! The rewrite applies only where a failed Bind cannot hurt: outside a transaction (the server's
//! last ReadyForQuery said idle), with nothing but rewritten statements in flight, and to
//! statements that cannot change the transaction state (they start with SELECT, WITH, INSERT,
//! UPDATE, DELETE, VALUES, TABLE or MERGE). Anything else passes through unchanged, and messages
//! that follow a rewritten statement wait until it is answered, so that a retry never runs after
//! them. Answers reach tokio-postgres in the order it sent its requests. A connection that asks
//! for TLS or GSS encryption is passed through unchanged (the layer would sit under the
//! encryption): its statements stay unnamed.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The first word of a Parse message's SQL text for which the rewrite applies.
const REWRITTEN_KEYWORDS: [&str; 8] = [
    "SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "VALUES", "TABLE", "MERGE",
];
/// The codes of SSLRequest and GSSENCRequest.
const ENCRYPTION_REQUESTS: [u32; 2] = [80_877_103, 80_877_104];
/// Stop taking bytes from tokio-postgres while this many wait for the socket.
const HIGH_WATER: usize = 256 * 1024;
/// ParseComplete, for a rewritten statement that was not parsed this time.
const PARSE_COMPLETE: &[u8] = b"1\0\0\0\x04";

/// A stream to a PostgreSQL server or a pooler that names the unnamed statements of tokio-postgres's
/// `query_typed` family after their content; see [`crate::PoolerClient::connect`], which uses it,
/// and pass it to [`tokio_postgres::Config::connect_raw`] to connect a stream of your own.
pub struct NamedStatements<S> {
    inner: S,
    phase: Phase,
    /// Bytes from tokio-postgres that do not make a whole message yet.
    from_client: BytesMut,
    /// A Parse, Bind, Describe, Execute, Sync sequence being collected.
    group: BytesMut,
    /// Where each message of `group` ends.
    group_ends: Vec<usize>,
    /// Messages that wait until no rewritten statement is in flight.
    held: VecDeque<Bytes>,
    to_server: BytesMut,
    from_server: BytesMut,
    to_client: BytesMut,
    /// The server's last ReadyForQuery said it is outside a transaction.
    idle: bool,
    /// ReadyForQuery messages owed to messages that passed through unchanged.
    passed: usize,
    /// The server is taking COPY data.
    copy_in: bool,
    /// Rewritten statements in flight, in the order tokio-postgres sent them.
    rewritten: VecDeque<Rewritten>,
    /// Their attempts, in the order the server answers them.
    attempts: VecDeque<u64>,
    next_id: u64,
    counts: Arc<Counts>,
    /// Per Parse body (SQL text and parameter types), its content name and its Close and named
    /// Parse.
    names: HashMap<Bytes, Named, Fast>,
    /// Where the socket's bytes are read into (kept, so that no read zeroes a buffer).
    chunk: Box<[u8]>,
}

/// A statement's content name, as Close and Parse messages to send on a retry.
#[derive(Clone)]
struct Named {
    name: Arc<str>,
    prepare: Bytes,
}

/// What a [`NamedStatements`] stream did, readable while tokio-postgres owns the stream.
#[derive(Debug, Default)]
pub struct Counts {
    named: AtomicU64,
    reprepared: AtomicU64,
}

impl Counts {
    /// How many statements went out as a Bind of a statement named after its content.
    pub fn named(&self) -> u64 {
        self.named.load(Ordering::Relaxed)
    }

    /// How many of those the server connection lacked or had to replace, so that they were
    /// prepared again.
    pub fn reprepared(&self) -> u64 {
        self.reprepared.load(Ordering::Relaxed)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before the first message of the session: is it a request for encryption?
    First,
    /// Authentication, until the server's first ReadyForQuery.
    Startup,
    Ready,
    /// Encrypted, or broken: bytes pass as they are.
    Transparent,
}

struct Rewritten {
    id: u64,
    /// Close, then Parse under the content name, to send before `bind` on a retry.
    prepare: Bytes,
    /// Bind of the named statement, Describe of the portal, Execute and Sync.
    bind: Bytes,
    stage: Stage,
    /// Its answer, waiting for the requests sent before it to be answered.
    answer: BytesMut,
    done: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Bind of the named statement sent, nothing heard yet.
    Sent,
    /// The server connection lacked the statement: skip the rest of the answer, then retry.
    Missing,
    /// The answer passes to tokio-postgres.
    Answering,
    /// Prepared again: the answer passes, less the CloseComplete.
    Retried,
}

impl<S> NamedStatements<S> {
    /// Wraps `inner`, before anything was sent on it.
    pub fn new(inner: S) -> Self {
        NamedStatements {
            inner,
            phase: Phase::First,
            from_client: BytesMut::new(),
            group: BytesMut::new(),
            group_ends: Vec::with_capacity(5),
            held: VecDeque::new(),
            to_server: BytesMut::new(),
            from_server: BytesMut::new(),
            to_client: BytesMut::new(),
            idle: false,
            passed: 0,
            copy_in: false,
            rewritten: VecDeque::new(),
            attempts: VecDeque::new(),
            next_id: 0,
            counts: Arc::default(),
            names: HashMap::default(),
            chunk: vec![0; 16 * 1024].into_boxed_slice(),
        }
    }

    /// What this stream does, shared: keep it before handing the stream to tokio-postgres.
    pub fn counts(&self) -> Arc<Counts> {
        Arc::clone(&self.counts)
    }

    /// Takes bytes tokio-postgres wrote.
    fn take_from_client(&mut self, data: &[u8]) {
        match self.phase {
            Phase::Transparent | Phase::Startup => self.to_server.extend_from_slice(data),
            Phase::First => {
                self.from_client.extend_from_slice(data);
                if self.from_client.len() >= 8 {
                    let code = u32::from_be_bytes(self.from_client[4..8].try_into().unwrap());
                    self.phase = if ENCRYPTION_REQUESTS.contains(&code) {
                        Phase::Transparent
                    } else {
                        Phase::Startup
                    };
                    let first = self.from_client.split();
                    self.to_server.extend_from_slice(&first);
                }
            }
            Phase::Ready if self.from_client.is_empty() => {
                let rest = self.route_all_out(data);
                self.from_client.extend_from_slice(&data[rest..]);
            }
            Phase::Ready => {
                self.from_client.extend_from_slice(data);
                let pending = std::mem::take(&mut self.from_client);
                let rest = self.route_all_out(&pending);
                self.from_client = pending;
                self.from_client.advance(rest);
            }
        }
    }

    /// Routes the whole messages at the start of `data`; returns where the rest starts.
    fn route_all_out(&mut self, data: &[u8]) -> usize {
        let mut at = 0;
        while let Some(length) = message_length(&data[at..]) {
            self.route_out(&data[at..at + length]);
            at += length;
        }
        at
    }

    /// One whole message from tokio-postgres.
    fn route_out(&mut self, message: &[u8]) {
        let tag = message[0];
        if self.group_ends.is_empty() && !(tag == b'P' && message.get(5) == Some(&0)) {
            self.pass(message);
            return;
        }
        self.group.extend_from_slice(message);
        self.group_ends.push(self.group.len());
        let first = self.group_ends.len() == 1;
        if !first && (tag == b'S' || self.group_ends.len() == 5 || !b"BDE".contains(&tag)) {
            self.end_group();
        }
    }

    /// A collected sequence: rewritten if it is `query_typed`'s and the moment is safe, passed on
    /// as it is otherwise.
    fn end_group(&mut self) {
        let group = self.group.split().freeze();
        let mut messages = [&group[..0]; 5];
        let mut start = 0;
        for (message, &end) in messages.iter_mut().zip(&self.group_ends) {
            *message = &group[start..end];
            start = end;
        }
        let messages = &messages[..self.group_ends.len()];
        self.group_ends.clear();
        let safe = self.idle && self.passed == 0 && self.held.is_empty() && !self.copy_in;
        match safe.then(|| rewrite(messages, &mut self.names)).flatten() {
            Some((prepare, bind)) => {
                let id = self.next_id;
                self.next_id += 1;
                self.counts.named.fetch_add(1, Ordering::Relaxed);
                self.to_server.extend_from_slice(&bind);
                self.attempts.push_back(id);
                self.rewritten.push_back(Rewritten {
                    id,
                    prepare,
                    bind,
                    stage: Stage::Sent,
                    answer: BytesMut::new(),
                    done: false,
                });
            }
            None => messages.iter().for_each(|message| self.pass(message)),
        }
    }

    /// A message that goes to the server unchanged, or waits behind rewritten statements.
    fn pass(&mut self, message: &[u8]) {
        if !self.rewritten.is_empty() || !self.held.is_empty() {
            self.held.push_back(Bytes::copy_from_slice(message));
            return;
        }
        match message[0] {
            b'S' | b'Q' => self.passed += 1,
            b'c' | b'f' => self.copy_in = false,
            _ => {}
        }
        self.to_server.extend_from_slice(message);
    }

    /// Takes bytes the server sent.
    fn take_from_server(&mut self) {
        if matches!(self.phase, Phase::Transparent | Phase::First) {
            let all = self.from_server.split();
            self.to_client.extend_from_slice(&all);
            return;
        }
        let mut pending = std::mem::take(&mut self.from_server);
        let mut at = 0;
        while let Some(length) = message_length(&pending[at..]) {
            self.route_in(&pending[at..at + length]);
            at += length;
        }
        pending.advance(at);
        self.from_server = pending;
    }

    /// One whole message from the server.
    fn route_in(&mut self, message: &[u8]) {
        if self.phase == Phase::Startup {
            if message[0] == b'Z' {
                self.phase = Phase::Ready;
                self.idle = message.get(5) == Some(&b'I');
            }
            self.to_client.extend_from_slice(message);
        } else if self.rewritten.is_empty() {
            match message[0] {
                b'Z' => {
                    self.passed = self.passed.saturating_sub(1);
                    self.idle = message.get(5) == Some(&b'I');
                }
                // The Sync sent with the Execute of a COPY FROM STDIN is ignored by the server
                // in COPY mode, so it is owed no ReadyForQuery.
                b'G' => {
                    self.copy_in = true;
                    self.passed = self.passed.saturating_sub(1);
                }
                _ => {}
            }
            self.to_client.extend_from_slice(message);
        } else {
            self.answer(message);
        }
    }

    /// A message answering the rewritten statement at the head of the server's order.
    fn answer(&mut self, message: &[u8]) {
        let Some(&id) = self.attempts.front() else {
            // Nothing asked for it: a notice or a parameter change between statements.
            self.to_client.extend_from_slice(message);
            return;
        };
        let at = self.rewritten.iter().position(|r| r.id == id).unwrap();
        let request = &mut self.rewritten[at];
        // The first request in tokio-postgres's order has had its earlier answer delivered: the
        // rest of it goes straight on.
        let out = if at == 0 {
            &mut self.to_client
        } else {
            &mut request.answer
        };
        let tag = message[0];
        match request.stage {
            Stage::Sent if tag == b'E' && must_prepare(message) => request.stage = Stage::Missing,
            Stage::Sent => {
                out.extend_from_slice(PARSE_COMPLETE);
                out.extend_from_slice(message);
                request.stage = Stage::Answering;
            }
            Stage::Missing => {}
            Stage::Retried if tag == b'3' => {}
            Stage::Answering | Stage::Retried => out.extend_from_slice(message),
        }
        if tag != b'Z' {
            return;
        }
        self.idle = message.get(5) == Some(&b'I');
        self.attempts.pop_front();
        let request = &mut self.rewritten[at];
        if request.stage == Stage::Missing {
            request.stage = Stage::Retried;
            self.counts.reprepared.fetch_add(1, Ordering::Relaxed);
            self.to_server.extend_from_slice(&request.prepare);
            self.to_server.extend_from_slice(&request.bind);
            self.attempts.push_back(id);
        } else {
            request.done = true;
        }
        self.deliver();
    }

    /// Answers, in the order tokio-postgres asked; then what waited behind them.
    fn deliver(&mut self) {
        while let Some(head) = self.rewritten.front_mut() {
            self.to_client.extend_from_slice(&head.answer.split());
            if !head.done {
                return;
            }
            self.rewritten.pop_front();
        }
        for message in std::mem::take(&mut self.held) {
            self.pass(&message);
        }
    }
}

/// The length of the whole message at the start of `data` (tag, length, body), if it is all
/// there.
fn message_length(data: &[u8]) -> Option<usize> {
    let length = u32::from_be_bytes(data.get(1..5)?.try_into().unwrap()) as usize + 1;
    (data.len() >= length).then_some(length)
}

/// The rewritten form of `group` when it is exactly `query_typed`'s unnamed Parse, Bind,
/// Describe, Execute and Sync of a statement that cannot change the transaction state: Close and
/// a named Parse (to send on a retry), and the Bind of the named statement with a Describe of the
/// portal, the Execute and the Sync. `names` keeps the names already made.
fn rewrite(group: &[&[u8]], names: &mut HashMap<Bytes, Named, Fast>) -> Option<(Bytes, Bytes)> {
    let [parse, bind, describe, execute, sync] = group else {
        return None;
    };
    let tags = [parse[0], bind[0], describe[0], execute[0], sync[0]];
    if tags != *b"PBDES" || bind.get(5..7) != Some(&b"\0\0"[..]) || describe[5..] != *b"S\0" {
        return None;
    }
    // Parse: tag, length, the empty name's NUL, then the SQL text, its NUL and the parameter
    // types: the body a name is made from.
    let body = &parse[6..];
    let named = match names.get(body) {
        Some(named) => named.clone(),
        None => {
            let named = name(parse)?;
            // A client that sends ever new SQL texts must not grow this without bound.
            if names.len() >= 4096 {
                names.clear();
            }
            names.insert(Bytes::copy_from_slice(body), named.clone());
            named
        }
    };
    let mut bound = BytesMut::with_capacity(bind.len() + named.name.len() + 16 + execute.len());
    // Bind: the empty portal's NUL, then the statement's name in place of the empty one.
    message(
        &mut bound,
        b'B',
        &[b"\0", named.name.as_bytes(), &bind[6..]],
    );
    message(&mut bound, b'D', &[b"P\0"]);
    bound.extend_from_slice(execute);
    bound.extend_from_slice(sync);
    Some((named.prepare, bound.freeze()))
}

/// The content name of an unnamed `parse` whose statement cannot change the transaction state.
fn name(parse: &[u8]) -> Option<Named> {
    let body = &parse[6..];
    let end = body.iter().position(|&b| b == 0)?;
    let sql = std::str::from_utf8(&body[..end]).ok()?;
    if !starts_with_keyword(sql) {
        return None;
    }
    let digest = Sha256::digest(body);
    let mut name = String::from("sqlgen_");
    for byte in &digest[..16] {
        let _ = write!(name, "{byte:02x}");
    }
    let mut prepare = BytesMut::new();
    message(&mut prepare, b'C', &[b"S", name.as_bytes(), b"\0"]);
    message(&mut prepare, b'P', &[name.as_bytes(), &parse[5..]]);
    Some(Named {
        name: name.into(),
        prepare: prepare.freeze(),
    })
}

/// A multiply-rotate hash for the Parse bodies `names` is keyed by (8 bytes at a step, a few
/// nanoseconds for a statement, against SipHash's hundred or more): the keys come from the
/// program's own SQL, not from an adversary.
#[derive(Clone, Copy, Default)]
struct Fast;

impl BuildHasher for Fast {
    type Hasher = FastHasher;

    fn build_hasher(&self) -> FastHasher {
        FastHasher(0)
    }
}

struct FastHasher(u64);

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap());
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Appends a message of `tag` whose body is `parts`, one after the other.
fn message(out: &mut BytesMut, tag: u8, parts: &[&[u8]]) {
    let length = 4 + parts.iter().map(|p| p.len()).sum::<usize>();
    out.put_u8(tag);
    out.put_u32(length as u32);
    parts.iter().for_each(|part| out.put_slice(part));
}

/// Whether `sql` starts, after blanks and `--` comments, with one of [`REWRITTEN_KEYWORDS`].
fn starts_with_keyword(mut sql: &str) -> bool {
    loop {
        sql = sql.trim_start();
        match sql.strip_prefix("--") {
            Some(comment) => sql = comment.split_once('\n').map_or("", |(_, rest)| rest),
            None => break,
        }
    }
    let word = sql
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    REWRITTEN_KEYWORDS
        .iter()
        .any(|keyword| word.eq_ignore_ascii_case(keyword))
}

/// Whether an ErrorResponse to a Bind of a named statement says the server connection lacks it
/// (`26000`) or must plan it anew for another result type (`0A000`, "cached plan must not change
/// result type"): either way the server ran nothing.
fn must_prepare(message: &[u8]) -> bool {
    let mut fields = &message[5..];
    while let Some((&kind, rest)) = fields.split_first() {
        let Some(end) = rest.iter().position(|&b| b == 0) else {
            return false;
        };
        if kind == b'C' {
            return matches!(&rest[..end], b"26000" | b"0A000");
        }
        fields = &rest[end + 1..];
    }
    false
}

impl<S: AsyncWrite + Unpin> NamedStatements<S> {
    /// Writes what waits for the server.
    fn poll_send(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.to_server.is_empty() {
            let written = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.to_server))?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.to_server.advance(written);
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for NamedStatements<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if !this.to_client.is_empty() {
                let n = this.to_client.len().min(buf.remaining());
                buf.put_slice(&this.to_client.split_to(n));
                return Poll::Ready(Ok(()));
            }
            // A retry queued by the last answer goes out as soon as it can.
            if let Poll::Ready(Err(error)) = this.poll_send(cx) {
                return Poll::Ready(Err(error));
            }
            let mut read = ReadBuf::new(&mut this.chunk);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut read))?;
            if read.filled().is_empty() {
                return Poll::Ready(Ok(()));
            }
            let filled = read.filled().len();
            this.from_server.extend_from_slice(&this.chunk[..filled]);
            this.take_from_server();
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for NamedStatements<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.to_server.len() >= HIGH_WATER {
            ready!(this.poll_send(cx))?;
        }
        this.take_from_client(data);
        if let Poll::Ready(Err(error)) = this.poll_send(cx) {
            return Poll::Ready(Err(error));
        }
        Poll::Ready(Ok(data.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_send(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        // The client is going (its Terminate may be held): what waits goes out as it is.
        for message in std::mem::take(&mut this.held) {
            this.to_server.extend_from_slice(&message);
        }
        ready!(this.poll_send(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[tokio::test]
    async fn writes_wait_for_the_socket_past_the_high_water_mark() {
        let (near, mut far) = tokio::io::duplex(4096);
        let mut stream = NamedStatements::new(near);
        // A startup packet (no encryption asked) and then a long one: all of it passes as it is.
        let mut sent = vec![0, 0, 0, 8, 0, 3, 0, 0];
        sent.extend((0..HIGH_WATER * 2).map(|i| i as u8));
        let reader = tokio::spawn(async move {
            let mut received = vec![0; HIGH_WATER * 2 + 8];
            far.read_exact(&mut received).await.unwrap();
            // AuthenticationOk.
            far.write_all(b"R\0\0\0\x08\0\0\0\0").await.unwrap();
            received
        });
        stream.write_all(&sent).await.unwrap();
        stream.flush().await.unwrap();
        assert_eq!(reader.await.unwrap(), sent);
        let mut answer = [0; 9];
        stream.read_exact(&mut answer).await.unwrap();
        assert_eq!(&answer, b"R\0\0\0\x08\0\0\0\0");
        stream.shutdown().await.unwrap();
        assert_eq!(stream.counts().named(), 0);
    }

    #[tokio::test]
    async fn a_request_for_encryption_leaves_the_stream_as_it_is() {
        let (near, mut far) = tokio::io::duplex(4096);
        let mut stream = NamedStatements::new(near);
        let ssl_request = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];
        stream.write_all(&ssl_request).await.unwrap();
        let mut received = [0; 8];
        far.read_exact(&mut received).await.unwrap();
        assert_eq!(received, ssl_request);
        // Encrypted bytes from here on: nothing is read as messages.
        far.write_all(b"SP\0\0\0\x04").await.unwrap();
        let mut answer = [0; 6];
        stream.read_exact(&mut answer).await.unwrap();
        assert_eq!(&answer, b"SP\0\0\0\x04");
        stream.write_all(b"P\0\0\0\x04").await.unwrap();
        let mut passed = [0; 5];
        far.read_exact(&mut passed).await.unwrap();
        assert_eq!(&passed, b"P\0\0\0\x04");
    }

    #[test]
    fn error_codes_that_mean_prepare_again() {
        let error = |code: &[u8]| [b"E\0\0\0\0SERROR\0C", code, b"\0Mmessage\0\0"].concat();
        assert!(must_prepare(&error(b"26000")));
        assert!(must_prepare(&error(b"0A000")));
        assert!(!must_prepare(&error(b"23505")));
        assert!(!must_prepare(b"E\0\0\0\0SERROR\0\0"));
        assert!(!must_prepare(b"E\0\0\0\0Cunterminated"));
    }

    #[test]
    fn keywords_after_blanks_and_comments() {
        assert!(starts_with_keyword("  -- name: x\n\tselect 1"));
        assert!(starts_with_keyword("WITH a AS (SELECT 1) SELECT * FROM a"));
        assert!(!starts_with_keyword("BEGIN"));
        assert!(!starts_with_keyword("-- only a comment"));
        assert!(!starts_with_keyword("(SELECT 1)"));
        assert!(!starts_with_keyword("CALL p()"));
    }
}
