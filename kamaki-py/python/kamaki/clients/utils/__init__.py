"""Helpers kamaki users import from ``kamaki.clients.utils``."""

import time


def _matches(key, prefix, exact_match):
    key, prefix = key.lower(), prefix.lower()
    return key == prefix if exact_match else key.startswith(prefix)


def filter_in(d, prefix, exactMatch=False):
    """The items of ``d`` whose key starts with ``prefix`` (case-insensitive),
    or equals it with ``exactMatch``."""
    return dict(
        (k, v) for k, v in d.items() if _matches(k, prefix, exactMatch))


def filter_out(d, prefix, exactMatch=False):
    """The items of ``d`` that ``filter_in`` would leave out."""
    return dict(
        (k, v) for k, v in d.items() if not _matches(k, prefix, exactMatch))


def path4url(*args):
    """Joins ``args`` into a URL path: ``/a/b``, with empty parts and doubled
    or trailing slashes gone, as kamaki builds request paths."""
    parts = []
    for arg in args:
        parts.extend(p for p in ('%s' % arg).split('/') if p)
    return '/' + '/'.join(parts)


def readall(openfile, size, retries=7):
    """Reads exactly ``size`` bytes of ``openfile``, trying again after a short
    read at most ``retries`` times; ``IOError`` if the bytes never come."""
    remains, data = size, b''
    for _ in range(retries):
        chunk = openfile.read(remains)
        data += chunk
        remains -= len(chunk)
        if remains <= 0:
            return data
        if not chunk:
            time.sleep(0.1)
    raise IOError('Failed to read %s bytes from file' % size)


def escape_ctrl_chars(s):
    """``s`` with its control characters written as escapes."""
    if not isinstance(s, str):
        return s
    return ''.join(
        c.encode('unicode_escape').decode('ascii')
        if (ord(c) < 32 and c not in '\n') or ord(c) == 127 else c
        for c in s)
