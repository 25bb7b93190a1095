//! Rocket's hello-world: the yardstick the load harness compares our routes against (DESIGN.md's
//! performance section). The address, port and log level come from Rocket's usual environment
//! (`ROCKET_ADDRESS`, `ROCKET_PORT`, `ROCKET_LOG_LEVEL=off`; see `run.sh`).

#[rocket::get("/")]
fn index() -> &'static str {
    "Hello, world!"
}

#[rocket::launch]
fn rocket() -> _ {
    // The crate enables Rocket's `secrets`, and a release build refuses to start without a secret
    // key; this example signs nothing, so a fresh random one will do.
    let key = hex::encode(rand::random::<[u8; 32]>());
    let figment = rocket::Config::figment().merge(("secret_key", key));
    rocket::custom(figment).mount("/", rocket::routes![index])
}
