//! The PostgreSQL server of this test process: `DATABASE_URL`, or a throwaway one started on first use.

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};
use std::{env, fs};

/// How to reach the server, connected to a database that is always there
/// (CREATE DATABASE and DROP DATABASE are sent from it).
pub(crate) struct Server {
    pub(crate) admin: tokio_postgres::Config,
    /// The same server over TCP, when it listens there (see [`listen_on_tcp`]).
    pub(crate) tcp: Option<tokio_postgres::Config>,
    /// The throwaway server's folder (data, socket, logs); `None` with `DATABASE_URL`.
    pub(crate) dir: Option<PathBuf>,
}

static TCP_WANTED: AtomicBool = AtomicBool::new(false);

/// Makes the throwaway server also listen on TCP at 127.0.0.1 (a free port, password auth with a
/// random password), for benchmarks that compare transports. Call it before the first
/// [`crate::fresh_db`]; a server already started is not changed. With `DATABASE_URL`, TCP is
/// available when that URL names a TCP host.
pub fn listen_on_tcp() {
    TCP_WANTED.store(true, Ordering::SeqCst);
}

/// The server, started on the first call.
///
/// The start blocks the calling thread for a second or two, which is fine in a
/// test: every `#[tokio::test]` has its own thread and runtime.
/// A failed start is remembered, so every test of the process fails with the same
/// message instead of retrying initdb.
pub(crate) fn server() -> &'static Server {
    static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
    started(&SERVER, start)
}

/// What `cell` holds once `start` ran (on the first call only); a failed start panics with its
/// message, the same one on every call.
pub(crate) fn started<T>(
    cell: &'static OnceLock<Result<T, String>>,
    start: fn() -> Result<T, String>,
) -> &'static T {
    match cell.get_or_init(start) {
        Ok(value) => value,
        Err(message) => panic!("{message}"),
    }
}

fn start() -> Result<Server, String> {
    if let Some(url) = env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
    {
        let admin = url.parse::<tokio_postgres::Config>().map_err(|error| {
            format!("testsupport: DATABASE_URL is not a valid connection string: {error}")
        })?;
        let tcp = admin
            .get_hosts()
            .iter()
            .all(|host| matches!(host, tokio_postgres::config::Host::Tcp(_)))
            .then(|| admin.clone());
        return Ok(Server {
            admin,
            tcp,
            dir: None,
        });
    }
    start_throwaway(TCP_WANTED.load(Ordering::SeqCst))
}

/// Without TCP, the port only names the socket file: nothing listens on TCP, and the
/// socket lives in a folder of its own, so every test process can use the same number.
const PORT: u16 = 5432;
const SUPERUSER: &str = "postgres";
/// Tries at a free TCP port, which another process may take between our check and the start.
const TCP_ATTEMPTS: usize = 5;

fn start_throwaway(tcp: bool) -> Result<Server, String> {
    let bin_dir = find_bin_dir()?;
    let as_postgres = running_as_root();
    let dir = make_private_dir(as_postgres)?;
    let data = dir.join("data");
    let pg_ctl = bin_dir.join("pg_ctl");

    // The watchdog starts before the server so that no moment exists in which a
    // dying test process could leave a running server behind.
    spawn_watchdog(&pg_ctl, &data, &dir, as_postgres)?;

    let mut initdb = pg_command(&bin_dir.join("initdb"), as_postgres, &dir);
    initdb.arg("--pgdata").arg(&data).args([
        "--username",
        SUPERUSER,
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C",
        "--no-sync",
    ]);
    // Over TCP any local user could connect, so TCP needs the superuser's password, a random
    // one that only this process knows (the file is deleted right after initdb).
    let password = if tcp {
        let password = random_password()?;
        let file = dir.join("password");
        // Readable by its owner only (the folder is private too).
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&file)
            .and_then(|mut f| std::io::Write::write_all(&mut f, password.as_bytes()))
            .map_err(|error| format!("testsupport: cannot write the password file: {error}"))?;
        if as_postgres {
            let mut chown = Command::new("chown");
            chown.arg(format!("{SUPERUSER}:{SUPERUSER}")).arg(&file);
            run(chown, "chown")?;
        }
        initdb
            .args([
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--pwfile",
            ])
            .arg(&file);
        Some((password, file))
    } else {
        None
    };
    let initialised = run(initdb, "initdb");
    if let Some((_, file)) = &password {
        let _ = fs::remove_file(file);
    }
    initialised?;

    let log = dir.join("postgres.log");
    let mut attempt = 0;
    let port = loop {
        attempt += 1;
        let (port, listen) = if tcp {
            (free_tcp_port()?, "127.0.0.1")
        } else {
            (PORT, "")
        };
        // Durability is worthless for a database that is deleted at exit; giving it up
        // makes CREATE DATABASE and every commit much cheaper.
        let options = format!(
            "-k {} -p {port} -c listen_addresses='{listen}' -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=300",
            dir.display()
        );
        let mut start = pg_command(&pg_ctl, as_postgres, &dir);
        start
            .arg("start")
            .arg("--pgdata")
            .arg(&data)
            .arg("--log")
            .arg(&log)
            .args(["--wait", "--timeout=60", "--options"])
            .arg(options);
        match run(start, "pg_ctl start") {
            Ok(()) => break port,
            Err(message) => {
                let log_text = fs::read_to_string(&log).unwrap_or_default();
                let port_taken = log_text.contains("could not bind");
                if !(tcp && port_taken && attempt < TCP_ATTEMPTS) {
                    return Err(format!("{message}\nserver log:\n{log_text}"));
                }
            }
        }
    };

    let mut admin = tokio_postgres::Config::new();
    admin
        .host_path(&dir)
        .port(port)
        .user(SUPERUSER)
        .dbname("postgres");
    let tcp = password.map(|(password, _)| {
        let mut tcp = tokio_postgres::Config::new();
        tcp.host("127.0.0.1")
            .port(port)
            .user(SUPERUSER)
            .password(password)
            .dbname("postgres");
        tcp
    });
    Ok(Server {
        admin,
        tcp,
        dir: Some(dir),
    })
}

