//! Rocket's hello-world: the yardstick the load harness compares our routes against (DESIGN.md's
//! performance section). Port from ROCKET_PORT; run with ROCKET_LOG_LEVEL=off.

#[rocket::get("/")]
fn index() -> &'static str {
    "Hello, world!"
}

#[rocket::launch]
fn rocket() -> _ {
    rocket::build().mount("/", rocket::routes![index])
}
