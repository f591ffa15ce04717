//! Process-wide defaults, as `kamaki.defaults` has them.

use std::path::Path;
use std::sync::LazyLock;

/// Where the usual operating systems keep their bundle of trusted CA
/// certificates, in the order they are tried.
const CANDIDATE_CA_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Arch, Gentoo
    "/etc/pki/tls/certs/ca-bundle.crt",   // Fedora, RHEL, CentOS
    "/etc/ssl/ca-bundle.pem",             // openSUSE
    "/etc/pki/tls/cacert.pem",            // OpenELEC
    "/etc/ssl/cert.pem",                  // Alpine, macOS, the BSDs
    "/usr/local/share/certs/ca-root-nss.crt", // FreeBSD ports
];

/// The CA bundle used when nothing else is configured: the system bundle when
/// one is found on this machine, `None` otherwise.
///
/// Python kamaki leaves this `None` unless a packager sets it; here it is
/// looked up once, among the places where the common operating systems keep
/// their bundle. When it is `None` and no bundle was patched in, the
/// platform's certificate store is used (see [`crate::clients::utils::https`]).
///
/// ```
/// if kamaki::defaults::CACERTS_DEFAULT_PATH.is_none() {
///     // e.g. kamaki::clients::utils::https::patch_with_certs("/path/to/ca.pem");
/// }
/// ```
pub static CACERTS_DEFAULT_PATH: LazyLock<Option<&'static Path>> = LazyLock::new(|| {
    CANDIDATE_CA_BUNDLES
        .iter()
        .map(Path::new)
        .find(|path| path.is_file())
});

/// The `User-Agent` sent with every request unless a client sets its own.
pub const USER_AGENT: &str = concat!("kamaki-rs/", env!("CARGO_PKG_VERSION"));
