//! [`NamedStatements`]: the transport under a [`crate::PoolerClient`] that runs its statements,
//! outside transactions, as statements named after their content, prepared once per server
//! connection.
//!
//! tokio-postgres names the statements it prepares (`s0`, `s1`... from a per-process counter)
//! and binds them by that name, so behind a transaction pooler the Bind may reach a server
//! connection that never saw the statement, or one where another process's `s3` is something
//! else. A [`crate::PoolerClient`] still prepares each SQL text once, in a learning transaction
//! that deallocates it again, and then binds it by tokio-postgres's name: this layer, between
//! tokio-postgres and the socket, watches that Parse and the server's description of it (the
//! parameter and column types), and renames each later Bind of the statement to `sqlgen_` and
//! 128 bits of the SHA-256 of its SQL text, parameter types and column types. The same name
//! means the same statement, with the same types, whichever process or server connection
//! prepared it.
//!
//! When the server connection the pooler picked lacks the statement (`26000`), the server has run
//! nothing; the layer then prepares it there with Close, a named Parse, a Describe and a Flush (no
//! Sync: the pooler keeps the session on that server connection until the next Sync), checks the
//! server's description against the types in the name, and only then sends the Bind again. A
//! statement whose types changed since the client learned them (a column altered) is closed again
//! and refused with `0A000`, "cached plan must not change result type", which the client answers
//! by learning the statement again; a named statement whose plan no longer fits its stored result
//! types fails with that same error from the server.
//!
//! The name applies only where a failed Bind cannot hurt: outside a transaction (the server's last
//! ReadyForQuery said idle), with nothing but renamed statements in flight, to statements that
//! cannot change the transaction state (they start with SELECT, WITH, INSERT, UPDATE, DELETE,
//! VALUES, TABLE or MERGE). Inside a transaction the same check runs with the unnamed statement.
//! Everything else passes through unchanged, and waits while renamed statements are in flight, so
//! that a statement prepared again never runs after it. Answers reach tokio-postgres in the order
//! it sent its requests. A connection that asks for TLS or GSS encryption is passed through
//! unchanged (the layer would sit under the encryption), and its client uses unnamed statements.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt::Write as _;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::task::{ready, Context, Poll};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The first word of the SQL text of a statement that may be named.
const NAMED_KEYWORDS: [&str; 8] = [
    "SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "VALUES", "TABLE", "MERGE",
];
/// The codes of SSLRequest and GSSENCRequest.
const ENCRYPTION_REQUESTS: [u32; 2] = [80_877_103, 80_877_104];
/// Stop taking bytes from tokio-postgres while this many wait for the socket.
const HIGH_WATER: usize = 256 * 1024;
const SYNC: &[u8] = b"S\0\0\0\x04";
const FLUSH: &[u8] = b"H\0\0\0\x04";
/// Close of the unnamed statement: what tokio-postgres's Close of a renamed statement becomes.
const CLOSE_UNNAMED: &[u8] = b"C\0\0\0\x06S\0";

/// The answer to a statement whose types changed since the client learned them.
static CHANGED: LazyLock<Bytes> = LazyLock::new(|| {
    let mut error = BytesMut::new();
    message(
        &mut error,
        b'E',
        &[
            b"SERROR\0VERROR\0C0A000\0Mcached plan must not change result type \
              (sqlgen: the statement's parameter or column types changed since this \
              client learned them)\0\0",
        ],
    );
    error.freeze()
});

