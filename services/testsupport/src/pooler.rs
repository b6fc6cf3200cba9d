//! PgBouncer in transaction pooling mode in front of this process's server, started on first use.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use std::{env, fs};

use tokio_postgres::config::Host;

use crate::server::{
    free_tcp_port, make_private_dir, pg_command, run, running_as_root, server,
    spawn_watchdog_script, started,
};

/// How many server connections PgBouncer keeps per database and user: few, so that a test's
/// concurrent clients certainly share them. Servers are handed out in turn
/// (`server_round_robin`), so once the pool has opened more than one, a client's consecutive
/// transactions land on different ones.
pub const POOLER_SERVER_CONNECTIONS: usize = 2;

/// A running PgBouncer: its private folder holds its configuration, its log and the unix socket
/// it listens on.
pub(crate) struct Bouncer {
    pub(crate) dir: PathBuf,
    pub(crate) port: u16,
    pub(crate) user: String,
}

/// The process's PgBouncer, started on the first call.
///
/// # Panics
///
/// When `pgbouncer` is not installed or does not start: a pooler test must fail, never skip.
pub(crate) fn bouncer() -> &'static Bouncer {
    static BOUNCER: OnceLock<Result<Bouncer, String>> = OnceLock::new();
    started(&BOUNCER, start)
}

fn start() -> Result<Bouncer, String> {
    let binary = find_pgbouncer()?;
    let upstream = &server().admin;
    let as_postgres = running_as_root();
    // Its own private folder (0700): the socket in it accepts any client without a password
    // (`auth_type = trust`), so no other local user may reach it.
    let dir = make_private_dir(as_postgres)?;
    let user = upstream
        .get_user()
        .ok_or("testsupport: the server's connection settings name no user")?
        .to_owned();

    // Where PgBouncer finds the server: its unix socket folder or TCP host, port and password.
    let host = match upstream.get_hosts().first() {
        Some(Host::Unix(path)) => path.display().to_string(),
        Some(Host::Tcp(name)) => name.clone(),
        None => "localhost".to_owned(),
    };
    let port = upstream.get_ports().first().copied().unwrap_or(5432);
    let mut target = format!("host={} port={port} user={}", quote(&host), quote(&user));
    if let Some(password) = upstream.get_password() {
        target.push_str(&format!(
            " password={}",
            quote(&String::from_utf8_lossy(password))
        ));
    }

    // Only the unix socket: with `listen_addr` empty nothing listens on TCP. The port number
    // names the socket file; a free one keeps it apart from any other server's.
    let listen_port = free_tcp_port()?;
    let ini = format!(
        "[databases]\n\
         * = {target}\n\
         \n\
         [pgbouncer]\n\
         listen_addr =\n\
         listen_port = {listen_port}\n\
         unix_socket_dir = {dir}\n\
         unix_socket_mode = 0700\n\
         auth_type = trust\n\
         auth_file = {dir}/users.txt\n\
         pool_mode = transaction\n\
         server_round_robin = 1\n\
         default_pool_size = {POOLER_SERVER_CONNECTIONS}\n\
         min_pool_size = 0\n\
         reserve_pool_size = 0\n\
         max_client_conn = 1000\n\
         ignore_startup_parameters = extra_float_digits\n\
         logfile = {dir}/pgbouncer.log\n\
         pidfile = {dir}/pgbouncer.pid\n",
        dir = dir.display()
    );
    // `trust` still needs the user listed; with an empty password, which nothing checks.
    write_private(
        &dir.join("users.txt"),
        &format!("{} \"\"\n", quote_user(&user)),
    )?;
    write_private(&dir.join("pgbouncer.ini"), &ini)?;
    if as_postgres {
        let mut chown = Command::new("chown");
        chown.args(["-R", "postgres:postgres"]).arg(&dir);
        run(chown, "chown")?;
    }

    spawn_watchdog(&dir)?;
    let mut command = pg_command(&binary, as_postgres, &dir);
    command.arg("-d").arg(dir.join("pgbouncer.ini"));
    run(command, "pgbouncer").map_err(|message| {
        let log = fs::read_to_string(dir.join("pgbouncer.log")).unwrap_or_default();
        format!("{message}\npgbouncer log:\n{log}")
    })?;

    // `-d` returns once the daemon forked; wait for its socket.
    let socket = dir.join(format!(".s.PGSQL.{listen_port}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while !socket.exists() {
        if Instant::now() > deadline {
            let log = fs::read_to_string(dir.join("pgbouncer.log")).unwrap_or_default();
            return Err(format!(
                "testsupport: pgbouncer did not create `{}` within 20 s\npgbouncer log:\n{log}",
                socket.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(Bouncer {
        dir,
        port: listen_port,
        user,
    })
}

/// `pgbouncer` on the PATH, else where Debian puts it.
fn find_pgbouncer() -> Result<PathBuf, String> {
    let path = env::var_os("PATH").unwrap_or_default();
    env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"].map(PathBuf::from))
        .map(|dir| dir.join("pgbouncer"))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| {
            "testsupport: pgbouncer not found on the PATH nor in /usr/sbin: the pooler tests \
             need it (Debian: apt-get install pgbouncer; .ci/run installs it)"
                .to_owned()
        })
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|error| format!("testsupport: cannot write `{}`: {error}", path.display()))
}

/// A value of a libpq connection string, in single quotes.
fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// A name in PgBouncer's auth file, in double quotes.
fn quote_user(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A detached shell that waits for this process to end, then stops PgBouncer and deletes its
/// folder (see `server::spawn_watchdog`).
fn spawn_watchdog(dir: &Path) -> Result<(), String> {
    const SCRIPT: &str = r#"
        pid=$1 dir=$2
        while kill -0 "$pid" 2>/dev/null; do sleep 1; done
        if [ -f "$dir/pgbouncer.pid" ]; then
            kill -INT "$(cat "$dir/pgbouncer.pid")" 2>/dev/null
            sleep 1
        fi
        rm -rf "$dir"
    "#;
    spawn_watchdog_script(SCRIPT, &[dir.as_os_str()])
}
