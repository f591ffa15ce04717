"""kamaki for Python 3 (the kamaki-rs distribution).

The client library of the Synnefo cloud with the names, arguments and
return values of Python kamaki (``kamaki.clients.*``), on a Rust core:
HTTP, TLS and the Pithos transfer engine are the ``kamaki`` Rust crate,
reached through ``kamaki._native``.
"""

__version__ = '0.1.0'