/// The throwaway server's folder, which holds its data, its unix socket and its logs (and
/// PgBouncer's, see [`crate::TestDb::pooler_config`]); `None` when `DATABASE_URL` names the server.
///
/// The folder is private (mode 0700, owned by the user the server runs as): the socket in it
/// accepts the superuser without a password, so no other local user may reach it.
pub fn server_dir() -> Option<&'static Path> {
    server().dir.as_deref()
}

/// A port nothing listens on now, from the kernel's ephemeral range.
pub(crate) fn free_tcp_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|error| format!("testsupport: cannot find a free TCP port: {error}"))
}

/// 32 hex digits from the kernel's random source.
fn random_password() -> Result<String, String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut bytes))
        .map_err(|error| format!("testsupport: cannot read /dev/urandom: {error}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The folder with initdb, pg_ctl and postgres: `pg_config --bindir`, else the
/// newest `/usr/lib/postgresql/<version>/bin` (Debian keeps them off the PATH).
fn find_bin_dir() -> Result<PathBuf, String> {
    let has_server = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if output.status.success() && has_server(&dir) {
            return Ok(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| has_server(dir))
        .collect();
    versions.sort();
    versions.pop().map(|(_, dir)| dir).ok_or_else(|| {
        "testsupport: no PostgreSQL server found: DATABASE_URL is not set, and neither \
         `pg_config --bindir` nor /usr/lib/postgresql/*/bin has initdb and pg_ctl; \
         install PostgreSQL (Debian: apt-get install postgresql) or set DATABASE_URL"
            .to_owned()
    })
}

/// initdb and postgres refuse to run as root, so as root they run as the
/// `postgres` system user.
pub(crate) fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// A new folder for the data directory and the socket, readable, writable and searchable by
/// its owner only (0700): the server trusts every connection on its unix socket, so the folder
/// is what keeps other local users out. As root, the owner is the `postgres` user.
pub(crate) fn make_private_dir(as_postgres: bool) -> Result<PathBuf, String> {
    // Memory-backed /dev/shm makes CREATE DATABASE about ten times faster than a
    // disk (it copies the whole template). Unix socket paths are limited to about
    // 100 bytes, and as root the folder must be reachable by the postgres user,
    // hence /tmp rather than an arbitrary $TMPDIR as the fallback.
    let temp_dir = env::temp_dir();
    let temp_dir_fits = !as_postgres && temp_dir.as_os_str().len() <= 60;
    let mut bases = vec![PathBuf::from("/dev/shm")];
    bases.extend(temp_dir_fits.then_some(temp_dir));
    bases.push(PathBuf::from("/tmp"));

    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    let name = format!("sqlgen-testpg-{}-{nanos:08x}", std::process::id());
    let mut failures = Vec::new();
    let dir = bases
        .iter()
        .filter(|base| base.is_dir())
        .map(|base| base.join(&name))
        // Created with mode 0700 (the umask can only take bits away), so the folder is never
        // open to others, not even between its creation and a chmod.
        .find(|dir| match fs::DirBuilder::new().mode(0o700).create(dir) {
            Ok(()) => true,
            Err(error) => {
                failures.push(format!("`{}`: {error}", dir.display()));
                false
            }
        })
        .ok_or_else(|| {
            format!(
                "testsupport: cannot create a folder for the server: {}",
                failures.join(", ")
            )
        })?;
    if as_postgres {
        let mut chown = Command::new("chown");
        chown.arg(format!("{SUPERUSER}:{SUPERUSER}")).arg(&dir);
        run(chown, "chown").map_err(|message| {
            format!("{message}\ntestsupport runs PostgreSQL as the `postgres` user when run as root; does that user exist?")
        })?;
    }
    // Say so loudly if anything (an ACL default, a strange filesystem) left it open.
    let mode = fs::metadata(&dir)
        .map_err(|error| format!("testsupport: cannot read `{}`: {error}", dir.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(format!(
            "testsupport: `{}` has mode {:o}, not 0700",
            dir.display(),
            mode & 0o777
        ));
    }
    Ok(dir)
}

/// A detached shell that waits for this process to end, then stops the server
/// and deletes its folder: statics are never dropped, so nothing inside the test
/// process can do it.
fn spawn_watchdog(pg_ctl: &Path, data: &Path, dir: &Path, as_postgres: bool) -> Result<(), String> {
    // Paths travel as positional parameters, so no quoting is needed.
    const SCRIPT: &str = r#"
        pid=$1 pg_ctl=$2 data=$3 dir=$4 as_postgres=$5
        while kill -0 "$pid" 2>/dev/null; do sleep 1; done
        if [ -f "$data/postmaster.pid" ]; then
            if [ "$as_postgres" = 1 ]; then
                runuser -u postgres -- "$pg_ctl" stop -D "$data" -m immediate ||
                    su -s /bin/sh postgres -c 'exec "$0" stop -D "$1" -m immediate' "$pg_ctl" "$data"
            else
                "$pg_ctl" stop -D "$data" -m immediate
            fi
        fi
        rm -rf "$dir"
    "#;
    let as_postgres = if as_postgres { "1" } else { "0" };
    spawn_watchdog_script(
        SCRIPT,
        &[
            pg_ctl.as_os_str(),
            data.as_os_str(),
            dir.as_os_str(),
            as_postgres.as_ref(),
        ],
    )
}

/// Runs `script` in a detached shell, with this process's id as `$1` and `args` after it.
pub(crate) fn spawn_watchdog_script(script: &str, args: &[&std::ffi::OsStr]) -> Result<(), String> {
    let mut watchdog = Command::new("sh");
    watchdog
        .args(["-c", script, "sqlgen-testsupport-watchdog"])
        .arg(std::process::id().to_string())
        .args(args)
        // Inherited pipes would keep cargo (or a `| tee`) waiting for the watchdog.
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // Its own process group, so the Ctrl-C that ends the test run does not end the
    // watchdog before it has stopped the server (pg_ctl detaches the server too).
    std::os::unix::process::CommandExt::process_group(&mut watchdog, 0);
    watchdog
        .spawn()
        .map_err(|error| format!("testsupport: cannot start the watchdog shell: {error}"))?;
    Ok(())
}

/// `program` run directly, or as the postgres user when we are root.
pub(crate) fn pg_command(program: &Path, as_postgres: bool, cwd: &Path) -> Command {
    let mut command = if !as_postgres {
        Command::new(program)
    } else if let Some(runuser) = find_runuser() {
        let mut command = Command::new(runuser);
        command.args(["-u", SUPERUSER, "--"]).arg(program);
        command
    } else {
        let mut command = Command::new("su");
        command
            .args(["-s", "/bin/sh", SUPERUSER, "-c", r#"exec "$0" "$@""#])
            .arg(program);
        command
    };
    // The postgres user may not be allowed into our working directory, and initdb
    // fails when it cannot resolve it.
    command.current_dir(cwd);
    command
}

fn find_runuser() -> Option<PathBuf> {
    let path = env::var_os("PATH").unwrap_or_default();
    env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from))
        .map(|dir| dir.join("runuser"))
        .find(|candidate| candidate.is_file())
}

pub(crate) fn run(mut command: Command, what: &str) -> Result<(), String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("testsupport: cannot run {what}: {error}"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "testsupport: {what} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}
