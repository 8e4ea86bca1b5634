//! The emulator's TLS identity: a self-signed CA plus a `localhost`/`127.0.0.1`/`::1` server
//! certificate, generated once and kept beside the database so clients can keep trusting the same CA.

use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, Context};
use chrono::Datelike;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;

use crate::api::Storage;

/// Years a freshly generated certificate is valid for.
const VALIDITY_YEARS: i32 = 10;

/// The three PEM files of one TLS identity.
#[derive(Debug, Clone)]
pub(crate) struct TlsPaths {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TlsPaths {
    /// `<db>.ca.pem`, `<db>.cert.pem`, `<db>.key.pem` beside a database file.
    pub fn beside(db: &Path) -> Self {
        let with = |suffix: &str| {
            let mut name: OsString = db.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        };
        TlsPaths {
            ca: with(".ca.pem"),
            cert: with(".cert.pem"),
            key: with(".key.pem"),
        }
    }

    fn in_dir(dir: &Path) -> Self {
        TlsPaths {
            ca: dir.join("ca.pem"),
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        }
    }
}

/// A ready TLS identity. Owns the temporary directory (if any) holding the files: dropping it deletes them.
pub(crate) struct TlsMaterial {
    /// Absolute path of the CA certificate PEM.
    pub ca_path: PathBuf,
    pub ca_pem: String,
    pub server_config: Arc<ServerConfig>,
    _temp_dir: Option<tempfile::TempDir>,
}

/// Loads (or generates on first use) the TLS identity for `storage`: beside the database file, or in a
/// fresh temporary directory for in-memory storage.
///
/// # Errors
/// When the files cannot be read, written or parsed; the message names the file.
pub(crate) fn prepare(storage: &Storage) -> anyhow::Result<TlsMaterial> {
    let (paths, temp_dir) = match storage {
        Storage::File(db) => (TlsPaths::beside(db), None),
        Storage::InMemory => {
            let dir = tempfile::Builder::new()
                .prefix("acs-chat-emulator-tls-")
                .tempdir()
                .context("creating a temporary directory for the TLS certificates")?;
            (TlsPaths::in_dir(dir.path()), Some(dir))
        }
    };
    if !(paths.ca.exists() && paths.cert.exists() && paths.key.exists()) {
        generate(&paths)?;
    }
    let ca_pem = fs::read_to_string(&paths.ca)
        .with_context(|| format!("reading the CA certificate {}", paths.ca.display()))?;
    let server_config = server_config(&paths)?;
    let ca_path = std::path::absolute(&paths.ca)
        .with_context(|| format!("resolving {}", paths.ca.display()))?;
    Ok(TlsMaterial {
        ca_path,
        ca_pem,
        server_config,
        _temp_dir: temp_dir,
    })
}

/// Writes a new CA and a server certificate signed by it. The CA key is not kept: when any file is
/// missing, everything is regenerated, so there is no CA private key lying around.
fn generate(paths: &TlsPaths) -> anyhow::Result<()> {
    let ca_key = KeyPair::generate().context("generating the CA key")?;
    let mut ca_params = CertificateParams::default();
    ca_params.distinguished_name = name("acs-chat-emulator local CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    set_validity(&mut ca_params);
    let ca_cert = ca_params
        .self_signed(&ca_key)
        .context("signing the CA certificate")?;

    let leaf_key = KeyPair::generate().context("generating the server key")?;
    let mut leaf_params = CertificateParams::default();
    leaf_params.distinguished_name = name("localhost");
    leaf_params.subject_alt_names = vec![
        SanType::DnsName(
            "localhost"
                .try_into()
                .map_err(|e| anyhow!("building the localhost name: {e}"))?,
        ),
        SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)),
    ];
    leaf_params.is_ca = IsCa::ExplicitNoCa;
    leaf_params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    // Strict X.509 checks (Python 3.13's VERIFY_X509_STRICT) require the Authority Key Identifier.
    leaf_params.use_authority_key_identifier_extension = true;
    set_validity(&mut leaf_params);
    let leaf_cert = leaf_params
        .signed_by(&leaf_key, &ca_cert, &ca_key)
        .context("signing the server certificate")?;

