//! A private PostgreSQL cluster for development and tests.
//!
//! When no `DATABASE_URL` is set, the program (and the test harness) can run
//! its own PostgreSQL server from the machine's PostgreSQL binaries, so that a
//! newcomer needs no database setup at all:
//!
//! ```no_run
//! # fn main() -> Result<(), parkcert::pgcluster::ClusterError> {
//! let cluster = parkcert::pgcluster::Cluster::start(std::path::Path::new("var/pg"))?;
//! cluster.ensure_database("parkcert")?;
//! let url = cluster.url("parkcert");
//! // ... connect with sqlx ...
//! cluster.stop()?;
//! # Ok(()) }
//! ```
//!
//! How it works:
//!
//! * `initdb`, `pg_ctl` and `postgres` are looked up on `PATH`, then under
//!   `/usr/lib/postgresql/*/bin` (highest version first).
//! * The data directory is created with `initdb` when it is absent or empty
//!   (UTF8, `--no-locale`, superuser [`SUPERUSER`]) and reused otherwise.
//!   TCP connections need a password (`scram-sha-256`); the server listens on
//!   127.0.0.1 only and has no Unix socket, so `trust`/`peer` never apply.
//! * The superuser's password is random (32 ASCII letters and digits, so URLs
//!   need no encoding) and is kept in [`PASSWORD_FILE`] inside the data
//!   directory, mode 0600, owned by the user the server runs as. If that file
//!   is missing (say, it was deleted), a new password is generated and set
//!   through single-user mode on the next start.
//! * Each start picks a free loopback port and writes it to [`PORT_FILE`], which
//!   `postgresql.conf` includes, with the listen settings in the configuration
//!   itself: a server restarted by hand comes up the same way, and
//!   [`Cluster::stop`] stops it too. The server runs detached (its own
//!   session, started by `pg_ctl`), with its output in [`LOG_FILE`] inside the
//!   data directory, so it never holds our stdout/stderr open.
//! * A stale `postmaster.pid` is handled before starting: if its process is
//!   gone (or is not a postgres serving this directory), the file is removed;
//!   if it is a postgres of this very directory (our process was SIGKILLed and
//!   the server kept running), that server is stopped with `pg_ctl stop -m fast`
//!   and started again. Restarting instead of adopting it means every running
//!   server was started with the settings above and a port chosen by us.
//! * As root (`initdb` refuses to run as root), every PostgreSQL program runs
//!   as the unprivileged `postgres` user and the data directory belongs to it.
//! * The server is stopped by [`Cluster::stop`], by dropping the [`Cluster`],
//!   and, as a safety net, by a small watchdog process when the process that
//!   started it exits in any way (even SIGKILL or a `static` that is never
//!   dropped): the watchdog holds the read end of a pipe whose write end only
//!   this process has, and sends a fast-shutdown signal at end of file.
//!
//! One [`Cluster`] per data directory at a time: two processes starting the
//! same directory would stop each other's server.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, Metadata};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;
use nix::sys::signal::kill;
use nix::unistd::{Gid, Pid, Uid, User, chown};
use rand::Rng;
use rand::distributions::Alphanumeric;

/// Name of the superuser role created by `initdb`.
pub const SUPERUSER: &str = "postgres";
/// File inside the data directory that holds the superuser's password.
pub const PASSWORD_FILE: &str = "parkcert-superuser.password";
/// File inside the data directory that receives the server's output.
pub const LOG_FILE: &str = "server.log";
/// The port of the last start, included from `postgresql.conf`: a server started by hand
/// (`pg_ctl start -D …`) comes up where the program left it, not on 5432.
pub const PORT_FILE: &str = "parkcert-port.conf";
const PORT_INCLUDE: &str = "include_if_exists = 'parkcert-port.conf'";
/// What `pg_ctl start -o` hands the postmaster (one string: pg_ctl passes it through /bin/sh,
/// hence the quotes around ''). The same settings are in the configuration for a start by hand.
const SERVER_OPTIONS: &str = "-c listen_addresses=127.0.0.1 -c unix_socket_directories=''";
/// The unprivileged user PostgreSQL runs as when we are root.
pub const RUN_AS_WHEN_ROOT: &str = "postgres";

const SERVER_PROGRAMS: [&str; 3] = ["initdb", "pg_ctl", "postgres"];
const VERSIONED_INSTALL_ROOT: &str = "/usr/lib/postgresql";
/// Another process may take the port between our probe and the server's bind.
const START_ATTEMPTS: u32 = 5;
/// Seconds `pg_ctl` waits for start-up and shutdown (crash recovery can be slow).
const PG_CTL_TIMEOUT_SECS: u32 = 120;
const LOG_ROTATE_BYTES: u64 = 16 * 1024 * 1024;
const PASSWORD_LEN: usize = 32;