/// A stream to a PostgreSQL server or a pooler that runs the statements a
/// [`crate::PoolerClient`] learned as statements named after their content; see
/// [`crate::PoolerClient::connect`], which uses it, and [`crate::PoolerClient::connect_raw`] to
/// connect one over a stream of your own.
pub struct NamedStatements<S> {
    inner: S,
    phase: Phase,
    /// Bytes from tokio-postgres that do not make a whole message yet.
    from_client: BytesMut,
    /// A Bind of a learned statement and the messages after it, up to its Sync.
    group: Option<Group>,
    /// Messages and groups that wait for those in flight.
    held: VecDeque<Item>,
    to_server: BytesMut,
    from_server: BytesMut,
    to_client: BytesMut,
    /// The server's last ReadyForQuery said it is outside a transaction.
    idle: bool,
    /// Passed requests in flight (each ends with a Sync or a simple Query), in the order sent:
    /// for each Describe among them, the statement to learn from its answer.
    passed: VecDeque<VecDeque<Option<Capture>>>,
    /// The same, for the request being passed.
    describes: VecDeque<Option<Capture>>,
    /// The parameter types of the statement being learned, until its columns come.
    described_params: Option<Bytes>,
    /// The server is taking COPY data.
    copy_in: bool,
    /// Renamed statements in flight, in the order tokio-postgres sent them.
    renamed: VecDeque<Request>,
    /// Their attempts, in the order the server answers them.
    attempts: VecDeque<u64>,
    /// A statement is being prepared and checked: the session must stay on its server
    /// connection, so nothing else may go out until its Bind or Sync does.
    checking: bool,
    /// Statements found missing, waiting to be prepared (one at a time, with nothing in flight).
    waiting: VecDeque<u64>,
    next_id: u64,
    counts: Arc<Counts>,
    /// Named Parses of announced SQL texts, by statement name: their bodies (SQL text and
    /// parameter types), until they are described.
    parses: HashMap<Bytes, Bytes>,
    /// Learned statements, by tokio-postgres's name.
    learned: HashMap<Bytes, Arc<Shape>, Fast>,
    /// Where the socket's bytes are read into (kept, so that no read zeroes a buffer).
    chunk: Box<[u8]>,
}

/// What a [`NamedStatements`] stream did, readable while tokio-postgres owns the stream, and what
/// its client tells it.
#[derive(Debug, Default)]
pub struct Counts {
    named: AtomicU64,
    reprepared: AtomicU64,
    /// The session started unencrypted, so statements can be renamed.
    active: AtomicBool,
    /// SQL texts the client is about to learn: their Parses are watched.
    announced: Mutex<HashSet<String>>,
}

impl Counts {
    /// How many statements went out as a Bind of a statement named after its content.
    pub fn named(&self) -> u64 {
        self.named.load(Ordering::Relaxed)
    }

    /// How many of those the server connection lacked, so that they were prepared again.
    pub fn reprepared(&self) -> u64 {
        self.reprepared.load(Ordering::Relaxed)
    }

    /// Whether the stream renames statements: the session started and asked for no encryption.
    pub(crate) fn active(&self) -> bool {
        self.active.load(Ordering::Relaxed)
    }

    /// Tells the stream that the client is about to prepare `sql`: watch its Parse and learn its
    /// types. Returns whether the stream will rename its Binds.
    pub(crate) fn announce(&self, sql: &str) -> bool {
        let nameable = self.active() && starts_with_keyword(sql);
        if nameable {
            self.announced().insert(sql.to_owned());
        }
        nameable
    }

