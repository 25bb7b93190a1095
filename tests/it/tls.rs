//! HTTPS served by the node itself (`[tls]`): the real binary on a free port with a self-signed
//! certificate, an HTTPS client that trusts only that certificate, a sign-in whose session cookie
//! is `Secure`, `oanode backup` reaching the node over TLS; and files that cannot be used stop
//! the node at start, naming the file.

use std::io::Read;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::CertificateDer;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A node process, killed when the test ends (whatever happened).
struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.1 exchange over TLS with the node on `port`, trusting only `cert` (made for
/// `localhost`).
fn https(port: u16, cert: &CertificateDer<'static>, request: &str) -> std::io::Result<String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.clone()).map_err(std::io::Error::other)?;
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(std::io::Error::other)?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = "localhost".try_into().map_err(std::io::Error::other)?;
    let conn =
        rustls::ClientConnection::new(Arc::new(config), name).map_err(std::io::Error::other)?;
    let tcp = TcpStream::connect(("127.0.0.1", port))?;
    tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let answer = oanode::web::tls::exchange(&mut tls, request.as_bytes())?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

fn header<'a>(answer: &'a str, name: &str) -> Vec<&'a str> {
    let head = answer.split("\r\n\r\n").next().unwrap_or_default();
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .collect()
}

#[test]
fn a_node_serving_tls_signs_in_with_secure_cookies_and_backs_up() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("tls")).unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    std::fs::write(data.join("tls/cert.pem"), ck.cert.pem()).unwrap();
    std::fs::write(data.join("tls/key.pem"), ck.signing_key.serialize_pem()).unwrap();
    std::fs::write(
        data.join("oanode.toml"),
        "[tls]\ncerts = \"tls/cert.pem\"\nkey = \"tls/key.pem\"\n",
    )
    .unwrap();
    let cert = ck.cert.der().clone();

    let port = free_port();
    let log = dir.path().join("node.log");
    // An empty data directory: the first start loads the demo organization.
    let child = Command::new(env!("CARGO_BIN_EXE_oanode"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(&data)
        .env_remove("OANODE_DATA")
        .stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
        .stderr(Stdio::from(
            std::fs::File::options().append(true).open(&log).unwrap(),
        ))
        .spawn()
        .expect("start oanode");
    let mut node = Node(child);
    let log_text = || std::fs::read_to_string(&log).unwrap_or_default();

    // Ready when /healthz answers over HTTPS (bounded; a debug build loads the demo first).
    let started = Instant::now();
    let health = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    loop {
        if let Some(status) = node.0.try_wait().unwrap() {
            panic!("oanode exited ({status}):\n{}", log_text());
        }
        match https(port, &cert, health) {
            Ok(a) if a.starts_with("HTTP/1.1 200") => break,
            other => assert!(
                started.elapsed() < Duration::from_secs(120),
                "not ready over HTTPS: {other:?}\n{}",
                log_text()
            ),
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        log_text().contains(&format!("https://127.0.0.1:{port}/")),
        "{}",
        log_text()
    );

    // A sign-in through the page: the session cookie is Secure (and HttpOnly, SameSite).
    let form = "login=zhangwei&password=Demo2026&next=/";
    let login = format!(
        "POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    );
    let a = https(port, &cert, &login).unwrap();
    assert!(a.starts_with("HTTP/1.1 303"), "{a}");
    let cookies = header(&a, "Set-Cookie");
    let session = cookies
        .iter()
        .find(|c| c.starts_with("oanode_session="))
        .unwrap_or_else(|| panic!("a session cookie in {a}"));
    assert!(session.contains("; Secure"), "{session}");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    assert_eq!(
        header(&a, "Strict-Transport-Security"),
        ["max-age=63072000"]
    );

    // Plain HTTP on the TLS port gets no HTTP answer.
    let mut plain = TcpStream::connect(("127.0.0.1", port)).unwrap();
    plain
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    std::io::Write::write_all(&mut plain, health.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer);
    assert!(!answer.starts_with(b"HTTP/1.1 200"));

    // `oanode backup` asks the running node over TLS (it trusts the certificate the node
    // serves, named by the control file, although it is made for `localhost`).
    let out = dir.path().join("backup.tar.gz");
    let backup = Command::new(env!("CARGO_BIN_EXE_oanode"))
        .args(["backup", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .env_remove("OANODE_DATA")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&backup.stdout);
    assert!(
        backup.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    assert!(
        said.contains("backup written by the running node"),
        "{said}"
    );
    assert!(std::fs::metadata(&out).unwrap().len() > 0);
}

#[test]
fn tls_files_that_cannot_be_used_stop_the_node_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let key = dir.path().join("key.pem");
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").unwrap();
    let cases = [
        (
            "missing.pem",
            "key.pem",
            "cannot read the TLS certificate file",
            "missing.pem",
        ),
        (
            "junk.pem",
            "key.pem",
            "holds no PEM certificate",
            "junk.pem",
        ),
        ("key.pem", "key.pem", "holds no PEM certificate", "key.pem"),
    ];
    for (certs, key, says, file) in cases {
        let data = tempfile::tempdir_in(dir.path()).unwrap();
        std::fs::write(
            data.path().join("oanode.toml"),
            format!(
                "[tls]\ncerts = \"{}\"\nkey = \"{}\"\n",
                dir.path().join(certs).display(),
                dir.path().join(key).display()
            ),
        )
        .unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_oanode"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data.path())
            .env_remove("OANODE_DATA")
            .output()
            .unwrap();
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.starts_with("oanode: ") && err.contains(says), "{err}");
        assert!(
            err.contains(&dir.path().join(file).display().to_string()),
            "{err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
        assert!(
            !data.path().join("oanode.redb").exists(),
            "refused before the store is made"
        );
    }
}