/// Everything that can go wrong while running the private cluster.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "PostgreSQL server programs (initdb, pg_ctl, postgres) were not found on PATH or under \
         {VERSIONED_INSTALL_ROOT}/*/bin; install them (Debian/Ubuntu: `apt-get install postgresql`) \
         or set DATABASE_URL to use an existing PostgreSQL server"
    )]
    BinariesNotFound,

    #[error(
        "the PostgreSQL client program `{program}` was not found in {} or on PATH; install it \
         (Debian/Ubuntu: `apt-get install postgresql-client`) or set DATABASE_URL to use an \
         existing PostgreSQL server",
        bin_dir.display()
    )]
    ClientNotFound {
        program: &'static str,
        bin_dir: PathBuf,
    },

    #[error(
        "running as root, but there is no unprivileged user `{user}` to run PostgreSQL as \
         (initdb refuses to run as root); install PostgreSQL (Debian/Ubuntu: `apt-get install \
         postgresql` creates the user), create the user, or set DATABASE_URL to use an existing \
         PostgreSQL server"
    )]
    NoRunAsUser { user: String },

    #[error("cannot look up user `{user}`: {source}")]
    UserLookup {
        user: String,
        #[source]
        source: nix::Error,
    },

    #[error(
        "the PostgreSQL data directory {} cannot be reached by user `{user}`, who runs the \
         server: directory {} (owner uid {owner}, mode {mode:04o}) is not traversable by it; \
         choose a data directory elsewhere, allow traversal (e.g. `chmod o+x {}`), or set \
         DATABASE_URL to use an existing PostgreSQL server",
        data_dir.display(), dir.display(), dir.display()
    )]
    NotTraversable {
        user: String,
        dir: PathBuf,
        data_dir: PathBuf,
        owner: u32,
        mode: u32,
    },

    #[error(
        "{} is not empty but is not a PostgreSQL data directory (it has no PG_VERSION file); \
         pass an empty or absent directory, or an existing data directory",
        path.display()
    )]
    NotADataDir { path: PathBuf },

    #[error(
        "the PostgreSQL data directory {} belongs to uid {owner}, but the server must run as \
         user `{user}` (uid {uid}); change its owner (`chown -R {user} {}`) or remove it to \
         start afresh",
        path.display(), path.display()
    )]
    WrongOwner {
        path: PathBuf,
        owner: u32,
        user: String,
        uid: u32,
    },

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },

    #[error("`{command}` failed ({status}){}", if output.is_empty() { String::new() } else { format!(":\n{output}") })]
    CommandFailed {
        command: String,
        status: String,
        output: String,
    },

    #[error(
        "PostgreSQL in {} did not start: {detail}\n--- end of {} ---\n{log_tail}",
        data_dir.display(), log.display()
    )]
    StartFailed {
        data_dir: PathBuf,
        log: PathBuf,
        detail: String,
        log_tail: String,
    },

    #[error(
        "PostgreSQL in {} reported ready but does not accept TCP connections on 127.0.0.1:{port}",
        data_dir.display()
    )]
    NotAccepting { data_dir: PathBuf, port: u16 },

    #[error(
        "a server from an earlier run is still running in {} (PID {pid}) and could not be stopped: {detail}",
        data_dir.display()
    )]
    StaleServer {
        data_dir: PathBuf,
        pid: i32,
        detail: String,
    },

    #[error("invalid database name {name:?}: use 1 to 63 ASCII letters, digits, `_` or `-`")]
    InvalidDatabaseName { name: String },
}

fn io_context(context: impl Into<String>) -> impl FnOnce(io::Error) -> ClusterError {
    let context = context.into();
    move |source| ClusterError::Io { context, source }
}

/// A running private PostgreSQL server. Stopped by [`Cluster::stop`] or on drop.
pub struct Cluster {
    setup: Setup,
    port: u16,
    password: String,
    postmaster_pid: i32,
    state: Mutex<State>,
}

struct State {
    stopped: bool,
    /// Stops the server when this process exits; see the module docs.
    watchdog: Option<Child>,
}

/// What is fixed before the server starts: where things are, who runs them.
struct Setup {
    data_dir: PathBuf,
    bin_dir: PathBuf,
    run_as: Option<RunAs>,
}

#[derive(Debug, Clone)]
struct RunAs {
    name: String,
    uid: Uid,
    gid: Gid,
}

impl std::fmt::Debug for Cluster {
    // Hand-written so that the password never ends up in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("data_dir", &self.setup.data_dir)
            .field("port", &self.port)
            .field("superuser", &SUPERUSER)
            .field("bin_dir", &self.setup.bin_dir)
            .field("run_as", &self.setup.run_as.as_ref().map(|u| &u.name))
            .field("postmaster_pid", &self.postmaster_pid)
            .finish_non_exhaustive()
    }
}

impl Cluster {
    /// Initialise (if needed) and start the cluster in `data_dir`; returns once
    /// it accepts connections.
    pub fn start(data_dir: &Path) -> Result<Cluster, ClusterError> {
        let bin_dir = find_bin_dir()?;
        let run_as = run_as_user()?;
        let data_dir = prepare_data_dir(data_dir, run_as.as_ref())?;
        let setup = Setup {
            data_dir,
            bin_dir,
            run_as,
        };
        if !setup.data_dir.join("PG_VERSION").exists() {
            setup.initdb()?;
        }
        setup.recover_pid_file()?;
        let password = setup.ensure_password()?;
        let (port, postmaster_pid) = setup.start_server()?;
        let watchdog = match setup.spawn_watchdog(postmaster_pid) {
            Ok(child) => Some(child),
            Err(err) => {
                // Not fatal: stop() and Drop still work; only the exit safety net is missing.
                tracing::warn!(error = %err, "cannot start the PostgreSQL watchdog process");
                None
            }
        };
        tracing::info!(
            data_dir = %setup.data_dir.display(),
            port,
            pid = postmaster_pid,
            "private PostgreSQL server started"
        );
        Ok(Cluster {
            setup,
            port,
            password,
            postmaster_pid,
            state: Mutex::new(State {
                stopped: false,
                watchdog,
            }),
        })
    }

    /// `postgres://USER:PASSWORD@127.0.0.1:PORT/DATABASE`.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{}:{}@127.0.0.1:{}/{}",
            percent_encode(SUPERUSER),
            percent_encode(&self.password),
            self.port,
            percent_encode(database)
        )
    }

    /// A client program of this installation (pg_dump, pg_restore, psql…): beside the server's
    /// programs, else on PATH.
    pub fn tool(&self, name: &'static str) -> Result<PathBuf, ClusterError> {
        self.setup.client_program(name)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The data directory, absolute and with symbolic links resolved.
    pub fn data_dir(&self) -> &Path {
        &self.setup.data_dir
    }

    pub fn superuser(&self) -> &str {
        SUPERUSER
    }

    pub fn password(&self) -> &str {
        &self.password
    }

    /// The server's log file (inside the data directory).
    pub fn log_file(&self) -> PathBuf {
        self.setup.data_dir.join(LOG_FILE)
    }

    /// PID of the postmaster process.
    pub fn postmaster_pid(&self) -> i32 {
        self.postmaster_pid
    }

    /// Creates database `name` (owned by the superuser) unless it exists.
    ///
    /// Runs `psql` over TCP with the superuser's password, as the user the
    /// server runs as. Names are restricted to ASCII letters, digits, `_` and
    /// `-` so that they need no quoting anywhere. Safe to call concurrently.
    pub fn ensure_database(&self, name: &str) -> Result<(), ClusterError> {
        if !is_valid_database_name(name) {
            return Err(ClusterError::InvalidDatabaseName {
                name: name.to_owned(),
            });
        }
        if self.database_exists(name)? {
            return Ok(());
        }
        match self.psql(&format!("CREATE DATABASE \"{name}\"")) {
            Ok(_) => Ok(()),
            // Another caller may have created it in between.
            Err(err) => match self.database_exists(name) {
                Ok(true) => Ok(()),
                _ => Err(err),
            },
        }
    }

    fn database_exists(&self, name: &str) -> Result<bool, ClusterError> {
        let out = self.psql(&format!(
            "SELECT 1 FROM pg_database WHERE datname = '{name}'"
        ))?;
        Ok(String::from_utf8_lossy(&out.stdout).trim() == "1")
    }

    fn psql(&self, sql: &str) -> Result<Output, ClusterError> {
        let psql = self.setup.client_program("psql")?;
        let mut cmd = self.setup.command(&psql);
        cmd.args([
            "-X",
            "-q",
            "-t",
            "-A",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
        ])
        .arg("-p")
        .arg(self.port.to_string())
        .args(["-U", SUPERUSER, "-d", "postgres", "-c", sql])
        // In the environment rather than in a URL argument, which `ps` would show.
        .env("PGPASSWORD", &self.password)
        .env("PGCONNECT_TIMEOUT", "10");
        run(cmd)
    }

    /// Stops the server (`pg_ctl stop -m fast`). Idempotent; does nothing if
    /// the server is already gone or the directory now serves another server.
    pub fn stop(&self) -> Result<(), ClusterError> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.stopped {
            return Ok(());
        }
        self.setup
            .stop_server(Some((self.postmaster_pid, self.port)))?;
        state.stopped = true;
        if let Some(mut watchdog) = state.watchdog.take() {
            // End of file tells it to exit; the server is gone, so it sends nothing.
            drop(watchdog.stdin.take());
            let _ = watchdog.wait();
        }
        tracing::info!(data_dir = %self.setup.data_dir.display(), "private PostgreSQL server stopped");
        Ok(())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Err(err) = self.stop() {
            tracing::warn!(error = %err, "cannot stop the private PostgreSQL server");
        }
    }
}

impl Setup {
    fn program(&self, name: &str) -> PathBuf {
        self.bin_dir.join(name)
    }

    fn client_program(&self, name: &'static str) -> Result<PathBuf, ClusterError> {
        let beside = self.bin_dir.join(name);
        if is_executable(&beside) {
            return Ok(beside);
        }
        std::env::var_os("PATH")
            .iter()
            .flat_map(std::env::split_paths)
            .map(|dir| dir.join(name))
            .find(|p| is_executable(p))
            .ok_or_else(|| ClusterError::ClientNotFound {
                program: name,
                bin_dir: self.bin_dir.clone(),
            })
    }

    /// A command for a PostgreSQL program, run as the server's user, with no
    /// inherited PG* settings and English messages.
    fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.stdin(Stdio::null()).current_dir("/");
        for (key, _) in std::env::vars_os() {
            // PGDATA, PGPORT, PGHOST, PGUSER … from the caller's shell would
            // redirect the tools away from our cluster.
            if key.as_encoded_bytes().starts_with(b"PG") {
                cmd.env_remove(key);
            }
        }
        cmd.env("LC_ALL", "C");
        if let Some(user) = &self.run_as {
            // std drops all supplementary groups (setgroups(0)) when it
            // changes the uid while the real uid is 0 and no groups were set
            // explicitly, so root's groups do not leak. A pre_exec setgroups
            // would be too late: std runs pre_exec hooks after setuid.
            cmd.uid(user.uid.as_raw())
                .gid(user.gid.as_raw())
                .env("HOME", &self.data_dir)
                .env("USER", &user.name)
                .env("LOGNAME", &user.name);
        }
        cmd
    }

    fn initdb(&self) -> Result<(), ClusterError> {
        tracing::info!(data_dir = %self.data_dir.display(), "creating a PostgreSQL cluster");
        let mut cmd = self.command(&self.program("initdb"));
        cmd.arg("-D")
            .arg(&self.data_dir)
            .arg(format!("--username={SUPERUSER}"))
            .args(["--encoding=UTF8", "--no-locale"])
            // TCP needs a password. There is no Unix socket at all, so the
            // `local` lines never apply; peer is the safe choice for them
            // (and, unlike scram, needs no password at initdb time: the
            // password is set in `ensure_password`, never written to a
            // temporary file).
            .args(["--auth-host=scram-sha-256", "--auth-local=peer"]);
        run(cmd)?;
        // Also written into the configuration so that a server started by
        // hand from this directory stays private too.
        let conf = self.data_dir.join("postgresql.conf");
        let mut file = fs::OpenOptions::new()
            .append(true)
            .open(&conf)
            .map_err(io_context(format!("cannot open {}", conf.display())))?;
        file.write_all(
            b"\n# Added by parkcert: a private server, reachable only over loopback TCP.\n\
              listen_addresses = '127.0.0.1'\n\
              unix_socket_directories = ''\n",
        )
        .map_err(io_context(format!("cannot write {}", conf.display())))?;
        Ok(())
    }

    /// Writes `port` where `postgresql.conf` reads it (adding the include to a configuration
    /// written before there was one), so every start, ours or by hand, uses the same settings.
    fn write_port(&self, port: u16) -> Result<(), ClusterError> {
        let conf = self.data_dir.join("postgresql.conf");
        let text = fs::read_to_string(&conf)
            .map_err(io_context(format!("cannot read {}", conf.display())))?;
        if !text.lines().any(|l| l.trim() == PORT_INCLUDE) {
            let mut file = fs::OpenOptions::new()
                .append(true)
                .open(&conf)
                .map_err(io_context(format!("cannot open {}", conf.display())))?;
            file.write_all(
                format!("\n# The port parkcert last chose.\n{PORT_INCLUDE}\n").as_bytes(),
            )
            .map_err(io_context(format!("cannot write {}", conf.display())))?;
        }
        let path = self.data_dir.join(PORT_FILE);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(err) => return Err(io_context(format!("cannot remove {}", path.display()))(err)),
        }
        self.write_private_file(&path, format!("port = {port}\n").as_bytes())
    }

    /// Reads the superuser's password, or sets a new one if the file is missing.
    fn ensure_password(&self) -> Result<String, ClusterError> {
        let path = self.data_dir.join(PASSWORD_FILE);
        match fs::read_to_string(&path) {
            Ok(text) => {
                let password = text.trim_end_matches(['\n', '\r']);
                if !password.is_empty() {
                    return Ok(password.to_owned());
                }
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(err) => return Err(io_context(format!("cannot read {}", path.display()))(err)),
        }
        tracing::info!(data_dir = %self.data_dir.display(), "setting a new superuser password");
        let password = generate_password();
        // Written first under a temporary name and renamed only once the role
        // has the password, so the final file never holds a wrong password.
        let tmp = self.data_dir.join(format!("{PASSWORD_FILE}.tmp"));
        let _ = fs::remove_file(&tmp);
        self.write_private_file(&tmp, format!("{password}\n").as_bytes())?;
        // Single-user mode needs no connection and hence no password; the
        // server is not running at this point (recover_pid_file ran before).
        let mut cmd = self.command(&self.program("postgres"));
        cmd.arg("--single")
            .arg("-D")
            .arg(&self.data_dir)
            .arg("postgres")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let description = describe(&cmd);
        let mut child = cmd
            .spawn()
            .map_err(io_context(format!("cannot run `{description}`")))?;
        let sql = format!("ALTER ROLE \"{SUPERUSER}\" PASSWORD '{password}';\n");
        let written = child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(sql.as_bytes());
        let output = child
            .wait_with_output()
            .map_err(io_context(format!("cannot run `{description}`")))?;
        let text = combined_output(&output);
        // Single-user mode exits 0 even when a statement fails.
        if written.is_err() || !output.status.success() || text.contains("ERROR:") {
            let _ = fs::remove_file(&tmp);
            return Err(ClusterError::CommandFailed {
                command: description,
                status: output.status.to_string(),
                output: text,
            });
        }
        fs::rename(&tmp, &path).map_err(io_context(format!(
            "cannot rename {} to {}",
            tmp.display(),
            path.display()
        )))?;
        Ok(password)
    }

    /// Creates `path` with mode 0600, owned by the server's user.
    fn write_private_file(&self, path: &Path, contents: &[u8]) -> Result<(), ClusterError> {
        let context = || format!("cannot write {}", path.display());
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(io_context(context()))?;
        if let Some(user) = &self.run_as {
            chown(path, Some(user.uid), Some(user.gid))
                .map_err(|e| io_context(context())(io::Error::from(e)))?;
        }
        file.write_all(contents)
            .and_then(|()| file.sync_all())
            .map_err(io_context(context()))
    }

    /// Deals with a `postmaster.pid` left behind by an earlier run.
    fn recover_pid_file(&self) -> Result<(), ClusterError> {
        let path = self.data_dir.join("postmaster.pid");
        let contents = match fs::read_to_string(&path) {
            Ok(contents) => contents,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(io_context(format!("cannot read {}", path.display()))(err)),
        };
        match parse_postmaster_pid(&contents) {
            Some(pid_file)
                if process_alive(pid_file.pid) && is_postgres_of(pid_file.pid, &self.data_dir) =>
            {
                tracing::warn!(
                    pid = pid_file.pid,
                    data_dir = %self.data_dir.display(),
                    "stopping a PostgreSQL server left running by an earlier run"
                );
                self.stop_server(None)
                    .map_err(|err| ClusterError::StaleServer {
                        data_dir: self.data_dir.clone(),
                        pid: pid_file.pid,
                        detail: err.to_string(),
                    })
            }
            parsed => {
                // Dead, unparsable, or a PID now used by an unrelated process:
                // postgres would refuse to start while the file exists.
                tracing::warn!(
                    pid = parsed.map(|p| p.pid),
                    "removing a stale postmaster.pid"
                );
                match fs::remove_file(&path) {
                    Ok(()) => Ok(()),
                    Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
                    Err(err) => Err(io_context(format!("cannot remove {}", path.display()))(err)),
                }
            }
        }
    }

    /// Starts the server on a free port; returns the port and the postmaster's PID.
    fn start_server(&self) -> Result<(u16, i32), ClusterError> {
        let log = self.data_dir.join(LOG_FILE);
        rotate_log(&log);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = free_loopback_port()?;
            let log_start = fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
            self.write_port(port)?;
            let mut cmd = self.command(&self.program("pg_ctl"));
            cmd.arg("start")
                .arg("-D")
                .arg(&self.data_dir)
                .arg("-l")
                .arg(&log)
                .args(["-w", "-s", "-t", &PG_CTL_TIMEOUT_SECS.to_string()])
                .arg("-o")
                .arg(SERVER_OPTIONS)
                // pg_ctl itself (while it waits) must not get our terminal's
                // Ctrl-C; the postmaster it forks calls setsid() on its own.
                .process_group(0);
            match run(cmd) {
                Ok(_) => {
                    let pid = self.read_postmaster_pid()?;
                    wait_until_accepting(port).map_err(|_| ClusterError::NotAccepting {
                        data_dir: self.data_dir.clone(),
                        port,
                    })?;
                    return Ok((port, pid));
                }
                Err(err) => {
                    let log_tail = read_log_since(&log, log_start);
                    let port_taken =
                        log_tail.contains("could not bind") || log_tail.contains("already in use");
                    // pg_ctl may give up waiting while the server is still
                    // coming up; leave nothing running behind an error.
                    if self.data_dir.join("postmaster.pid").exists() {
                        let _ = self.stop_server(None);
                    }
                    if port_taken && attempt < START_ATTEMPTS {
                        tracing::debug!(port, "port taken meanwhile, trying another one");
                        continue;
                    }
                    return Err(ClusterError::StartFailed {
                        data_dir: self.data_dir.clone(),
                        log,
                        detail: err.to_string(),
                        log_tail,
                    });
                }
            }
        }
    }

    fn read_postmaster_pid(&self) -> Result<i32, ClusterError> {
        let path = self.data_dir.join("postmaster.pid");
        let contents = fs::read_to_string(&path)
            .map_err(io_context(format!("cannot read {}", path.display())))?;
        parse_postmaster_pid(&contents)
            .map(|p| p.pid)
            .ok_or_else(|| ClusterError::Io {
                context: format!("cannot parse {}", path.display()),
                source: io::Error::new(io::ErrorKind::InvalidData, "no PID on its first line"),
            })
    }

    /// `pg_ctl stop -m fast`. With `expected_pid`, only stops that server
    /// (so a late stop() cannot stop a newer server of the same directory).
    ///
    /// A server of the directory with another PID but our port was restarted by hand (an
    /// operator's `pg_ctl restart`): it is ours and is stopped too.
    fn stop_server(&self, ours: Option<(i32, u16)>) -> Result<(), ClusterError> {
        let pid_path = self.data_dir.join("postmaster.pid");
        let running = match fs::read_to_string(&pid_path) {
            Ok(contents) => parse_postmaster_pid(&contents),
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(err) => {
                return Err(io_context(format!("cannot read {}", pid_path.display()))(
                    err,
                ));
            }
        };
        if let (Some((pid, port)), Some(running)) = (ours, &running)
            && running.pid != pid
            && running.port != Some(port)
        {
            return Ok(());
        }
        let running = running.map(|p| p.pid);
        // Killed without cleaning up: nothing to stop, and pg_ctl would fail
        // to signal it. The next start removes the stale file.
        if running.is_some_and(|pid| !process_alive(pid)) {
            return Ok(());
        }
        let mut cmd = self.command(&self.program("pg_ctl"));
        cmd.arg("stop")
            .arg("-D")
            .arg(&self.data_dir)
            .args([
                "-m",
                "fast",
                "-w",
                "-s",
                "-t",
                &PG_CTL_TIMEOUT_SECS.to_string(),
            ])
            .process_group(0);
        match run(cmd) {
            Ok(_) => Ok(()),
            // Stopped by someone else (the watchdog, a human) in the meantime.
            Err(_) if !pid_path.exists() => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// A detached `sh` that waits for end of file on its stdin, which happens
    /// when this process has exited (or closed the pipe in `Cluster::stop`),
    /// and then asks the postmaster for a fast shutdown if it is still the
    /// server of this directory.
    fn spawn_watchdog(&self, postmaster_pid: i32) -> io::Result<Child> {
        const SCRIPT: &str = r#"read -r _ignored
pid=$(head -n 1 "$1/postmaster.pid" 2>/dev/null)
[ "$pid" = "$2" ] && kill -INT "$2"
exit 0"#;
        let mut cmd = self.command(Path::new("/bin/sh"));
        cmd.args(["-c", SCRIPT, "parkcert-pg-watchdog"])
            .arg(&self.data_dir)
            .arg(postmaster_pid.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        cmd.spawn()
    }
}

/// Runs a command to completion, capturing its output; non-zero exit is an error.
fn run(mut cmd: Command) -> Result<Output, ClusterError> {
    let description = describe(&cmd);
    let output = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(io_context(format!("cannot run `{description}`")))?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(ClusterError::CommandFailed {
            command: description,
            status: output.status.to_string(),
            output: combined_output(&output),
        })
    }
}

/// Program and arguments, without the environment (which may hold PGPASSWORD).
fn describe(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

fn combined_output(output: &Output) -> String {
    let mut text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !stderr.trim().is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(stderr.trim());
    }
    text
}

/// The directory holding `initdb`, `pg_ctl` and `postgres`.
pub fn find_bin_dir() -> Result<PathBuf, ClusterError> {
    find_bin_dir_in(
        std::env::var_os("PATH").as_deref(),
        Path::new(VERSIONED_INSTALL_ROOT),
    )
    .ok_or(ClusterError::BinariesNotFound)
}

/// `PATH` first (the user's explicit choice), then `versions_root/*/bin`,
/// highest version first.
fn find_bin_dir_in(path_var: Option<&OsStr>, versions_root: &Path) -> Option<PathBuf> {
    let on_path = path_var
        .into_iter()
        .flat_map(std::env::split_paths)
        .filter(|dir| dir.is_absolute());
    on_path
        .chain(versioned_bin_dirs(versions_root))
        .find_map(|dir| server_bin_dir(&dir))
}

fn versioned_bin_dirs(root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(root) else {
        return Vec::new();
    };
    let mut versions: Vec<(Vec<u32>, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = parse_version(&entry.file_name())?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort_by(|a, b| b.0.cmp(&a.0));
    versions.into_iter().map(|(_, dir)| dir).collect()
}

/// "15" → [15], "9.6" → [9, 6]; anything else is not a version directory.
fn parse_version(name: &OsStr) -> Option<Vec<u32>> {
    name.to_str()?
        .split('.')
        .map(|part| part.parse::<u32>().ok())
        .collect()
}

/// `dir` if it holds all server programs. Symbolic links (Debian users often
/// link them into /usr/local/bin) are resolved so that all programs come from
/// one installation: pg_ctl looks for `postgres` beside its real location.
fn server_bin_dir(dir: &Path) -> Option<PathBuf> {
    let has_all = |d: &Path| SERVER_PROGRAMS.iter().all(|p| is_executable(&d.join(p)));
    if !has_all(dir) {
        return None;
    }
    let real_dir = fs::canonicalize(dir.join("pg_ctl"))
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf));
    match real_dir {
        Some(real) if has_all(&real) => Some(real),
        _ => Some(dir.to_path_buf()),
    }
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// `Some(postgres user)` when we are root, `None` to run as ourselves.
fn run_as_user() -> Result<Option<RunAs>, ClusterError> {
    if !Uid::effective().is_root() {
        return Ok(None);
    }
    let user = User::from_name(RUN_AS_WHEN_ROOT)
        .map_err(|source| ClusterError::UserLookup {
            user: RUN_AS_WHEN_ROOT.to_owned(),
            source,
        })?
        .ok_or_else(|| ClusterError::NoRunAsUser {
            user: RUN_AS_WHEN_ROOT.to_owned(),
        })?;
    if user.uid.is_root() {
        return Err(ClusterError::NoRunAsUser {
            user: RUN_AS_WHEN_ROOT.to_owned(),
        });
    }
    Ok(Some(RunAs {
        name: user.name,
        uid: user.uid,
        gid: user.gid,
    }))
}

/// Makes `data_dir` absolute, creates it (and missing parents), and checks
/// that the server's user can reach and own it. Returns the canonical path.
fn prepare_data_dir(data_dir: &Path, run_as: Option<&RunAs>) -> Result<PathBuf, ClusterError> {
    let absolute = if data_dir.is_absolute() {
        data_dir.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(io_context("cannot determine the current directory"))?
            .join(data_dir)
    };
    // Parents we create must be traversable by the server's user whatever
    // our umask, hence the explicit chmod.
    let mut missing: Vec<&Path> = absolute
        .ancestors()
        .skip(1)
        .take_while(|dir| !dir.exists())
        .collect();
    missing.reverse();
    for dir in missing {
        match fs::DirBuilder::new().mode(0o755).create(dir) {
            Ok(()) => {
                fs::set_permissions(dir, fs::Permissions::from_mode(0o755))
                    .map_err(io_context(format!("cannot chmod {}", dir.display())))?;
            }
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(io_context(format!("cannot create {}", dir.display()))(err)),
        }
    }
    match fs::DirBuilder::new().mode(0o700).create(&absolute) {
        Ok(()) => {}
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
        Err(err) => {
            return Err(io_context(format!("cannot create {}", absolute.display()))(
                err,
            ));
        }
    }
    let data_dir = fs::canonicalize(&absolute)
        .map_err(io_context(format!("cannot resolve {}", absolute.display())))?;
    let meta = fs::metadata(&data_dir)
        .map_err(io_context(format!("cannot inspect {}", data_dir.display())))?;
    if !meta.is_dir() {
        return Err(ClusterError::Io {
            context: format!("cannot use {} as data directory", data_dir.display()),
            source: io::Error::new(io::ErrorKind::NotADirectory, "not a directory"),
        });
    }
    let is_cluster = data_dir.join("PG_VERSION").exists();
    let is_empty = fs::read_dir(&data_dir)
        .map_err(io_context(format!("cannot list {}", data_dir.display())))?
        .next()
        .is_none();
    if !is_cluster && !is_empty {
        return Err(ClusterError::NotADataDir { path: data_dir });
    }
    if let Some(user) = run_as {
        for dir in data_dir.ancestors().skip(1) {
            let meta = fs::metadata(dir)
                .map_err(io_context(format!("cannot inspect {}", dir.display())))?;
            if !can_traverse(&meta, user) {
                return Err(ClusterError::NotTraversable {
                    user: user.name.clone(),
                    dir: dir.to_path_buf(),
                    data_dir: data_dir.clone(),
                    owner: meta.uid(),
                    mode: meta.mode() & 0o7777,
                });
            }
        }
        if meta.uid() != user.uid.as_raw() {
            if is_empty {
                chown(&data_dir, Some(user.uid), Some(user.gid)).map_err(|e| {
                    io_context(format!(
                        "cannot chown {} to {}",
                        data_dir.display(),
                        user.name
                    ))(io::Error::from(e))
                })?;
            } else {
                return Err(ClusterError::WrongOwner {
                    path: data_dir,
                    owner: meta.uid(),
                    user: user.name.clone(),
                    uid: user.uid.as_raw(),
                });
            }
        }
    }
    Ok(data_dir)
}

fn can_traverse(meta: &Metadata, user: &RunAs) -> bool {
    mode_allows_search(
        meta.mode(),
        meta.uid(),
        meta.gid(),
        user.uid.as_raw(),
        user.gid.as_raw(),
    )
}

/// Unix permission check for "search" (x) on a directory, for a user whose
/// only group is `gid` (supplementary groups are dropped when we switch
/// users). The first matching class decides, as in the kernel.
fn mode_allows_search(mode: u32, owner: u32, group: u32, uid: u32, gid: u32) -> bool {
    if uid == owner {
        mode & 0o100 != 0
    } else if gid == group {
        mode & 0o010 != 0
    } else {
        mode & 0o001 != 0
    }
}

/// The fields of `postmaster.pid` we use.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PidFile {
    /// Line 1; negative in single-user mode, stored as its absolute value.
    pid: i32,
    /// Line 2.
    data_dir: Option<PathBuf>,
    /// Line 4 (absent while the server is still writing the file).
    port: Option<u16>,
}

fn parse_postmaster_pid(contents: &str) -> Option<PidFile> {
    let mut lines = contents.lines();
    let pid = lines.next()?.trim().parse::<i32>().ok()?.checked_abs()?;
    if pid <= 1 {
        return None;
    }
    let data_dir = lines
        .next()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(PathBuf::from);
    let port = lines
        .nth(1)
        .and_then(|line| line.trim().parse::<u16>().ok());
    Some(PidFile {
        pid,
        data_dir,
        port,
    })
}

fn process_alive(pid: i32) -> bool {
    match kill(Pid::from_raw(pid), None) {
        Ok(()) => true,
        Err(nix::errno::Errno::ESRCH) => false,
        // EPERM: it exists but belongs to someone else.
        Err(_) => true,
    }
}

/// Whether `pid` is a postgres whose working directory is `data_dir` (the
/// postmaster chdirs into its data directory), so that a recycled PID of an
/// unrelated process is never signalled.
fn is_postgres_of(pid: i32, data_dir: &Path) -> bool {
    let comm = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    if !matches!(comm.trim(), "postgres" | "postmaster") {
        return false;
    }
    // Unreadable unless the process is ours or we are root; a server we could
    // not read would not be one we started either.
    fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| cwd == data_dir)
}

fn free_loopback_port() -> Result<u16, ClusterError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(io_context("cannot find a free port on 127.0.0.1"))?;
    listener
        .local_addr()
        .map(|addr| addr.port())
        .map_err(io_context("cannot find a free port on 127.0.0.1"))
}

/// `pg_ctl -w` already waited for the "ready" state; this confirms the TCP
/// listener from our side.
fn wait_until_accepting(port: u16) -> io::Result<()> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
            Ok(_) => return Ok(()),
            Err(err) if Instant::now() >= deadline => return Err(err),
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Keeps one old generation so the log cannot grow without bound.
fn rotate_log(log: &Path) {
    if fs::metadata(log).is_ok_and(|m| m.len() > LOG_ROTATE_BYTES) {
        let mut old = OsString::from(log.as_os_str());
        old.push(".1");
        let _ = fs::rename(log, old);
    }
}

/// The log written since byte `start`, at most its last 4 KiB.
fn read_log_since(log: &Path, start: u64) -> String {
    const MAX: u64 = 4096;
    let Ok(mut file) = File::open(log) else {
        return String::from("(no log file)");
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let from = start.max(len.saturating_sub(MAX)).min(len);
    let mut bytes = Vec::new();
    if file.seek(SeekFrom::Start(from)).is_err() || file.read_to_end(&mut bytes).is_err() {
        return String::from("(unreadable log file)");
    }
    String::from_utf8_lossy(&bytes).trim().to_owned()
}

/// Letters and digits only: safe inside URLs, SQL literals and shell words.
fn generate_password() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(PASSWORD_LEN)
        .map(char::from)
        .collect()
}

fn is_valid_database_name(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Percent-encodes everything but RFC 3986 "unreserved" characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The server's private cluster (no DATABASE_URL): started in the configured directory, locked
// against a second process, with the application's own login.

/// What the server needs of its private cluster.
pub struct Private {
    pub owner_url: String,
    pub app_url: String,
    pub app_password: String,
    pub cluster: Cluster,
    pub lock: nix::fcntl::Flock<File>,
}

/// Starts (or reuses) the private cluster under `config.pg_dir` with the product's database.
pub async fn open_private(config: &crate::config::Config) -> anyhow::Result<Private> {
    use crate::server::DATABASE_NAME;
    let lock = lock_data_dir(&config.pg_dir)?;
    let dir = config.pg_dir.clone();
    let cluster = tokio::task::spawn_blocking(move || -> anyhow::Result<Cluster> {
        let cluster = Cluster::start(&dir)?;
        cluster.ensure_database(DATABASE_NAME)?;
        Ok(cluster)
    })
    .await??;
    let password = app_password(&config.pg_dir)?;
    let app_url = format!(
        "postgres://{}:{password}@127.0.0.1:{}/{DATABASE_NAME}",
        crate::db::scope::APP_LOGIN,
        cluster.port()
    );
    Ok(Private {
        owner_url: cluster.url(DATABASE_NAME),
        app_url,
        app_password: password,
        cluster,
        lock,
    })
}

/// The application login's password for the private cluster, kept beside its data directory
/// (mode 0600), made on first use.
fn app_password(pg_dir: &std::path::Path) -> anyhow::Result<String> {
    let path = pg_dir.with_extension("app-password");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let password = text.trim().to_string();
        if !password.is_empty() && password.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Ok(password);
        }
    }
    let password = uuid::Uuid::new_v4().simple().to_string();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("writing {}", path.display()))?;
    writeln!(file, "{password}")?;
    Ok(password)
}

fn lock_data_dir(pg_dir: &std::path::Path) -> anyhow::Result<nix::fcntl::Flock<std::fs::File>> {
    let lock_path = pg_dir.with_extension("lock");
    if let Some(parent) = lock_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("opening {}", lock_path.display()))?;
    nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusiveNonblock).map_err(|_| {
        anyhow::anyhow!(
            "another parkcert process is using the database in {}; stop it first, or set DATABASE_URL",
            pg_dir.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_process_cannot_take_a_data_directory_in_use() {
        let dir = std::env::temp_dir().join(format!("parkcert-lock-{}", std::process::id()));
        let pg_dir = dir.join("pg");
        let first = lock_data_dir(&pg_dir).unwrap();
        let second = lock_data_dir(&pg_dir).unwrap_err();
        assert!(
            second.to_string().contains("another parkcert process"),
            "{second}"
        );
        drop(first);
        assert!(lock_data_dir(&pg_dir).is_ok(), "released with its holder");
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// A unique scratch directory, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(tag: &str) -> Scratch {
            let dir = std::env::temp_dir().join(format!(
                "parkcert-pgcluster-unit-{tag}-{}-{}",
                std::process::id(),
                generate_password()
            ));
            fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn fake_programs(dir: &Path, names: &[&str], mode: u32) {
        fs::create_dir_all(dir).unwrap();
        for name in names {
            let path = dir.join(name);
            fs::write(&path, "#!/bin/sh\n").unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        }
    }

    #[test]
    fn finds_highest_version_under_versions_root() {
        let scratch = Scratch::new("versions");
        let root = scratch.0.join("lib/postgresql");
        fake_programs(&root.join("9.6/bin"), &SERVER_PROGRAMS, 0o755);
        fake_programs(&root.join("13/bin"), &SERVER_PROGRAMS, 0o755);
        fake_programs(&root.join("15/bin"), &SERVER_PROGRAMS, 0o755);
        // Incomplete or non-version directories are skipped.
        fake_programs(&root.join("16/bin"), &["initdb", "pg_ctl"], 0o755);
        fake_programs(&root.join("common/bin"), &SERVER_PROGRAMS, 0o755);
        let empty_path = scratch.0.join("nothing-here");
        let found = find_bin_dir_in(Some(empty_path.as_os_str()), &root).unwrap();
        assert_eq!(found, fs::canonicalize(root.join("15/bin")).unwrap());
    }

    #[test]
    fn path_wins_and_symlinks_resolve_to_the_real_installation() {
        let scratch = Scratch::new("path");
        let root = scratch.0.join("lib/postgresql");
        let real = root.join("14/bin");
        fake_programs(&real, &SERVER_PROGRAMS, 0o755);
        fake_programs(&root.join("15/bin"), &SERVER_PROGRAMS, 0o755);
        let linked = scratch.0.join("local/bin");
        fs::create_dir_all(&linked).unwrap();
        for name in SERVER_PROGRAMS {
            std::os::unix::fs::symlink(real.join(name), linked.join(name)).unwrap();
        }
        let partial = scratch.0.join("partial/bin");
        fake_programs(&partial, &["pg_ctl", "postgres"], 0o755);
        let path = std::env::join_paths([partial, linked]).unwrap();
        let found = find_bin_dir_in(Some(&path), &root).unwrap();
        assert_eq!(found, fs::canonicalize(&real).unwrap());
    }

    #[test]
    fn non_executable_programs_do_not_count() {
        let scratch = Scratch::new("noexec");
        let root = scratch.0.join("lib/postgresql");
        fake_programs(&root.join("15/bin"), &SERVER_PROGRAMS, 0o644);
        assert_eq!(find_bin_dir_in(None, &root), None);
        assert_eq!(find_bin_dir_in(None, &scratch.0.join("absent")), None);
    }

    #[test]
    fn missing_binaries_error_explains_the_fix() {
        let text = ClusterError::BinariesNotFound.to_string();
        assert!(text.contains("apt-get install postgresql"), "{text}");
        assert!(text.contains("DATABASE_URL"), "{text}");
    }

    #[test]
    fn parses_version_names() {
        assert_eq!(parse_version(OsStr::new("15")), Some(vec![15]));
        assert_eq!(parse_version(OsStr::new("9.6")), Some(vec![9, 6]));
        assert_eq!(parse_version(OsStr::new("15beta")), None);
        assert_eq!(parse_version(OsStr::new("")), None);
        assert!(vec![10] > vec![9, 6]);
    }

    #[test]
    fn parses_a_running_servers_pid_file() {
        let contents =
            "12345\n/var/pg\n1700000000\n54321\n\n127.0.0.1\n  5432001    32768\nready   \n";
        assert_eq!(
            parse_postmaster_pid(contents),
            Some(PidFile {
                pid: 12345,
                data_dir: Some(PathBuf::from("/var/pg")),
                port: Some(54321),
            })
        );
    }

    #[test]
    fn parses_partial_and_single_user_pid_files() {
        assert_eq!(
            parse_postmaster_pid("-777\n/d\n"),
            Some(PidFile {
                pid: 777,
                data_dir: Some(PathBuf::from("/d")),
                port: None,
            })
        );
        assert_eq!(parse_postmaster_pid(""), None);
        assert_eq!(parse_postmaster_pid("garbage\n"), None);
        assert_eq!(parse_postmaster_pid("0\n"), None);
        assert_eq!(parse_postmaster_pid("1\n"), None);
    }

    #[test]
    fn search_permission_follows_the_first_matching_class() {
        // owner, group, other
        assert!(mode_allows_search(0o700, 10, 20, 10, 99));
        assert!(!mode_allows_search(0o070, 10, 20, 10, 20));
        assert!(mode_allows_search(0o750, 0, 20, 10, 20));
        assert!(!mode_allows_search(0o705, 0, 20, 10, 20));
        assert!(mode_allows_search(0o701, 0, 0, 10, 20));
        assert!(!mode_allows_search(0o700, 0, 0, 10, 20));
    }

    #[test]
    fn dead_and_foreign_processes() {
        let mut child = Command::new("true").spawn().unwrap();
        let pid = child.id() as i32;
        child.wait().unwrap();
        assert!(!process_alive(pid));
        let me = std::process::id() as i32;
        assert!(process_alive(me));
        // We are alive but not a postgres.
        assert!(!is_postgres_of(me, Path::new("/")));
    }

    #[test]
    fn passwords_and_urls_need_no_quoting() {
        let password = generate_password();
        assert_eq!(password.len(), PASSWORD_LEN);
        assert!(password.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(password, generate_password());
        assert_eq!(percent_encode(&password), password);
        assert_eq!(percent_encode("a b@c:d/é"), "a%20b%40c%3Ad%2F%C3%A9");
    }

    #[test]
    fn database_names_are_restricted() {
        assert!(is_valid_database_name("parkcert"));
        assert!(is_valid_database_name("parkcert_test-1"));
        assert!(!is_valid_database_name(""));
        assert!(!is_valid_database_name("x'; drop"));
        assert!(!is_valid_database_name(&"a".repeat(64)));
    }
}
