//! The `oanode` command: serve (the default), init, seed, import-ehr, passwd, backup, restore,
//! reindex, check. Errors print one sentence and exit non-zero; never a panic trace.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use oanode::clock::{Clock, SystemClock};
use oanode::config::{Config, Flags};
use oanode::error::Error;
use oanode::{App, app, store};

#[derive(Parser)]
#[command(
    name = "oanode",
    version,
    about = "协同办公节点 oanode: office automation in one binary"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Args, Clone)]
struct DataArg {
    /// The data directory (store, search index, file bodies, oanode.toml).
    #[arg(long, env = "OANODE_DATA", default_value = "./data")]
    data: PathBuf,
}

#[derive(Args, Clone)]
struct ServeArgs {
    #[command(flatten)]
    data: DataArg,
    /// Address to listen on, HOST:PORT (default 127.0.0.1:8000, or `listen` in oanode.toml).
    #[arg(long)]
    listen: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web pages and the API (the default). An empty data directory gets the demo data.
    Serve(ServeArgs),
    /// Make an empty production node with one group administrator; prints the initial password once.
    Init {
        #[command(flatten)]
        data: DataArg,
        /// Login of the group administrator.
        #[arg(long)]
        admin: String,
        /// Name of the group (the root of the organization).
        #[arg(long, default_value = "集团")]
        name: String,
    },
    /// Sync an eHR snapshot: a .json file, a .xlsx workbook, or a folder (or either file) of a
    /// units.csv + people.csv pair. Stop the server first, or post to /api/v1/ehr/sync.
    ImportEhr {
        /// The snapshot file or CSV folder.
        file: PathBuf,
        #[command(flatten)]
        data: DataArg,
        /// full (disable eHR people missing from it) or delta; default: the JSON's own mode,
        /// full for CSV and XLSX.
        #[arg(long)]
        mode: Option<oanode::org::ehr::Mode>,
        /// Print what would change without changing anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// Generate a synthetic group for load tests and trials: a unit tree with member enterprises
    /// and departments, people with Chinese names, managers and administrators (login `admin`).
    /// Deterministic for given --users and --units; every account shares one password.
    Seed {
        #[command(flatten)]
        data: DataArg,
        /// People to create, the administrator included.
        #[arg(long, default_value_t = 10_000,
              value_parser = clap::value_parser!(u32).range(1..=oanode::org::seed::MAX_USERS as i64))]
        users: u32,
        /// Organization units to create, the group included.
        #[arg(long, default_value_t = 500,
              value_parser = clap::value_parser!(u32).range(1..=oanode::org::seed::MAX_UNITS as i64))]
        units: u32,
        /// The password every seeded account shares (no change required at sign-in).
        #[arg(long, default_value = oanode::org::seed::DEFAULT_PASSWORD)]
        password: String,
        /// Workflow instances to create over the past year (most approved, some waiting).
        #[arg(long, default_value_t = 0,
              value_parser = clap::value_parser!(u32).range(0..=oanode::workflow::seed::MAX_INSTANCES as i64))]
        instances: u32,
        /// Published official documents over the past year, each to one department (one in ten
        /// also to the administrator), with their receipts.
        #[arg(long, default_value_t = 0,
              value_parser = clap::value_parser!(u32).range(0..=oanode::documents::seed::MAX_DOCUMENTS as i64))]
        documents: u32,
        /// Published posts (notices, news, flash, regulations, resources) over the past year.
        #[arg(long, default_value_t = 0,
              value_parser = clap::value_parser!(u32).range(0..=oanode::posts::seed::MAX_POSTS as i64))]
        posts: u32,
    },
    /// Set a user's password, read from standard input (for an operator who lost the only
    /// administrator password). Stop the server first.
    Passwd {
        #[command(flatten)]
        data: DataArg,
        /// The user's login.
        login: String,
        /// Make it an initial password that must be changed at the next sign-in.
        #[arg(long)]
        initial: bool,
    },
    /// Write a backup (store, file bodies, configuration) to FILE; works while the node serves.
    Backup {
        #[command(flatten)]
        data: DataArg,
        /// The backup file to write (.tar.gz).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into a new, empty data directory, rebuild its search index and check it.
    Restore {
        /// The backup file.
        file: PathBuf,
        #[command(flatten)]
        data: DataArg,
    },
    /// Rebuild the search index from the store (stop the server first).
    Reindex {
        #[command(flatten)]
        data: DataArg,
    },
    /// Verify the store's indexes, the audit chain and the search position (stop the server first).
    Check {
        #[command(flatten)]
        data: DataArg,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => serve(cli.serve),
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Init { data, admin, name }) => init(&data.data, &admin, &name),
        Some(Command::ImportEhr {
            file,
            data,
            mode,
            dry_run,
        }) => import_ehr(&data.data, &file, mode, dry_run),
        Some(Command::Passwd {
            data,
            login,
            initial,
        }) => passwd(&data.data, &login, initial),
        Some(Command::Seed {
            data,
            users,
            units,
            password,
            instances,
            documents,
            posts,
        }) => seed(
            &data.data,
            users as usize,
            units as usize,
            &password,
            instances as usize,
            documents as usize,
            posts as usize,
        ),
        Some(Command::Backup { data, out }) => {
            oanode::backup::cli::backup(&data.data, &out, SystemClock.now_ms())
                .map(|m| println!("{m}"))
        }
        Some(Command::Restore { file, data }) => {
            oanode::backup::cli::restore(&file, &data.data, Arc::new(SystemClock))
                .map(|m| println!("{m}"))
        }
        Some(Command::Reindex { data }) => reindex(&data.data),
        Some(Command::Check { data }) => check(&data.data),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("oanode: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// One sentence for an operator.
fn describe(e: Error) -> String {
    match e {
        Error::Unavailable(s) => s,
        Error::Internal(inner) => {
            if let Some(redb::DatabaseError::DatabaseAlreadyOpen) =
                inner.downcast_ref::<redb::DatabaseError>()
            {
                return "the data directory is in use by another oanode process".into();
            }
            if inner.downcast_ref::<redb::DatabaseError>().is_some()
                || inner.downcast_ref::<redb::StorageError>().is_some()
            {
                return format!("the store file is damaged or is not an oanode store: {inner}");
            }
            format!("{inner:#}")
        }
        Error::Validation(fields) => {
            let list: Vec<String> = fields.iter().map(|(k, v)| format!("{k} ({v})")).collect();
            format!("invalid value: {}", list.join(", "))
        }
        Error::Conflict(_) => "the data directory is already initialized".into(),
        other => other.to_string(),
    }
}

fn load_config(data: &Path, flags: &Flags) -> Result<Config, String> {
    app::ensure_writable(data).map_err(describe)?;
    Config::load(data, flags)
}

fn init_tracing(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new(format!(
            "{},tantivy=warn,rocket=error,hyper=warn",
            config.log.level
        ))
    });
    // Colours only on a terminal: a journal or a log file gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let _ = if config.log.format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

fn open(data: &Path, config: Config) -> Result<App, String> {
    App::open(data, config, Arc::new(SystemClock)).map_err(describe)
}

fn serve(args: ServeArgs) -> Result<(), String> {
    let data = args.data.data;
    let fresh = !data.join(store::FILE_NAME).exists();
    let config = load_config(
        &data,
        &Flags {
            listen: args.listen,
        },
    )?;
    init_tracing(&config);
    let addr = config.listen_addr()?;
    // Refuse a taken port before touching the store, with a sentence rather than a trace.
    std::net::TcpListener::bind(addr).map_err(|e| {
        format!("cannot listen on {addr}: {e} (is another program using that port?)")
    })?;
    // `[tls]`: a certificate or key that cannot be used stops the node here, naming the file.
    let tls = config
        .tls
        .files(&data)
        .map(|(certs, key)| oanode::web::tls::check_files(&certs, &key))
        .transpose()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let app = open(&data, config)?;
    if fresh {
        let demo = oanode::demo::install(app.store(), app.clock()).map_err(describe)?;
        oanode::posts::seed::demo(&app).map_err(describe)?;
        println!(
            "oanode: 已在 {} 初始化示例数据（{} 个组织单元，{} 个示例账号）/ demo data initialized",
            data.display(),
            demo.units,
            demo.people
        );
        println!("oanode: 请在浏览器中打开 / open in a browser: {scheme}://{addr}/");
        println!(
            "oanode: 示例账号如 zhangwei（集团管理员），密码均为 / demo logins such as zhangwei (group admin), password: {}",
            oanode::demo::DEMO_PASSWORD
        );
    }
    if app.search().needs_rebuild() {
        // A new or wiped index over a store whose outbox was already applied elsewhere.
        let n = app.reindex().map_err(describe)?;
        tracing::info!(items = n, "search index rebuilt from the store");
    }
    app.search().catch_up().map_err(describe)?;
    app.search().start_indexer();
    let pickup = start_pickup(&app, &data)?;
    let mut deadlines = oanode::workflow::service::deadlines::DeadlineScheduler::start(app.clone());
    tracing::info!(%addr, scheme, data = %data.display(), version = oanode::VERSION, "oanode is serving");
    let token = oanode::backup::cli::write_control(&data, addr, tls.as_deref())
        .map_err(|e| format!("cannot write {}: {e}", oanode::backup::cli::CONTROL_FILE))?;
    let rocket = oanode::rocket(app.clone()).manage(oanode::backup::pages::ControlToken(token));
    let launched = runtime()?.block_on(rocket.launch());
    oanode::backup::cli::remove_control(&data);
    if let Some(p) = pickup {
        p.stop();
    }
    deadlines.stop();
    app.shutdown();
    drop(app);
    match launched {
        Ok(_) => {
            tracing::info!("oanode stopped");
            Ok(())
        }
        Err(e) => Err(format!("the server could not start: {}", launch_error(&e))),
    }
}

/// Threads for blocking work (store commits, searches, waits for a password hash) at most. Rocket's
/// own runtime allows 512: a burst of 64 clients left ~70 threads behind, each holding its
/// allocator cache (resident memory in the soak, PERFORMANCE.md). Writers beyond this wait for a
/// thread, then join the next group commit.
const MAX_BLOCKING_THREADS: usize = 32;

/// The server's runtime: as `rocket::execute` builds it (a worker per core), with the blocking
/// threads bounded.
fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .thread_name("rocket-worker-thread")
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server's threads: {e}"))
}

