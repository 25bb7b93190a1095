//! Configuration: built-in defaults < `<data>/oanode.toml` < `OANODE_*` environment (nested keys
//! with `__`, e.g. `OANODE_STORE__CACHE_MB=32`) < command-line flags. An unknown or malformed
//! option is refused at start with its name. `data.example/oanode.toml` documents every option.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

pub const FILE_NAME: &str = "oanode.toml";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: String,
    /// Time zone in which times are shown and working days are counted.
    pub timezone: String,
    /// Language of the pages when neither a cookie nor the browser says otherwise: zh-CN or en.
    pub default_lang: String,
    pub store: StoreConfig,
    pub log: LogConfig,
    pub auth: AuthConfig,
    pub ehr: EhrConfig,
    pub workflow: WorkflowConfig,
    pub documents: DocumentsConfig,
    pub backup: BackupConfig,
    pub tls: TlsConfig,
    pub limits: LimitsConfig,
}

/// HTTPS served by the node itself (web::tls) instead of a reverse proxy in front. Both paths
/// empty (the default): plain HTTP.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TlsConfig {
    /// The certificate chain, PEM, the node's own certificate first (relative to the data
    /// directory, or absolute).
    pub certs: String,
    /// The private key of that certificate, PEM (PKCS#8, RSA or SEC1).
    pub key: String,
}

impl TlsConfig {
    /// The certificate chain and key files, resolved against the data directory; `None` when
    /// the node serves plain HTTP.
    pub fn files(&self, data: &Path) -> Option<(PathBuf, PathBuf)> {
        (!self.certs.is_empty()).then(|| (data.join(&self.certs), data.join(&self.key)))
    }
}

/// Requests allowed per client address and minute (web::ratelimit); 0 turns a limit off.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Every request to pages and the API (not /healthz, /metrics or static files).
    pub requests_per_minute: u32,
    /// Writes among them: any method but GET, HEAD and OPTIONS (uploads included).
    pub writes_per_minute: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        // Generous: a busy office behind one NAT address is one client address.
        LimitsConfig {
            requests_per_minute: 6000,
            writes_per_minute: 1200,
        }
    }
}

/// Scheduled backups (backup::schedule).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BackupConfig {
    /// Folder for the daily backup (relative to the data directory, or absolute); empty turns the
    /// daily backup off.
    pub dir: String,
    /// Local time of the daily backup, HH:MM.
    pub at: String,
    /// How many daily backups to keep (the oldest are removed).
    pub keep: usize,
}

impl Default for BackupConfig {
    fn default() -> Self {
        BackupConfig {
            dir: String::new(),
            at: "02:30".into(),
            keep: 7,
        }
    }
}

/// Official documents (documents::service).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DocumentsConfig {
    /// Working days after delivery when a recipient who has not acknowledged (签收) a document is
    /// reminded through the inbox; 0 turns automatic reminders off.
    pub remind_after_days: u32,
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        DocumentsConfig {
            remind_after_days: 2,
        }
    }
}

/// Approval deadlines (workflow::service::deadlines).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct WorkflowConfig {
    /// When a task is overdue, also tell the approver's manager (超时升级).
    pub escalate_overdue: bool,
}

impl Default for WorkflowConfig {
    fn default() -> Self {
        WorkflowConfig {
            escalate_overdue: true,
        }
    }
}

/// The nightly eHR pickup (org::ehr::pickup).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct EhrConfig {
    /// Folder watched for eHR files (`*.json`, `*.xlsx`); relative to the data directory.
    /// None: no pickup.
    pub inbox: Option<PathBuf>,
    /// Local time (in `timezone`) of the nightly pickup, `HH:MM`.
    pub pickup_at: String,
}

impl Default for EhrConfig {
    fn default() -> Self {
        EhrConfig {
            inbox: None,
            pickup_at: "23:30".into(),
        }
    }
}

