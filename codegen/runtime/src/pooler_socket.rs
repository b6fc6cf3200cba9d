//! The socket [`crate::PoolerClient::connect`] opens itself, so that [`NamedStatements`] can sit
//! on it (tokio-postgres's own `connect` gives no way in).

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
#[cfg(unix)]
use tokio::net::UnixStream;
use tokio_postgres::config::Host;
use tokio_postgres::Config;

/// A TCP or Unix-domain socket to a server or a pooler, as [`crate::PoolerClient::connect`]
/// opens it.
pub struct PoolerSocket(Kind);

enum Kind {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(UnixStream),
}

impl fmt::Debug for PoolerSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Kind::Tcp(_) => "PoolerSocket(tcp)",
            #[cfg(unix)]
            Kind::Unix(_) => "PoolerSocket(unix)",
        })
    }
}

/// Why [`crate::PoolerClient::connect`] failed: no socket could be opened, or the server refused
/// the session.
#[derive(Debug)]
pub enum ConnectError {
    /// No host of the configuration could be reached (the last host's error).
    Io(io::Error),
    /// The server or the pooler refused the session.
    Postgres(tokio_postgres::Error),
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::Io(error) => write!(f, "cannot reach the database: {error}"),
            ConnectError::Postgres(error) => crate::error::write_chain(f, error),
        }
    }
}

impl std::error::Error for ConnectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConnectError::Io(error) => Some(error),
            ConnectError::Postgres(error) => Some(error),
        }
    }
}

impl From<tokio_postgres::Error> for ConnectError {
    fn from(error: tokio_postgres::Error) -> Self {
        ConnectError::Postgres(error)
    }
}

/// Opens a socket to the first host of `config` that answers, as libpq and tokio-postgres try
/// them: each `host` (or `hostaddr`) with its port (one port for all, or 5432), a Unix-domain
/// host being the directory of the socket `.s.PGSQL.<port>`, within `connect_timeout` each.
/// TCP keepalive settings are not applied.
pub(crate) async fn open(config: &Config) -> io::Result<PoolerSocket> {
    let (hosts, addresses, ports) = (
        config.get_hosts(),
        config.get_hostaddrs(),
        config.get_ports(),
    );
    let mut last = io::Error::new(io::ErrorKind::InvalidInput, "no host to connect to");
    for i in 0..hosts.len().max(addresses.len()) {
        let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
        let attempt = async {
            let tcp = match (addresses.get(i), hosts.get(i)) {
                (Some(address), _) => TcpStream::connect((*address, port)).await?,
                (None, Some(Host::Tcp(host))) => TcpStream::connect((host.as_str(), port)).await?,
                #[cfg(unix)]
                (None, Some(Host::Unix(dir))) => {
                    let path = dir.join(format!(".s.PGSQL.{port}"));
                    return Ok(PoolerSocket(Kind::Unix(UnixStream::connect(path).await?)));
                }
                _ => return Err(io::ErrorKind::InvalidInput.into()),
            };
            tcp.set_nodelay(true)?;
            Ok(PoolerSocket(Kind::Tcp(tcp)))
        };
        let opened = match config.get_connect_timeout() {
            Some(limit) => tokio::time::timeout(*limit, attempt)
                .await
                .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into())),
            None => attempt.await,
        };
        match opened {
            Ok(socket) => return Ok(socket),
            Err(error) => last = error,
        }
    }
    Err(last)
}

macro_rules! each_kind {
    ($self:ident, $stream:ident => $body:expr) => {
        match &mut $self.get_mut().0 {
            Kind::Tcp($stream) => $body,
            #[cfg(unix)]
            Kind::Unix($stream) => $body,
        }
    };
}

impl AsyncRead for PoolerSocket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        each_kind!(self, s => Pin::new(s).poll_read(cx, buf))
    }
}

impl AsyncWrite for PoolerSocket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        each_kind!(self, s => Pin::new(s).poll_write(cx, data))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each_kind!(self, s => Pin::new(s).poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each_kind!(self, s => Pin::new(s).poll_shutdown(cx))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// Opens a socket as `config` says to `accept`'s listener and checks that bytes go both ways.
    async fn round_trip(
        config: &Config,
        accept: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> String {
        let server = tokio::spawn(accept);
        let mut socket = open(config).await.unwrap();
        socket.write_all(b"ping").await.unwrap();
        socket.flush().await.unwrap();
        let mut answer = [0; 4];
        socket.read_exact(&mut answer).await.unwrap();
        assert_eq!(&answer, b"pong");
        socket.shutdown().await.unwrap();
        server.await.unwrap();
        format!("{socket:?}")
    }

    async fn echo<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S) {
        let mut ping = [0; 4];
        stream.read_exact(&mut ping).await.unwrap();
        assert_eq!(&ping, b"ping");
        stream.write_all(b"pong").await.unwrap();
    }

    #[tokio::test]
    async fn tcp_by_host_and_by_address_with_a_timeout() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut config = Config::new();
        config
            .host("localhost")
            .port(port)
            .connect_timeout(Duration::from_secs(10));
        let listener = std::sync::Arc::new(listener);
        let (l1, l2) = (listener.clone(), listener.clone());
        let accept = async move { echo(l1.accept().await.unwrap().0).await };
        assert_eq!(round_trip(&config, accept).await, "PoolerSocket(tcp)");

        let mut config = Config::new();
        config.hostaddr("127.0.0.1".parse().unwrap()).port(port);
        let accept = async move { echo(l2.accept().await.unwrap().0).await };
        assert_eq!(round_trip(&config, accept).await, "PoolerSocket(tcp)");
    }

    #[tokio::test]
    async fn unix_socket_in_its_directory_after_a_host_that_fails() {
        let dir = std::env::temp_dir().join(format!("sqlgen-socket-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(".s.PGSQL.6543");
        let _ = std::fs::remove_file(&path);
        let listener = tokio::net::UnixListener::bind(&path).unwrap();
        let mut config = Config::new();
        // The first host has nothing listening: the second is tried.
        config
            .host_path(dir.join("missing"))
            .host_path(&dir)
            .port(6543);
        let accept = async move { echo(listener.accept().await.unwrap().0).await };
        assert_eq!(round_trip(&config, accept).await, "PoolerSocket(unix)");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