/// The nightly eHR pickup, when `[ehr] inbox` is configured.
fn start_pickup(
    app: &App,
    data: &Path,
) -> Result<Option<oanode::org::ehr::PickupScheduler>, String> {
    let cfg = &app.config().ehr;
    let Some(inbox) = &cfg.inbox else {
        return Ok(None);
    };
    let inbox = data.join(inbox);
    let at = oanode::org::ehr::parse_pickup_at(&cfg.pickup_at).ok_or("invalid ehr.pickup_at")?;
    let tz = app.config().tz()?;
    let after_app = app.clone();
    let after: Box<dyn Fn(&oanode::org::ehr::SyncReport) + Send> =
        Box::new(move |_| after_app.org_changed());
    tracing::info!(inbox = %inbox.display(), at = %cfg.pickup_at, "nightly eHR pickup enabled");
    oanode::org::ehr::start_scheduler(
        app.store().clone(),
        Arc::new(SystemClock),
        inbox,
        at,
        tz,
        after,
    )
    .map(Some)
    .map_err(describe)
}

fn launch_error(e: &rocket::Error) -> String {
    match e.kind() {
        rocket::error::ErrorKind::Bind(err) => format!("cannot listen: {err}"),
        rocket::error::ErrorKind::Io(err) => err.to_string(),
        other => other.to_string(),
    }
}