impl EhrConfig {
    /// The inbox folder, resolved against the data directory.
    pub fn inbox_dir(&self, data: &Path) -> Option<PathBuf> {
        self.inbox.as_ref().map(|p| data.join(p))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    /// redb page cache in MiB (redb's own default, 1 GiB, is far above the node's memory budget).
    /// 16: the store file sits in the OS page cache anyway, and the lists and search ran as fast
    /// with 4 MiB as with 64, while 64 filled over half an hour of load (PERFORMANCE.md › Memory).
    pub cache_mb: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// error, warn, info, debug or trace.
    pub level: String,
    /// plain (for people) or json (for log collectors).
    pub format: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// A browser session ends after this many hours without a request.
    pub session_idle_hours: u32,
    /// ...and at the latest this many days after sign-in.
    pub session_max_days: u32,
    /// Failed sign-ins of one account within `lockout_minutes` that lock it.
    pub lockout_attempts: u32,
    /// The window for counting failures, and how long a lock lasts.
    pub lockout_minutes: u32,
    /// Sign-in attempts allowed from one client address per minute (all accounts together).
    pub address_attempts_per_minute: u32,
    pub password: PasswordPolicy,
}

/// The organization's password rule: by default at least 6 characters with letters and digits.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub require_letters: bool,
    pub require_digits: bool,
    /// Also require a character that is neither a letter nor a digit.
    pub require_symbols: bool,
    /// Days after which a password must be changed; 0 = never.
    pub expiry_days: u32,
    /// How many previous passwords may not be reused; 0 = no check.
    pub history: usize,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            session_idle_hours: 12,
            session_max_days: 7,
            lockout_attempts: 5,
            lockout_minutes: 15,
            address_attempts_per_minute: 30,
            password: PasswordPolicy::default(),
        }
    }
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 6,
            require_letters: true,
            require_digits: true,
            require_symbols: false,
            expiry_days: 0,
            history: 0,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8000".into(),
            timezone: "Asia/Shanghai".into(),
            default_lang: "zh-CN".into(),
            store: StoreConfig::default(),
            log: LogConfig::default(),
            auth: AuthConfig::default(),
            ehr: EhrConfig::default(),
            workflow: WorkflowConfig::default(),
            documents: DocumentsConfig::default(),
            backup: BackupConfig::default(),
            tls: TlsConfig::default(),
            limits: LimitsConfig::default(),
        }
    }
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig { cache_mb: 16 }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: "info".into(),
            format: "plain".into(),
        }
    }
}

/// Values given on the command line; `None` leaves the lower layers' value.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Flags {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
}

impl Config {
    /// Loads the layered configuration for the data directory `data`.
    pub fn load(data: &Path, flags: &Flags) -> Result<Config, String> {
        Self::load_from(
            data,
            flags,
            Env::prefixed("OANODE_").split("__").ignore(&["data"]),
        )
    }

