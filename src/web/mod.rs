//! The web edge: builds the Rocket instance from an `App`, mounts every feature's routes, the
//! catchers and the fairings. Only this layer (with api.rs / pages.rs) names rocket.

pub mod assets;
pub mod download;
pub mod error;
pub mod headers;
pub mod health;
pub mod home;
pub mod i18n;
pub mod metrics;
pub mod page;
pub mod ratelimit;
pub mod richtext;
pub mod tls;

use rocket::config::{LogLevel, SecretKey, Shutdown as ShutdownConfig};
use rocket::data::{Limits, ToByteUnit};
use rocket::{Build, Rocket, catchers, routes};

use crate::App;

/// The Rocket instance for `app`. Nothing is read from Rocket.toml or ROCKET_* variables: the
/// node's own configuration decides.
pub fn build(app: App) -> Rocket<Build> {
    let addr = app
        .config()
        .listen_addr()
        .unwrap_or_else(|_| ([127, 0, 0, 1], 8000).into());
    let config = rocket::Config {
        address: addr.ip(),
        port: addr.port(),
        secret_key: SecretKey::from(app.secret_key()),
        log_level: LogLevel::Off,
        ident: rocket::config::Ident::try_new("oanode").unwrap_or_default(),
        // Rocket would believe any client's X-Real-IP; `auth::guards::client_address` believes
        // only a proxy on this host.
        ip_header: None,
        cli_colors: false,
        limits: Limits::default()
            .limit("json", 1.mebibytes())
            .limit("form", 1.mebibytes()),
        shutdown: ShutdownConfig {
            grace: 5,
            mercy: 5,
            ..ShutdownConfig::default()
        },
        // `[tls]`: rocket's listener speaks HTTPS (the files were checked at start, web::tls).
        tls: app
            .config()
            .tls
            .files(app.data_dir())
            .map(|(certs, key)| rocket::config::TlsConfig::from_paths(certs, key)),
        ..rocket::Config::release_default()
    };
    let limiter = ratelimit::RateLimiter::new(&app.config().limits);
    rocket::custom(config)
        .manage(app)
        .manage(metrics::Metrics::default())
        .manage(limiter)
        .mount(
            "/",
            routes![
                home::show,
                home::switch_lang,
                assets::serve,
                health::healthz,
                health::openapi_json,
                metrics::metrics,
                ratelimit::refuse_api,
                ratelimit::refuse_page
            ],
        )
        .mount("/", crate::auth::api::routes())
        .mount("/", crate::auth::pages::routes())
        .mount("/", crate::auth::pages::settings::routes())
        .mount("/", crate::org::api::routes())
        .mount("/", crate::org::admin::api::routes())
        .mount("/", crate::org::admin::pages::routes())
        .mount("/", crate::org::directory::api::routes())
        .mount("/", crate::org::directory::pages::routes())
        .mount("/", crate::audit::api::routes())
        .mount("/", crate::audit::pages::routes())
        .mount("/", crate::org::ehr::api::routes())
        .mount("/", crate::org::ehr::pages::routes())
        .mount("/", crate::inbox::api::routes())
        .mount("/", crate::inbox::pages::routes())
        .mount("/", crate::workflow::workdays::api::routes())
        .mount("/", crate::workflow::workdays::pages::routes())
        .mount("/", crate::workflow::api::routes())
        .mount("/", crate::workflow::pages::routes())
        .mount("/", crate::workflow::leave::api::routes())
        .mount("/", crate::documents::api::routes())
        .mount("/", crate::documents::pages::routes())
        .mount("/", crate::backup::pages::routes())
        .mount("/", crate::posts::api::routes())
        .mount("/", crate::posts::pages::routes())
        .mount("/", crate::search::api::routes())
        .mount("/", crate::search::pages::routes())
        .register("/", catchers![error::default_catcher])
        // An empty Shield: our fairing owns the security headers, so the two never disagree.
        .attach(rocket::shield::Shield::new())
        .attach(headers::SecurityHeaders)
        .attach(headers::RequestLog)
        .attach(ratelimit::RateLimit)
}
