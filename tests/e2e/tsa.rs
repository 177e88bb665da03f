//! A real RFC 3161 timestamp authority on 127.0.0.1 for the tests: a certificate chain made by
//! `openssl req`/`x509` (a root, and a TSA certificate with the critical `timeStamping` extended
//! key usage), `openssl ts -reply` answering each request, behind a minimal HTTP server. No
//! outside network.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::sh;

/// A timestamp authority's files: `root.pem`, `tsa.pem`, `tsa.key`, `chain.pem` (TSA then root)
/// and the `openssl ts` configuration, in `dir`.
#[derive(Clone)]
pub(crate) struct Pki {
    pub dir: PathBuf,
    pub name: String,
}

const EXTENSIONS: &str = "basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

const TS_CONFIG: &str = "[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = .
serial = ./serial
crypto_device = builtin
signer_cert = ./tsa.pem
signer_key = ./tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
";

impl Pki {
    /// A new authority named `name` (its certificate's CN), in `dir`.
    pub(crate) fn new(dir: &Path, name: &str) -> Pki {
        Pki::with_extensions(dir, name, EXTENSIONS)
    }

    /// As [`Pki::new`], with these X.509 extensions on the TSA's certificate.
    pub(crate) fn with_extensions(dir: &Path, name: &str, extensions: &str) -> Pki {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("ext.cnf"), extensions).unwrap();
        std::fs::write(dir.join("tsa.cnf"), TS_CONFIG).unwrap();
        std::fs::write(dir.join("serial"), "01\n").unwrap();
        sh(
            dir,
            &format!(
                "openssl ecparam -name prime256v1 -genkey -noout -out root.key 2>/dev/null && \
                 openssl req -x509 -new -key root.key -subj '/CN={name} Root' -days 3650 -out root.pem \
                   -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' && \
                 openssl ecparam -name prime256v1 -genkey -noout -out tsa.key 2>/dev/null && \
                 openssl req -new -key tsa.key -subj '/CN={name}' -out tsa.csr && \
                 openssl x509 -req -in tsa.csr -CA root.pem -CAkey root.key -CAcreateserial -days 3650 \
                   -extfile ext.cnf -out tsa.pem 2>/dev/null && \
                 cat tsa.pem root.pem > chain.pem"
            ),
        );
        Pki { dir: dir.to_path_buf(), name: name.to_owned() }
    }

    pub(crate) fn chain_pem(&self) -> String {
        std::fs::read_to_string(self.dir.join("chain.pem")).unwrap()
    }

    /// The trust file's entry for this authority.
    pub(crate) fn authority(&self) -> signet::formats::trust::TimestampAuthority {
        signet::formats::trust::TimestampAuthority { name: self.name.clone(), chain_pem: self.chain_pem() }
    }

    /// `openssl ts -reply` to a DER `TimeStampReq`: the DER `TimeStampResp`.
    pub(crate) fn reply(&self, query: &[u8]) -> Vec<u8> {
        let q = tempfile::NamedTempFile::new_in(&self.dir).unwrap();
        std::fs::write(q.path(), query).unwrap();
        let out = std::process::Command::new("openssl")
            .args(["ts", "-reply", "-config", "tsa.cnf", "-queryfile"])
            .arg(q.path())
            .current_dir(&self.dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "openssl ts -reply: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    }

    /// A token (DER `TimeStampToken`) over `data` made by `openssl ts` directly, as a TSA
    /// would answer anyone who asks: for tokens the ceremony did not request.
    pub(crate) fn token_over(&self, data: &Path, out: &Path) {
        let script = format!(
            "openssl ts -query -data '{data}' -sha256 -cert -out q.tsq && \
             openssl ts -reply -config tsa.cnf -queryfile q.tsq -token_out -out '{out}' 2>/dev/null",
            data = data.display(),
            out = out.display()
        );
        sh(&self.dir, &script);
    }
}

/// How the test server answers.
#[derive(Clone, Copy)]
pub(crate) enum Answer {
    /// A real `openssl ts -reply`.
    Token,
    /// Bytes that are no timestamp response, with HTTP 200.
    Garbage,
    /// Nothing, for this long: a TSA that hangs.
    Hang(Duration),
}

/// Starts an HTTP server on 127.0.0.1 answering every POST as `answer` says; returns its URL.
/// It runs until the test process ends.
pub(crate) fn serve(pki: Pki, answer: Answer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/tsa", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = handle(stream, &pki, answer);
        }
    });
    url
}

fn handle(mut stream: TcpStream, pki: &Pki, answer: Answer) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut query = vec![0u8; length];
    reader.read_exact(&mut query)?;
    let body = match answer {
        Answer::Token => pki.reply(&query),
        Answer::Garbage => b"<html>this is not a timestamp authority</html>".to_vec(),
        Answer::Hang(d) => {
            std::thread::sleep(d);
            return Ok(());
        }
    };
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(&body)
}