    fn load_from(data: &Path, flags: &Flags, env: Env) -> Result<Config, String> {
        let file = data.join(FILE_NAME);
        let config: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&file))
            .merge(env)
            .merge(Serialized::defaults(flags))
            .extract()
            .map_err(|e| format!("invalid configuration: {e}"))?;
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<(), String> {
        self.listen_addr()?;
        self.tz()?;
        if !matches!(self.default_lang.as_str(), "zh-CN" | "en") {
            return Err(format!(
                "invalid configuration: default_lang must be zh-CN or en, not {:?}",
                self.default_lang
            ));
        }
        if !(1..=4096).contains(&self.store.cache_mb) {
            return Err("invalid configuration: store.cache_mb must be between 1 and 4096".into());
        }
        if !matches!(self.log.format.as_str(), "plain" | "json") {
            return Err(format!(
                "invalid configuration: log.format must be plain or json, not {:?}",
                self.log.format
            ));
        }
        if !matches!(
            self.log.level.as_str(),
            "error" | "warn" | "info" | "debug" | "trace"
        ) {
            return Err(format!(
                "invalid configuration: log.level {:?} is not a level",
                self.log.level
            ));
        }
        let a = &self.auth;
        if a.session_idle_hours == 0
            || a.session_max_days == 0
            || a.lockout_attempts == 0
            || a.lockout_minutes == 0
        {
            return Err(
                "invalid configuration: auth.session_*, auth.lockout_* must be at least 1".into(),
            );
        }
        if !(4..=128).contains(&a.password.min_length) {
            return Err(
                "invalid configuration: auth.password.min_length must be between 4 and 128".into(),
            );
        }
        if a.password.history > 24 {
            return Err("invalid configuration: auth.password.history must be at most 24".into());
        }
        if crate::org::ehr::parse_pickup_at(&self.ehr.pickup_at).is_none() {
            return Err(format!(
                "invalid configuration: ehr.pickup_at must be HH:MM (00:00 to 23:59), not {:?}",
                self.ehr.pickup_at
            ));
        }
        if crate::org::ehr::parse_pickup_at(&self.backup.at).is_none() {
            return Err(format!(
                "invalid configuration: backup.at must be HH:MM (00:00 to 23:59), not {:?}",
                self.backup.at
            ));
        }
        if self.backup.keep == 0 {
            return Err("invalid configuration: backup.keep must be at least 1".into());
        }
        if self.tls.certs.is_empty() != self.tls.key.is_empty() {
            return Err(
                "invalid configuration: tls.certs and tls.key go together (set both, or neither)"
                    .into(),
            );
        }
        Ok(())
    }

    pub fn listen_addr(&self) -> Result<SocketAddr, String> {
        self.listen.parse().map_err(|_| {
            format!(
                "invalid configuration: listen must be HOST:PORT with an IP address, not {:?}",
                self.listen
            )
        })
    }

    pub fn tz(&self) -> Result<chrono_tz::Tz, String> {
        self.timezone.parse().map_err(|_| {
            format!(
                "invalid configuration: timezone {:?} is not a known time zone",
                self.timezone
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load_from(
            dir.path(),
            &Flags::default(),
            Env::prefixed("OANODE_TEST_NONE_"),
        )
        .unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.listen, "127.0.0.1:8000");
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail decides the closure's error type
    fn file_then_env_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            "listen = \"0.0.0.0:9000\"\ndefault_lang = \"en\"\n[store]\ncache_mb = 16\n",
        )
        .unwrap();
        let c = Config::load_from(
            dir.path(),
            &Flags::default(),
            Env::prefixed("OANODE_TEST_NONE_"),
        )
        .unwrap();
        assert_eq!(
            (c.listen.as_str(), c.default_lang.as_str(), c.store.cache_mb),
            ("0.0.0.0:9000", "en", 16)
        );

        figment::Jail::expect_with(|jail| {
            jail.set_env("OANODE_T1_STORE__CACHE_MB", "32");
            jail.set_env("OANODE_T1_LISTEN", "127.0.0.1:7000");
            let env = Env::prefixed("OANODE_T1_").split("__");
            let c = Config::load_from(dir.path(), &Flags::default(), env.clone()).unwrap();
            assert_eq!(
                (c.listen.as_str(), c.store.cache_mb),
                ("127.0.0.1:7000", 32)
            );
            let flags = Flags {
                listen: Some("127.0.0.1:7001".into()),
            };
            let c = Config::load_from(dir.path(), &flags, env).unwrap();
            assert_eq!(c.listen, "127.0.0.1:7001");
            Ok(())
        });
    }

    #[test]
    fn unknown_or_malformed_options_are_refused_by_name() {
        let cases = [
            ("colour = \"blue\"\n", "colour"),
            ("[store]\ncache_size = 3\n", "cache_size"),
            ("[store]\ncache_mb = \"lots\"\n", "cache_mb"),
            ("listen = \"localhost\"\n", "listen"),
            ("timezone = \"Mars/Olympus\"\n", "timezone"),
            ("default_lang = \"fr\"\n", "default_lang"),
            ("[ehr]\npickup_at = \"25:00\"\n", "pickup_at"),
            ("[ehr]\npickup_at = \"7:30\"\n", "pickup_at"),
            ("listen = \n", "oanode.toml"),
            ("[tls]\ncerts = \"c.pem\"\n", "tls.key"),
            ("[tls]\nkey = \"k.pem\"\n", "tls.certs"),
            ("[tls]\ncert = \"c.pem\"\n", "cert"),
            (
                "[limits]\nrequests_per_minute = -1\n",
                "requests_per_minute",
            ),
            (
                "[limits]\nwrites_per_minute = \"many\"\n",
                "writes_per_minute",
            ),
            ("[limits]\nburst = 10\n", "burst"),
        ];
        for (toml, name) in cases {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join(FILE_NAME), toml).unwrap();
            let err = Config::load_from(
                dir.path(),
                &Flags::default(),
                Env::prefixed("OANODE_TEST_NONE_"),
            )
            .expect_err(toml);
            assert!(err.contains(name), "{toml:?}: {err}");
        }
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail decides the closure's error type
    fn tls_files_and_rate_limits() {
        let c = Config::default();
        assert_eq!(
            c.tls.files(Path::new("/data")),
            None,
            "plain HTTP by default"
        );
        assert_eq!(
            (c.limits.requests_per_minute, c.limits.writes_per_minute),
            (6000, 1200)
        );

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            "[tls]\ncerts = \"tls/fullchain.pem\"\nkey = \"/etc/oanode/key.pem\"\n\
             [limits]\nwrites_per_minute = 0\n",
        )
        .unwrap();
        let c = Config::load_from(
            dir.path(),
            &Flags::default(),
            Env::prefixed("OANODE_TEST_NONE_"),
        )
        .unwrap();
        assert_eq!(
            c.tls.files(dir.path()),
            Some((
                dir.path().join("tls/fullchain.pem"),
                PathBuf::from("/etc/oanode/key.pem")
            )),
            "relative to the data directory, or absolute"
        );
        assert_eq!(
            (c.limits.requests_per_minute, c.limits.writes_per_minute),
            (6000, 0)
        );

        figment::Jail::expect_with(|jail| {
            jail.set_env("OANODE_T2_LIMITS__REQUESTS_PER_MINUTE", "0");
            jail.set_env("OANODE_T2_TLS__CERTS", "/srv/tls/certs.pem");
            let env = Env::prefixed("OANODE_T2_").split("__");
            let c = Config::load_from(dir.path(), &Flags::default(), env).unwrap();
            assert_eq!(c.limits.requests_per_minute, 0);
            assert_eq!(
                c.tls.files(dir.path()).unwrap().0,
                PathBuf::from("/srv/tls/certs.pem")
            );
            Ok(())
        });
    }
}