fn init(data: &Path, admin: &str, name: &str) -> Result<(), String> {
    if data.join(store::FILE_NAME).exists() {
        return Err(format!(
            "{} already holds an oanode store; init makes a new node only",
            data.display()
        ));
    }
    let config = load_config(data, &Flags::default())?;
    let app = open(data, config)?;
    let password =
        oanode::org::service::init_node(app.store(), app.clock(), admin, name).map_err(describe)?;
    println!("oanode: 节点已创建 / node created in {}", data.display());
    println!("oanode: 集团管理员 / group administrator: {admin}");
    println!(
        "oanode: 初始密码（仅显示一次，首次登录须修改）/ initial password (shown once, change it at first sign-in): {password}"
    );
    Ok(())
}

fn seed(
    data: &Path,
    users: usize,
    units: usize,
    password: &str,
    instances: usize,
    documents: usize,
    posts: usize,
) -> Result<(), String> {
    use oanode::org::seed;
    let started = std::time::Instant::now();
    let config = load_config(data, &Flags::default())?;
    oanode::auth::model::check_policy(&config.auth.password, password, "")
        .map_err(|key| format!("the password does not follow the password policy ({key})"))?;
    let app = open(data, config)?;
    let refused = || {
        format!(
            "{} already holds an organization; seed fills an empty data directory only (nothing changed)",
            data.display()
        )
    };
    if oanode::org::service::is_initialized(app.store()).map_err(describe)? {
        return Err(refused());
    }
    // Hashed once, outside the transaction: every seeded account shares the PHC string.
    let hash = oanode::auth::password::hash(password).map_err(describe)?;
    let opts = seed::SeedOptions { users, units };
    let done = seed::seed(app.store(), app.clock(), &opts, &hash).map_err(|e| match e {
        Error::Conflict(_) => refused(),
        other => describe(other),
    })?;
    println!(
        "oanode: seeded {} units ({} enterprises), {} users, {} positions, {} grants in {:.2} s",
        done.units,
        done.enterprises,
        done.users,
        done.positions,
        done.grants,
        started.elapsed().as_secs_f64()
    );
    println!(
        "oanode: 集团管理员 / group administrator: {} ; 所有账号密码 / every account's password: {password}",
        seed::ADMIN_LOGIN
    );
    if instances > 0 {
        let started = std::time::Instant::now();
        let w = oanode::workflow::seed::instances(&app, instances).map_err(describe)?;
        println!(
            "oanode: seeded {} workflow instances ({} open tasks) in {:.2} s",
            w.instances,
            w.open_tasks,
            started.elapsed().as_secs_f64()
        );
        if let Some((login, count)) = w.busiest {
            println!("oanode: busiest approver: {login} ({count} open tasks)");
        }
        if let Some((applicant, manager)) = w.pair {
            println!("oanode: applicant and manager: {applicant} {manager}");
        }
    }
    if documents > 0 {
        let started = std::time::Instant::now();
        let d = oanode::documents::seed::documents(&app, documents).map_err(describe)?;
        println!(
            "oanode: seeded {} documents ({} receipts) in {:.2} s",
            d.documents,
            d.receipts,
            started.elapsed().as_secs_f64()
        );
        if let Some((login, count)) = d.busiest {
            println!("oanode: busiest reader: {login} ({count} documents)");
        }
    }
    if posts > 0 {
        let started = std::time::Instant::now();
        let p = oanode::posts::seed::posts(&app, posts).map_err(describe)?;
        println!(
            "oanode: seeded {} posts in {:.2} s",
            p.posts,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn import_ehr(
    data: &Path,
    file: &Path,
    mode: Option<oanode::org::ehr::Mode>,
    dry_run: bool,
) -> Result<(), String> {
    use oanode::org::ehr;
    if !data.join(store::FILE_NAME).exists() {
        return Err(format!(
            "{} holds no oanode store (run `oanode init` first)",
            data.display()
        ));
    }
    let (snap, source) =
        ehr::parse_path(file, mode).map_err(|e| format!("malformed file, nothing changed: {e}"))?;
    let config = load_config(data, &Flags::default())?;
    let app = open(data, config)?;
    let opts = ehr::SyncOptions { dry_run, source };
    let actor = ehr::SyncActor {
        user_id: None,
        login: "cli".into(),
    };
    let r = ehr::sync(app.store(), app.clock(), actor, &snap, opts).map_err(describe)?;
    print!("{}", ehr::service::summary_text(&r));
    Ok(())
}

fn passwd(data: &Path, login: &str, initial: bool) -> Result<(), String> {
    if !data.join(store::FILE_NAME).exists() {
        return Err(format!("{} holds no oanode store", data.display()));
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']);
    let config = load_config(data, &Flags::default())?;
    let app = open(data, config)?;
    oanode::auth::service::set_password_console(
        app.store(),
        app.now_ms(),
        login,
        password,
        initial,
    )
    .map_err(|e| match e {
        Error::NotFound => format!("no user with the login {login}"),
        other => describe(other),
    })?;
    println!(
        "oanode: 已设置 {login} 的密码 / password set{}",
        if initial {
            "（须在下次登录时修改 / to be changed at next sign-in）"
        } else {
            ""
        }
    );
    Ok(())
}

fn reindex(data: &Path) -> Result<(), String> {
    let config = load_config(data, &Flags::default())?;
    let app = open(data, config)?;
    let n = app.reindex().map_err(describe)?;
    println!("oanode: 搜索索引已重建 / search index rebuilt: {n} items");
    Ok(())
}

fn check(data: &Path) -> Result<(), String> {
    if !data.join(store::FILE_NAME).exists() {
        return Err(format!("{} holds no oanode store", data.display()));
    }
    let config = load_config(data, &Flags::default())?;
    let app = open(data, config)?;
    let report = oanode::check::run(app.store()).map_err(describe)?;
    println!("audit entries: {} (chain verified)", report.audit_entries);
    println!(
        "outbox changes waiting for the index: {}",
        report.outbox_pending
    );
    if report.problems.is_empty() {
        println!("oanode: 检查通过 / check passed");
        Ok(())
    } else {
        for p in &report.problems {
            println!("problem: {p}");
        }
        Err(format!("check found {} problem(s)", report.problems.len()))
    }
}
