use clap::{Parser, Subcommand};
use parkcert::config::Config;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "parkcert", version, about = "跨境电子商务产业园区认定管理系统")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default).
    Serve {
        /// Address to listen on (overrides PARKCERT_BIND).
        #[arg(long)]
        bind: Option<std::net::SocketAddr>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check the audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Evaluate an application's facts against a rule set and print the result as JSON.
    Evaluate {
        /// Rule set id (wenzhou-2021, zhongshan-2022, cbec-park-standard-2024) or a rule-set
        /// document RULES.json, as `parkcert rules show` prints one.
        #[arg(long)]
        rules: String,
        file: PathBuf,
    },
    /// The crypto keys (SM4 for fields at rest, HMAC-SM3 for the audit seals).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Rule-set templates.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Print the Nth working day counting from DATE (DATE counts when it is a working day).
    Workdays {
        #[arg(long)]
        from: String,
        #[arg(long, allow_negative_numbers = true)]
        count: i64,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Print a built-in template as a rule-set document (JSON).
    Show { name: String },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Add a new key version, make it current and re-encrypt every encrypted field under it
    /// (stop the servers first; old versions stay to check the seals made with them).
    Rotate,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify a tenant's hash chain and its HMAC-SM3 seals: every entry present, linked,
    /// unchanged and sealed with the key.
    Verify(parkcert::cli::audit::VerifyArgs),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the password is read from standard input (or prompted for on a terminal).
    Create(parkcert::cli::user::CreateArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Evaluate { rules, file }) => parkcert::cli::evaluate::run(&rules, &file),
        Some(Command::Workdays { from, count }) => parkcert::cli::workdays::run(&from, count),
        Some(Command::Rules {
            command: RulesCommand::Show { name },
        }) => parkcert::cli::rules::show(&name),
        command => run_async(command),
    }
}

fn run_async(command: Option<Command>) -> ExitCode {
    return_large_blocks_to_the_system();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        let mut config = Config::from_env()?;
        match command {
            None => parkcert::server::serve(config).await,
            Some(Command::Serve { bind }) => {
                if let Some(bind) = bind {
                    config.bind = bind;
                }
                parkcert::server::serve(config).await
            }
            Some(Command::Migrate) => parkcert::cli::migrate(config).await,
            Some(Command::User {
                command: UserCommand::Create(args),
            }) => parkcert::cli::user::create(config, args).await,
            Some(Command::Audit {
                command: AuditCommand::Verify(args),
            }) => parkcert::cli::audit::verify(config, args).await,
            Some(Command::Keys {
                command: KeysCommand::Rotate,
            }) => parkcert::cli::keys::rotate(config).await,
            Some(Command::Evaluate { .. } | Command::Workdays { .. } | Command::Rules { .. }) => {
                unreachable!("handled synchronously")
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// A password check allocates 19 MiB. glibc raises its mmap threshold each time such a block is
/// freed, after which the next ones come from its heaps and stay there: a burst of sign-ins
/// would keep hundreds of MiB for good. A fixed threshold (which also turns off the raising)
/// maps every block of 1 MiB or more on its own and unmaps it when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_system() {
    // SAFETY: mallopt only sets an allocator parameter; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_to_the_system() {}
