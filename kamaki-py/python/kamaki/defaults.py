"""Defaults a packager may set, as in kamaki."""

#: A CA bundle installed with ``patch_with_certs`` when the first client is
#: made, unless one was set before. ``None``: the platform's trusted roots.
CACERTS_DEFAULT_PATH = None