    fn announced(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.announced
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before the first message of the session: is it a request for encryption?
    First,
    /// Authentication, until the server's first ReadyForQuery.
    Startup,
    Ready,
    /// Encrypted: bytes pass as they are.
    Transparent,
}

/// A learned statement: its content name and the messages that prepare and check it.
struct Shape {
    name: Box<[u8]>,
    /// The body of the server's ParameterDescription.
    params: Bytes,
    /// The type OID of each column of its RowDescription.
    columns: Vec<u32>,
    /// Close, Parse and Describe under the content name, then Flush.
    check_named: Bytes,
    /// Parse and Describe of the unnamed statement, then Flush.
    check_unnamed: Bytes,
    /// Close under the content name, then Sync: for a statement whose types no longer match.
    close_named: Bytes,
}

impl Shape {
    fn new(body: &[u8], params: Bytes, columns: Vec<u32>) -> Shape {
        let mut digest = Sha256::new();
        digest.update(body);
        digest.update(&params);
        columns
            .iter()
            .for_each(|oid| digest.update(oid.to_be_bytes()));
        let mut name = String::from("sqlgen_");
        for byte in &digest.finalize()[..16] {
            let _ = write!(name, "{byte:02x}");
        }
        let name = name.as_bytes();
        let mut check_named = BytesMut::new();
        message(&mut check_named, b'C', &[b"S", name, b"\0"]);
        message(&mut check_named, b'P', &[name, b"\0", body]);
        message(&mut check_named, b'D', &[b"S", name, b"\0"]);
        check_named.extend_from_slice(FLUSH);
        let mut check_unnamed = BytesMut::new();
        message(&mut check_unnamed, b'P', &[b"\0", body]);
        message(&mut check_unnamed, b'D', &[b"S\0"]);
        check_unnamed.extend_from_slice(FLUSH);
        let mut close_named = BytesMut::new();
        message(&mut close_named, b'C', &[b"S", name, b"\0"]);
        close_named.extend_from_slice(SYNC);
        Shape {
            name: name.into(),
            params,
            columns,
            check_named: check_named.freeze(),
            check_unnamed: check_unnamed.freeze(),
            close_named: close_named.freeze(),
        }
    }
}

/// A Describe of an announced statement: its name and its Parse body.
struct Capture {
    statement: Bytes,
    body: Bytes,
}

/// A Bind of a learned statement being collected, with the messages after it up to the Sync.
struct Group {
    shape: Arc<Shape>,
    bytes: BytesMut,
    /// Where the statement's name lies in the Bind.
    name: (usize, usize),
}

/// A collected [`Group`].
struct Bound {
    shape: Arc<Shape>,
    /// The Bind and what follows it, as tokio-postgres sent them.
    group: Bytes,
    name: (usize, usize),
}

/// What waits to go to the server.
enum Item {
    Pass(Bytes),
    Learned(Bound),
}

struct Request {
    id: u64,
    bound: Bound,
    stage: Stage,
    /// Its answer, waiting for the requests sent before it to be answered.
    answer: BytesMut,
    done: bool,
}

impl Bound {
    /// The Bind, naming `statement`, and the messages after it.
    fn bind_as(&self, statement: &[u8], out: &mut BytesMut) {
        let (start, end) = self.name;
        let bind_end = message_length(&self.group).unwrap_or(self.group.len());
        let length = bind_end - 1 - (end - start) + statement.len();
        out.put_u8(b'B');
        out.put_u32(length as u32);
        out.put_slice(&self.group[5..start]);
        out.put_slice(statement);
        out.put_slice(&self.group[end..]);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Bind of the named statement sent, nothing heard yet.
    Sent,
    /// The server connection lacked the statement: skip the rest of the answer, then prepare it.
    Missing,
    /// Prepared (named or not) and described, with a Flush: the description is being checked.
    Checking { named: bool, params: bool },
    /// The answer passes to tokio-postgres.
    Answering,
    /// The description did not match: the answer is the error that says so.
    Refused,
}

impl<S> NamedStatements<S> {
    /// Wraps `inner`, before anything was sent on it.
    pub fn new(inner: S) -> Self {
        NamedStatements {
            inner,
            phase: Phase::First,
            from_client: BytesMut::new(),
            group: None,
            held: VecDeque::new(),
            to_server: BytesMut::new(),
            from_server: BytesMut::new(),
            to_client: BytesMut::new(),
            idle: false,
            passed: VecDeque::new(),
            describes: VecDeque::new(),
            described_params: None,
            copy_in: false,
            renamed: VecDeque::new(),
            attempts: VecDeque::new(),
            checking: false,
            waiting: VecDeque::new(),
            next_id: 0,
            counts: Arc::default(),
            parses: HashMap::new(),
            learned: HashMap::default(),
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
        if let Some(group) = &mut self.group {
            group.bytes.extend_from_slice(message);
            // tokio-postgres follows a Bind with an Execute and a Sync.
            if !b"BDEH".contains(&message[0]) {
                let Group { shape, bytes, name } = self.group.take().unwrap();
                self.submit(Item::Learned(Bound {
                    shape,
                    group: bytes.freeze(),
                    name,
                }));
            }
            return;
        }
        if message[0] == b'B' {
            if let Some((shape, name)) = self.learned_bind(message) {
                let mut bytes = BytesMut::with_capacity(message.len() + 32);
                bytes.extend_from_slice(message);
                self.group = Some(Group { shape, bytes, name });
                return;
            }
        }
        if self.held.is_empty() && self.renamed.is_empty() {
            self.pass(message);
        } else {
            self.held
                .push_back(Item::Pass(Bytes::copy_from_slice(message)));
        }
    }

    /// The learned statement a Bind names, and where the name lies in it.
    fn learned_bind(&self, bind: &[u8]) -> Option<(Arc<Shape>, (usize, usize))> {
        if self.learned.is_empty() {
            return None;
        }
        let start = 5 + bind[5..].iter().position(|&b| b == 0)? + 1;
        let end = start + bind[start..].iter().position(|&b| b == 0)?;
        let shape = self.learned.get(&bind[start..end])?;
        Some((Arc::clone(shape), (start, end)))
    }

    fn submit(&mut self, item: Item) {
        if self.held.is_empty() && self.can_send(&item) {
            self.send(item);
        } else {
            self.held.push_back(item);
        }
    }

    fn can_send(&self, item: &Item) -> bool {
        match item {
            Item::Pass(_) => self.renamed.is_empty(),
            Item::Learned(..) => {
                self.passed.is_empty()
                    && !self.copy_in
                    && !self.checking
                    && self.waiting.is_empty()
                    && (self.idle || self.renamed.is_empty())
            }
        }
    }

    fn send(&mut self, item: Item) {
        let bound = match item {
            Item::Pass(message) => return self.pass(&message),
            Item::Learned(bound) => bound,
        };
        let id = self.next_id;
        self.next_id += 1;
        let stage = if self.idle {
            self.counts.named.fetch_add(1, Ordering::Relaxed);
            bound.bind_as(&bound.shape.name, &mut self.to_server);
            Stage::Sent
        } else {
            // Inside a transaction a failed Bind would abort it: the unnamed statement, checked.
            self.to_server.extend_from_slice(&bound.shape.check_unnamed);
            self.checking = true;
            Stage::Checking {
                named: false,
                params: false,
            }
        };
        self.attempts.push_back(id);
        self.renamed.push_back(Request {
            id,
            bound,
            stage,
            answer: BytesMut::new(),
            done: false,
        });
    }

    /// A message that goes to the server unchanged (but for the Close of a learned statement),
    /// noting what its answers will say.
    fn pass(&mut self, message: &[u8]) {
        match message[0] {
            b'P' => self.note_parse(message),
            b'D' => {
                let capture = match message.get(5) {
                    Some(b'S') => cstr(&message[6..]).and_then(|name| {
                        let (statement, body) = self.parses.remove_entry(name)?;
                        Some(Capture { statement, body })
                    }),
                    _ => None,
                };
                self.describes.push_back(capture);
            }
            b'C' if message.get(5) == Some(&b'S') => {
                let name = cstr(&message[6..]).unwrap_or_default();
                // Deallocated by its learning transaction long ago, and another process's
                // statement of the same name may live on this server connection.
                if self.learned.remove(name).is_some() {
                    self.to_server.extend_from_slice(CLOSE_UNNAMED);
                    return;
                }
            }
            b'S' | b'Q' => self.passed.push_back(std::mem::take(&mut self.describes)),
            b'c' | b'f' => self.copy_in = false,
            _ => {}
        }
        self.to_server.extend_from_slice(message);
    }

    /// A named Parse of an announced SQL text is remembered until its Describe.
    fn note_parse(&mut self, parse: &[u8]) {
        let Some(name) = cstr(&parse[5..]).filter(|name| !name.is_empty()) else {
            return;
        };
        let body = &parse[5 + name.len() + 1..];
        let Some(sql) = cstr(body).and_then(|sql| std::str::from_utf8(sql).ok()) else {
            return;
        };
        if self.counts.announced().remove(sql) {
            self.parses
                .insert(Bytes::copy_from_slice(name), Bytes::copy_from_slice(body));
        }
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
                self.counts.active.store(true, Ordering::Relaxed);
            }
            self.to_client.extend_from_slice(message);
        } else if self.renamed.is_empty() {
            self.to_client.extend_from_slice(message);
            self.note_answer(message);
        } else {
            self.answer(message);
        }
    }