    write_file(&paths.key, &leaf_key.serialize_pem(), true)?;
    write_file(&paths.cert, &leaf_cert.pem(), false)?;
    // The CA goes last: its presence (with the others) is what marks the set as complete.
    write_file(&paths.ca, &ca_cert.pem(), false)?;
    Ok(())
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, "acs-chat-emulator");
    dn
}

/// Valid from yesterday (tolerates small clock differences) to [`VALIDITY_YEARS`] later.
fn set_validity(params: &mut CertificateParams) {
    let start = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
    // Day 28 exists in every month, so the end date is always valid.
    let (month, day) = (start.month() as u8, start.day().min(28) as u8);
    params.not_before = rcgen::date_time_ymd(start.year(), month, day);
    params.not_after = rcgen::date_time_ymd(start.year() + VALIDITY_YEARS, month, day);
}

/// Writes a file through a temporary sibling and a rename, so a crash never leaves half a PEM.
fn write_file(path: &Path, contents: &str, private: bool) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    if private {
        restrict_permissions(tmp.as_file())
            .with_context(|| format!("restricting the permissions of {}", path.display()))?;
    }
    tmp.write_all(contents.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| anyhow!("writing {}: {}", path.display(), e.error))?;
    Ok(())
}

#[cfg(unix)]
fn restrict_permissions(file: &fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict_permissions(_file: &fs::File) -> std::io::Result<()> {
    Ok(())
}

/// A rustls server configuration (ring provider, TLS 1.2 and 1.3) offering ALPN `h2` and `http/1.1`.
fn server_config(paths: &TlsPaths) -> anyhow::Result<Arc<ServerConfig>> {
    let cert_pem = fs::read(&paths.cert)
        .with_context(|| format!("reading the server certificate {}", paths.cert.display()))?;
    let certs: Vec<CertificateDer<'static>> = rustls_pemfile::certs(&mut cert_pem.as_slice())
        .collect::<Result<_, _>>()
        .with_context(|| format!("parsing {}", paths.cert.display()))?;
    if certs.is_empty() {
        anyhow::bail!(
            "{} holds no certificate; delete the three .pem files to regenerate them",
            paths.cert.display()
        );
    }
    let key_pem = fs::read(&paths.key)
        .with_context(|| format!("reading the server key {}", paths.key.display()))?;
    let key: PrivateKeyDer<'static> = rustls_pemfile::private_key(&mut key_pem.as_slice())
        .with_context(|| format!("parsing {}", paths.key.display()))?
        .ok_or_else(|| {
            anyhow!(
                "{} holds no private key; delete the three .pem files to regenerate them",
                paths.key.display()
            )
        })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("configuring TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .with_context(|| {
            format!(
                "the key {} does not match the certificate {}",
                paths.key.display(),
                paths.cert.display()
            )
        })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_sit_beside_the_database() {
        let p = TlsPaths::beside(Path::new("/data/acs.sqlite3"));
        assert_eq!(p.ca, Path::new("/data/acs.sqlite3.ca.pem"));
        assert_eq!(p.cert, Path::new("/data/acs.sqlite3.cert.pem"));
        assert_eq!(p.key, Path::new("/data/acs.sqlite3.key.pem"));
    }

    #[test]
    fn generated_once_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("e.sqlite3");
        let first = prepare(&Storage::File(db.clone())).unwrap();
        assert!(first.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(first.ca_path.is_absolute());
        let key_before = fs::read(dir.path().join("e.sqlite3.key.pem")).unwrap();
        let second = prepare(&Storage::File(db)).unwrap();
        assert_eq!(first.ca_pem, second.ca_pem);
        assert_eq!(
            key_before,
            fs::read(dir.path().join("e.sqlite3.key.pem")).unwrap()
        );
        assert_eq!(
            second.server_config.alpn_protocols,
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
    }

    #[test]
    fn in_memory_material_lives_in_a_temp_dir_dropped_with_it() {
        let m = prepare(&Storage::InMemory).unwrap();
        let path = m.ca_path.clone();
        assert!(path.exists());
        drop(m);
        assert!(!path.exists());
    }

    #[test]
    fn corrupt_files_are_reported_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.sqlite3");
        prepare(&Storage::File(db.clone())).unwrap();
        fs::write(dir.path().join("c.sqlite3.key.pem"), "garbage").unwrap();
        let err = format!("{:#}", prepare(&Storage::File(db)).err().unwrap());
        assert!(err.contains("c.sqlite3.key.pem"), "{err}");
    }
}
