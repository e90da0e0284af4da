//! Integration tests of the private PostgreSQL cluster (`parkcert::pgcluster`).
//!
//! They need the PostgreSQL server programs on this machine (Debian/Ubuntu:
//! `apt-get install postgresql`); each test makes its own data directory
//! under the temporary directory and removes it afterwards.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::{Pid, getsid};
use parkcert::pgcluster::{Cluster, ClusterError, PASSWORD_FILE};
use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// A fresh directory for one test; the data directory goes inside it.
/// Declared before the cluster so that it is removed after the server stopped.
struct TestDir(PathBuf);

impl TestDir {
    fn new(tag: &str) -> TestDir {
        let unique: u64 = rand::random();
        let dir = std::env::temp_dir().join(format!(
            "parkcert-pgcluster-{tag}-{}-{unique:x}",
            std::process::id()
        ));
        fs::create_dir_all(&dir).unwrap();
        // When the tests run as root, the server runs as `postgres`, which
        // must be able to traverse this directory whatever our umask.
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        TestDir(dir)
    }

    fn data(&self) -> PathBuf {
        self.0.join("pg")
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn start(dir: &Path) -> Cluster {
    Cluster::start(dir).unwrap_or_else(|err| panic!("cannot start the cluster: {err}"))
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// Runs `statements` in order over one sqlx connection; returns the first
/// column (as text) of the last statement's rows.
fn sql(url: &str, statements: &[&str]) -> Vec<String> {
    block_on(async {
        let mut conn = PgConnection::connect(url).await.unwrap();
        let mut last = Vec::new();
        for statement in statements {
            last = sqlx::query_scalar::<_, String>(statement)
                .fetch_all(&mut conn)
                .await
                .unwrap_or_else(|err| panic!("{statement}: {err}"));
        }
        conn.close().await.unwrap();
        last
    })
}

fn process_alive(pid: i32) -> bool {
    kill(Pid::from_raw(pid), None).is_ok()
}

fn wait_until_dead(pid: i32, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if !process_alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    !process_alive(pid)
}

#[test]
fn starts_on_an_empty_dir_and_answers_queries() {
    let dir = TestDir::new("fresh");
    let cluster = start(&dir.data());
    assert_eq!(
        cluster.data_dir(),
        fs::canonicalize(dir.data()).unwrap().as_path()
    );
    cluster.ensure_database("parkcert").unwrap();
    // A second call (e.g. the next start of the app) is a no-op.
    cluster.ensure_database("parkcert").unwrap();

    let url = cluster.url("parkcert");
    assert!(
        url.starts_with("postgres://postgres:")
            && url.ends_with(&format!("@127.0.0.1:{}/parkcert", cluster.port())),
        "{url}"
    );
    assert_eq!(
        sql(
            &url,
            &["select (1)::text", "select current_database()::text"]
        ),
        ["parkcert"]
    );

    // Password authentication is really enforced on TCP.
    let wrong = url.replace(cluster.password(), "not-the-password");
    let refused = block_on(PgConnection::connect(&wrong));
    assert!(refused.is_err(), "connected with a wrong password");

    // Only the owner may read the password file.
    let meta = fs::metadata(cluster.data_dir().join(PASSWORD_FILE)).unwrap();
    assert_eq!(meta.mode() & 0o777, 0o600);
    let password = fs::read_to_string(cluster.data_dir().join(PASSWORD_FILE)).unwrap();
    assert_eq!(password.trim(), cluster.password());

    // The server is detached from us and writes to its own log file.
    let pid = cluster.postmaster_pid();
    let ours = getsid(None).unwrap();
    assert_ne!(getsid(Some(Pid::from_raw(pid))).unwrap(), ours);
    assert!(cluster.log_file().exists());

    // As root the server runs as `postgres` with none of root's groups.
    if nix::unistd::Uid::effective().is_root() {
        let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let postgres = nix::unistd::User::from_name("postgres").unwrap().unwrap();
        let uid_line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
        assert!(
            uid_line
                .split_whitespace()
                .skip(1)
                .all(|u| u == postgres.uid.to_string()),
            "{uid_line}"
        );
        let groups_line = status.lines().find(|l| l.starts_with("Groups:")).unwrap();
        assert_eq!(groups_line.trim(), "Groups:");
        assert_eq!(meta.uid(), postgres.uid.as_raw());
    }

    cluster.stop().unwrap();
    assert!(wait_until_dead(pid, Duration::from_secs(5)));
    // Idempotent.
    cluster.stop().unwrap();
}

#[test]
fn restart_keeps_the_data() {
    let dir = TestDir::new("restart");
    let first = start(&dir.data());
    first.ensure_database("parkcert").unwrap();
    sql(
        &first.url("parkcert"),
        &[
            "create table kept (v text)",
            "insert into kept values ('survives a restart')",
        ],
    );
    let first_password = first.password().to_owned();
    first.stop().unwrap();
    drop(first);

    let second = start(&dir.data());
    assert_eq!(second.password(), first_password);
    second.ensure_database("parkcert").unwrap();
    assert_eq!(
        sql(&second.url("parkcert"), &["select v from kept"]),
        ["survives a restart"]
    );
    second.stop().unwrap();
}

#[test]
fn stale_pid_files_are_removed() {
    let dir = TestDir::new("stale");
    let cluster = start(&dir.data());
    sql(&cluster.url("postgres"), &["create table marker (v text)"]);
    cluster.stop().unwrap();
    drop(cluster);
    let pid_file = fs::canonicalize(dir.data()).unwrap().join("postmaster.pid");

    // A PID that is certainly dead: a child we have already reaped.
    let mut child = Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    // A live process that is not a postgres (PID reuse): ourselves.
    let alive_but_unrelated = std::process::id();
    for (pid, what) in [
        (dead.to_string(), "dead pid"),
        (alive_but_unrelated.to_string(), "unrelated live pid"),
        (String::from("garbage"), "unparsable file"),
    ] {
        let data_dir = fs::canonicalize(dir.data()).unwrap();
        fs::write(
            &pid_file,
            format!(
                "{pid}\n{}\n1700000000\n5432\n\n127.0.0.1\n  1234 5678\nready   \n",
                data_dir.display()
            ),
        )
        .unwrap();
        let cluster = Cluster::start(&dir.data())
            .unwrap_or_else(|err| panic!("start with a {what} in postmaster.pid: {err}"));
        assert_eq!(
            sql(
                &cluster.url("postgres"),
                &["select 'marker'::regclass::text"]
            ),
            ["marker"],
            "{what}"
        );
        cluster.stop().unwrap();
    }
}

/// Our process vanished without stopping its server (SIGKILL, and the
/// watchdog gone too): the next start stops that server and starts afresh.
#[test]
fn a_server_left_running_is_restarted() {
    let dir = TestDir::new("orphan");
    let orphan = start(&dir.data());
    sql(
        &orphan.url("postgres"),
        &["create table t (v int)", "insert into t values (42)"],
    );
    let orphan_pid = orphan.postmaster_pid();
    // Neither stop() nor Drop runs, and the watchdog's pipe stays open until
    // this test process exits, as if both had been SIGKILLed.
    std::mem::forget(orphan);
    assert!(process_alive(orphan_pid));

    let cluster = start(&dir.data());
    assert_ne!(cluster.postmaster_pid(), orphan_pid);
    assert!(wait_until_dead(orphan_pid, Duration::from_secs(5)));
    assert_eq!(
        sql(&cluster.url("postgres"), &["select v::text from t"]),
        ["42"]
    );
    cluster.stop().unwrap();
}

const CHILD_DIR_VAR: &str = "PARKCERT_PGCLUSTER_TEST_CHILD_DIR";

/// Not a test on its own: the body of the child process that
/// `sigkill_of_the_owner_stops_its_server` starts (with `--ignored`) and kills.
#[test]
#[ignore = "the child process of sigkill_of_the_owner_stops_its_server"]
fn child_process_holding_a_cluster() {
    let dir = std::env::var_os(CHILD_DIR_VAR).expect("started by its parent test");
    let cluster = start(Path::new(&dir));
    println!("POSTMASTER_PID {}", cluster.postmaster_pid());
    std::thread::sleep(Duration::from_secs(60));
    std::process::exit(1);
}

/// The owning process is SIGKILLed: nothing it started may keep its stdout
/// open (a CI log pipe would never close), and the watchdog stops the server.
#[test]
fn sigkill_of_the_owner_stops_its_server() {
    let dir = TestDir::new("sigkill");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "pgcluster::child_process_holding_a_cluster",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR_VAR, dir.data())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut postmaster_pid = None;
    let mut line = String::new();
    while stdout.read_line(&mut line).unwrap() > 0 {
        // libtest may have printed "test … ... " on the same line.
        if let Some((_, pid)) = line.trim().split_once("POSTMASTER_PID ") {
            postmaster_pid = Some(pid.parse::<i32>().unwrap());
            break;
        }
        line.clear();
    }
    let Some(postmaster_pid) = postmaster_pid else {
        let _ = child.kill();
        panic!("the child process did not start a cluster");
    };
    child.kill().unwrap();
    child.wait().unwrap();

    // End of file arrives at once unless a process of ours inherited the pipe.
    let (done, eof) = mpsc::channel();
    std::thread::spawn(move || {
        let mut rest = Vec::new();
        let _ = stdout.read_to_end(&mut rest);
        let _ = done.send(());
    });
    assert!(
        eof.recv_timeout(Duration::from_secs(5)).is_ok(),
        "a process started by the killed child still holds its stdout"
    );

    assert!(
        wait_until_dead(postmaster_pid, Duration::from_secs(10)),
        "the watchdog did not stop the server of the killed process"
    );
    let cluster = start(&dir.data());
    assert_eq!(sql(&cluster.url("postgres"), &["select (1)::text"]), ["1"]);
    cluster.stop().unwrap();
    // Safety net in case the assertion above failed half-way.
    if process_alive(postmaster_pid) {
        let _ = kill(Pid::from_raw(postmaster_pid), Signal::SIGINT);
    }
}

#[test]
fn refuses_a_non_empty_directory_that_is_not_a_cluster() {
    let dir = TestDir::new("notpg");
    fs::create_dir_all(dir.data()).unwrap();
    fs::write(dir.data().join("precious.txt"), "keep me").unwrap();
    match Cluster::start(&dir.data()) {
        Err(err @ ClusterError::NotADataDir { .. }) => {
            assert!(err.to_string().contains("not a PostgreSQL data directory"));
        }
        other => panic!("expected NotADataDir, got {other:?}"),
    }
    assert_eq!(
        fs::read_to_string(dir.data().join("precious.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn rejects_odd_database_names() {
    let dir = TestDir::new("dbname");
    let cluster = start(&dir.data());
    assert!(matches!(
        cluster.ensure_database("x\"; drop database postgres; --"),
        Err(ClusterError::InvalidDatabaseName { .. })
    ));
    cluster.ensure_database("parkcert_test-1").unwrap();
    assert_eq!(
        sql(
            &cluster.url("parkcert_test-1"),
            &["select current_database()::text"]
        ),
        ["parkcert_test-1"]
    );
    cluster.stop().unwrap();
}

/// An operator restarts the private server by hand, with no options: it comes back on the
/// program's port (from the configuration, not PostgreSQL's 5432), and stopping the cluster
/// stops that server too.
#[test]
fn a_server_restarted_by_hand_keeps_its_port_and_stops_with_the_cluster() {
    use std::os::unix::process::CommandExt;
    let dir = TestDir::new("by-hand");
    let cluster = start(&dir.data());
    let owner = fs::metadata(dir.data()).unwrap();
    // `restart` would reuse the options of the last start (postmaster.opts); stop and start do not.
    for args in [
        &["stop", "-m", "fast", "-w", "-s"][..],
        &["start", "-w", "-s"][..],
    ] {
        let status = Command::new(cluster.tool("pg_ctl").unwrap())
            .args(args)
            .arg("-D")
            .arg(dir.data())
            .arg("-l")
            .arg(cluster.log_file())
            .uid(owner.uid())
            .gid(owner.gid())
            .current_dir("/")
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "pg_ctl {args:?}");
    }
    let by_hand: i32 = fs::read_to_string(dir.data().join("postmaster.pid"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(by_hand, cluster.postmaster_pid());
    assert_eq!(sql(&cluster.url("postgres"), &["select 1::text"]), ["1"]);
    cluster.stop().unwrap();
    assert!(wait_until_dead(by_hand, Duration::from_secs(10)));
}