    /// A message answering passed requests.
    fn note_answer(&mut self, message: &[u8]) {
        match message[0] {
            b'Z' => {
                self.passed.pop_front();
                self.idle = message.get(5) == Some(&b'I');
                self.release();
            }
            // The Sync sent with the Execute of a COPY FROM STDIN is ignored by the server in
            // COPY mode, so it is owed no ReadyForQuery.
            b'G' => {
                self.passed.pop_front();
                self.copy_in = true;
            }
            b't' => {
                let learning = self
                    .passed
                    .front()
                    .and_then(VecDeque::front)
                    .is_some_and(Option::is_some);
                if learning {
                    self.described_params = Some(Bytes::copy_from_slice(&message[5..]));
                }
            }
            b'T' | b'n' => {
                let capture = self.passed.front_mut().and_then(VecDeque::pop_front);
                if let (Some(Some(capture)), Some(params)) = (capture, self.described_params.take())
                {
                    if let Some(columns) = column_types(message) {
                        let shape = Shape::new(&capture.body, params, columns);
                        self.learned.insert(capture.statement, Arc::new(shape));
                    }
                }
            }
            _ => {}
        }
    }

    /// A message answering the renamed statement at the head of the server's order.
    fn answer(&mut self, message: &[u8]) {
        let Some(&id) = self.attempts.front() else {
            // Nothing asked for it: a notice or a parameter change between statements.
            self.to_client.extend_from_slice(message);
            return;
        };
        let at = self.renamed.iter().position(|r| r.id == id).unwrap();
        let request = &mut self.renamed[at];
        // The first request in tokio-postgres's order has had its earlier answers delivered: the
        // rest of its own goes straight on.
        let out = if at == 0 {
            &mut self.to_client
        } else {
            &mut request.answer
        };
        let tag = message[0];
        let was_checking = self.checking;
        if matches!(tag, b'N' | b'A' | b'S') {
            out.extend_from_slice(message);
            return;
        }
        match request.stage {
            Stage::Sent if tag == b'E' && error_code(message) == Some(b"26000") => {
                request.stage = Stage::Missing;
            }
            Stage::Sent | Stage::Answering => {
                out.extend_from_slice(message);
                request.stage = Stage::Answering;
            }
            Stage::Missing => {}
            Stage::Checking { .. } if tag == b'E' => {
                // The statement does not parse any more: its error is the answer, and the
                // server skips to the Sync that ends the check.
                out.extend_from_slice(message);
                self.to_server.extend_from_slice(SYNC);
                request.stage = Stage::Answering;
                self.checking = false;
            }
            Stage::Checking { named, .. } if tag == b't' => {
                let params = message[5..] == request.bound.shape.params[..];
                request.stage = Stage::Checking { named, params };
            }
            Stage::Checking { named, params } if matches!(tag, b'T' | b'n') => {
                let same =
                    params && column_types(message).as_ref() == Some(&request.bound.shape.columns);
                if same {
                    let statement: &[u8] = if named {
                        &request.bound.shape.name
                    } else {
                        b""
                    };
                    request.bound.bind_as(statement, &mut self.to_server);
                    request.stage = Stage::Answering;
                } else {
                    let end = if named {
                        &request.bound.shape.close_named
                    } else {
                        SYNC
                    };
                    self.to_server.extend_from_slice(end);
                    request.stage = Stage::Refused;
                }
                self.checking = false;
            }
            // CloseComplete and ParseComplete of the check.
            Stage::Checking { .. } => {}
            Stage::Refused if tag == b'Z' => {
                out.extend_from_slice(&CHANGED);
                out.extend_from_slice(message);
            }
            Stage::Refused => {}
        }
        if tag != b'Z' {
            // A check that ended sent its Bind or its Sync: what waited may follow.
            if was_checking && !self.checking {
                self.release();
            }
            return;
        }
        self.idle = message.get(5) == Some(&b'I');
        self.attempts.pop_front();
        let request = &mut self.renamed[at];
        if request.stage == Stage::Missing {
            self.waiting.push_back(id);
        } else {
            request.done = true;
        }
        self.deliver();
    }

