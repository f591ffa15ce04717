"""kamaki's process-wide TLS switches, for every client made after them.

Unlike Python kamaki, the server's host name is verified too.
"""

from kamaki import _native


class SSLUnicodeError(Exception):
    """A CA file path that cannot be used (kept for kamaki's names)."""


class SSLCredentialsMissing(Exception):
    """No CA credentials where they were expected (kamaki's name)."""


def patch_with_certs(ca_file):
    """Trusts the CA certificates of the PEM bundle ``ca_file``; a file that
    cannot be read, or holds none, raises ``ClientError`` here. ``None``
    goes back to the default CAs."""
    _native.patch_with_certs(None if ca_file is None else '%s' % ca_file)


def patch_ignore_ssl(insecure=True):
    """Accepts any server certificate (insecure: anyone on the path can read
    and change the traffic), or, with ``False``, verifies them again."""
    _native.patch_ignore_ssl(bool(insecure))