    /// Answers, in the order tokio-postgres asked; then whatever can go out next.
    fn deliver(&mut self) {
        while let Some(head) = self.renamed.front_mut() {
            self.to_client.extend_from_slice(&head.answer.split());
            if !head.done {
                break;
            }
            self.renamed.pop_front();
        }
        self.release();
    }

    /// Sends what may go now: the check of a missing statement, once nothing is in flight, then
    /// what was held.
    fn release(&mut self) {
        if !self.checking && self.attempts.is_empty() {
            if let Some(id) = self.waiting.pop_front() {
                let request = self.renamed.iter_mut().find(|r| r.id == id).unwrap();
                request.stage = Stage::Checking {
                    named: true,
                    params: false,
                };
                self.to_server
                    .extend_from_slice(&request.bound.shape.check_named);
                self.checking = true;
                self.attempts.push_back(id);
                self.counts.reprepared.fetch_add(1, Ordering::Relaxed);
            }
        }
        while let Some(item) = self.held.front() {
            if !self.can_send(item) {
                break;
            }
            let item = self.held.pop_front().unwrap();
            self.send(item);
        }
    }
}

/// The length of the whole message at the start of `data` (tag, length, body), if it is all
/// there.
fn message_length(data: &[u8]) -> Option<usize> {
    let length = u32::from_be_bytes(data.get(1..5)?.try_into().unwrap()) as usize + 1;
    (data.len() >= length).then_some(length)
}

/// The NUL-terminated string at the start of `data`, without its NUL.
fn cstr(data: &[u8]) -> Option<&[u8]> {
    data.iter().position(|&b| b == 0).map(|end| &data[..end])
}

/// The type OID of each column of a RowDescription; none for NoData.
fn column_types(message: &[u8]) -> Option<Vec<u32>> {
    if message[0] == b'n' {
        return Some(Vec::new());
    }
    let mut fields = message.get(7..)?;
    let count = u16::from_be_bytes(message.get(5..7)?.try_into().unwrap());
    let mut types = Vec::with_capacity(count.into());
    for _ in 0..count {
        let name = cstr(fields)?;
        // Name, table OID (4), column number (2), then the type OID.
        let at = name.len() + 1 + 6;
        types.push(u32::from_be_bytes(
            fields.get(at..at + 4)?.try_into().unwrap(),
        ));
        // Type OID, type size (2), type modifier (4), format (2).
        fields = fields.get(at + 12..)?;
    }
    Some(types)
}

/// A multiply-rotate hash for the statement names `learned` is keyed by (8 bytes at a step, a
/// few nanoseconds, against SipHash's hundred or more): the keys come from tokio-postgres, not
/// from an adversary.
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

/// Whether `sql` starts, after blanks and `--` comments, with one of [`NAMED_KEYWORDS`].
pub(crate) fn starts_with_keyword(mut sql: &str) -> bool {
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
    NAMED_KEYWORDS
        .iter()
        .any(|keyword| word.eq_ignore_ascii_case(keyword))
}

/// The SQLSTATE of an ErrorResponse.
fn error_code(message: &[u8]) -> Option<&[u8]> {
    let mut fields = message.get(5..)?;
    while let Some((&kind, rest)) = fields.split_first() {
        let value = cstr(rest)?;
        if kind == b'C' {
            return Some(value);
        }
        fields = &rest[value.len() + 1..];
    }
    None
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
        for item in std::mem::take(&mut this.held) {
            if let Item::Pass(message) = item {
                this.to_server.extend_from_slice(&message);
            }
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
        assert!(!stream.counts().active());
        assert!(!stream.counts().announce("SELECT 1"), "nothing is renamed");
    }

    #[test]
    fn error_codes() {
        let error = |code: &[u8]| [b"E\0\0\0\0SERROR\0C", code, b"\0Mmessage\0\0"].concat();
        assert_eq!(error_code(&error(b"26000")), Some(&b"26000"[..]));
        assert_eq!(error_code(&CHANGED), Some(&b"0A000"[..]));
        assert_eq!(error_code(b"E\0\0\0\0SERROR\0\0"), None);
        assert_eq!(error_code(b"E\0\0\0\0Cunterminated"), None);
    }

    #[test]
    fn column_types_of_a_row_description() {
        let mut description = BytesMut::new();
        let field = |name: &[u8], oid: u32| {
            [
                name,
                b"\0",
                &[0, 0, 0, 0, 0, 0],
                &oid.to_be_bytes(),
                &[0; 8],
            ]
            .concat()
        };
        message(
            &mut description,
            b'T',
            &[&[0, 2], &field(b"id", 23), &field(b"body", 25)],
        );
        assert_eq!(column_types(&description), Some(vec![23, 25]));
        assert_eq!(column_types(b"n\0\0\0\x04"), Some(vec![]));
        // Cut short: no answer rather than a wrong one.
        assert_eq!(column_types(&description[..description.len() - 3]), None);
        assert_eq!(column_types(b"T\0\0\0\x06\0\x01"), None);
    }

    #[test]
    fn content_names_follow_text_and_types() {
        let body = b"SELECT $1\0\0\0";
        let params = Bytes::from_static(b"\0\x01\0\0\0\x17");
        let a = Shape::new(body, params.clone(), vec![23]);
        assert_eq!(a.name.len(), "sqlgen_".len() + 32);
        assert_eq!(a.name, Shape::new(body, params.clone(), vec![23]).name);
        assert_ne!(a.name, Shape::new(body, params.clone(), vec![25]).name);
        let other_param = Bytes::from_static(b"\0\x01\0\0\0\x19");
        assert_ne!(a.name, Shape::new(body, other_param, vec![23]).name);
        assert_ne!(a.name, Shape::new(b"SELECT 2\0\0\0", params, vec![23]).name);
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
