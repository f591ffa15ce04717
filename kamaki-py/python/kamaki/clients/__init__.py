"""The base of every kamaki client: ``Client``, ``ClientError`` and the
response object the REST-level methods return.

Each request goes through ``kamaki._native.Endpoint``, the Rust core: it
percent-encodes the path, sends ``X-Auth-Token``, retries what is safe to
retry, verifies TLS, keeps the token out of errors and logs, and releases
the interpreter lock while it waits, so threads can share a client.
"""

import concurrent.futures
import functools
import json as _json
import logging
import re
import threading
import time
from urllib.parse import quote, unquote

from kamaki import _native
from kamaki import defaults
from kamaki.clients.utils import escape_ctrl_chars, path4url

__all__ = [
    'Client', 'ClientError', 'KamakiSSLError', 'Response', 'Waiter', 'wait']

#: kamaki's log level for requests and replies, between DEBUG and INFO.
DEBUGV = logging.DEBUG + 1
logging.addLevelName(DEBUGV, 'DEBUGV')
sendlog = logging.getLogger('kamaki.clients.send')
recvlog = logging.getLogger('kamaki.clients.recv')

_VERSIONED = re.compile(r'/v\d+(\.\d+)?$')

# Reply headers whose names and values Pithos percent-encodes.
_QUOTED_PREFIXES = (
    'x-account-meta-', 'x-account-group-', 'x-account-policy-',
    'x-container-meta-', 'x-container-policy-', 'x-object-meta-')
_QUOTED_NAMES = ('x-object-sharing', 'x-object-shared-by', 'x-object-public',
                 'x-object-modified-by', 'content-disposition')


class ClientError(Exception):
    """What every failed call raises: ``message`` (a str), ``status`` (the
    HTTP status, 0 when there was no reply) and ``details`` (a list).

    A message holding a Synnefo JSON fault (``Not Found {"itemNotFound":
    {"message": ..., "code": 404}}``) becomes ``Not Found itemNotFound
    (...)``, and the fault's code and details are taken, as in kamaki."""

    def __init__(self, message, status=0, details=None):
        message = '%s' % message
        if details is None:
            details = []
        elif isinstance(details, (list, tuple)):
            details = list(details)
        else:
            details = ['%s' % details]
        prefix, brace, rest = message.partition('{')
        if brace:
            try:
                fault = _json.loads(brace + rest)
            except ValueError:
                fault = None
            if isinstance(fault, dict) and fault:
                key = next(iter(fault))
                inner = fault[key]
                message = ('%s %s' % (prefix.strip(), key)).strip()
                if isinstance(inner, dict):
                    if inner.get('message'):
                        message += ' (%s)' % inner['message']
                    status = inner.get('code', status)
                    extra = inner.get('details')
                    if extra:
                        details += extra if isinstance(extra, list) else [
                            '%s' % extra]
        self.message = message.rstrip()
        try:
            self.status = int(status or 0)
        except (TypeError, ValueError):
            self.status = 0
        self.details = details
        super(ClientError, self).__init__(self.message)

    def __str__(self):
        return self.message


class KamakiSSLError(ClientError):
    """TLS failed: the server's certificate is not trusted (give the CA
    bundle with ``kamaki.clients.utils.https.patch_with_certs``)."""


class MissingReplyKey(ClientError, KeyError):
    """A reply lacks a key the call reads: a ``ClientError`` (status 0) that
    names the request and the key, and a ``KeyError`` for code that
    catches those, as kamaki raised."""

    def __str__(self):
        return self.message


def _missing(request, key, what):
    return MissingReplyKey(
        'The reply to %s has no %r (%s): the server sent something this '
        'client does not understand' % (request or 'a request', key, what))


class _Reply(dict):
    """A JSON object of a reply: a missing key raises ``MissingReplyKey``
    naming the request, not a bare ``KeyError``."""

    __slots__ = ('_request', )

    def __missing__(self, key):
        raise _missing(getattr(self, '_request', None), key, 'no such key')


class _ReplyList(list):
    """A JSON array of a reply: looked up by a name, as if it were the
    object the call expected, it raises ``MissingReplyKey``."""

    __slots__ = ('_request', )

    def __getitem__(self, index):
        if isinstance(index, str):
            raise _missing(getattr(self, '_request', None), index,
                           'it is a list')
        return super(_ReplyList, self).__getitem__(index)


class _ReplyText(str):
    """A JSON string a reply holds where an object was expected."""

    def __getitem__(self, index):
        if isinstance(index, str):
            raise _missing(getattr(self, '_request', None), index,
                           'it is a string')
        return super(_ReplyText, self).__getitem__(index)


def _reply_value(value, request):
    """``value`` (parsed JSON) with its objects and arrays as ``_Reply`` and
    ``_ReplyList``, and a string at the top as ``_ReplyText``."""
    def convert(value):
        if isinstance(value, dict):
            converted = _Reply((k, convert(v)) for k, v in value.items())
        elif isinstance(value, list):
            converted = _ReplyList(convert(v) for v in value)
        else:
            return value
        converted._request = request
        return converted
    if isinstance(value, str):
        text = _ReplyText(value)
        text._request = request
        return text
    return convert(value)


def _unquote_header(name, value):
    if name.startswith(_QUOTED_PREFIXES):
        return unquote(name), unquote(value)
    if name in _QUOTED_NAMES:
        return name, unquote(value)
    return name, value


class Response(object):
    """A reply, as kamaki's ``ResponseManager`` shows it: ``status_code``,
    ``status`` (the reason phrase), ``headers`` (lower-case names, Pithos
    metadata unquoted), ``content`` (bytes), ``text`` and ``json``."""

    def __init__(self, status_code, status, headers, content, request=None):
        self.status_code = status_code
        self.status = status
        self.headers = dict(_unquote_header(n, v) for n, v in headers)
        self.content = content
        self.request = request

    @property
    def text(self):
        """The body as text (UTF-8, undecodable bytes replaced)."""
        return self.content.decode('utf-8', 'replace')

    @property
    def json(self):
        """The body parsed as JSON; ``ClientError`` (status 0) if it is not
        JSON, or is a bare ``null`` or number. Its objects and arrays are a
        dict and a list that raise ``MissingReplyKey`` (a ``ClientError``
        and a ``KeyError``) naming the request when a call looks for a key
        they do not have."""
        try:
            value = _json.loads(self.text)
        except ValueError as e:
            raise ClientError('Response not formated in JSON - %s' % e)
        if value is None or isinstance(value, (bool, int, float)):
            # No Synnefo call answers a bare null or number: say so here,
            # not with a TypeError where the caller looks into it.
            raise ClientError('The reply to %s is JSON %s, not an object' % (
                self.request or 'a request', self.text.strip()[:20]))
        return _reply_value(value, self.request)

    def release(self):
        """Nothing to release: the connection went back to its pool."""


def _http_value(value):
    value = '%s' % value
    try:
        value.encode('ascii')
        return value
    except UnicodeEncodeError:
        return quote(value, safe='/=,:;*')


def _http_name(name):
    name = '%s' % name
    try:
        name.encode('ascii')
        return name
    except UnicodeEncodeError:
        return quote(name, safe='-')


class Client(object):
    """A service endpoint and a token (kamaki's ``kamaki.clients.Client``).

    An endpoint URL that names no version (``/v2.0``, ``/v1``) gets the
    class' ``DEFAULT_API_VERSION`` appended.

    As in kamaki, each request and its reply are logged at level
    ``DEBUGV`` on the loggers ``kamaki.clients.send`` and
    ``kamaki.clients.recv``: the method and URL, the headers with the token
    shown as ``...`` (unless ``LOG_TOKEN``), the data size, and the bodies
    only with ``LOG_DATA`` (the token cut out of them too); ``LOG_PID``
    marks each line with the client."""

    service_type = ''
    DEFAULT_API_VERSION = None
    #: kamaki's thread bound. Transfers run on the Rust engine, whose
    #: parallelism is ``concurrency`` (requests in flight); kept for scripts
    #: that set it.
    MAX_THREADS = 1
    CONNECTION_RETRY_LIMIT = 0
    LOG_TOKEN = False
    LOG_DATA = False
    LOG_PID = False
    #: Whether this client logs its exchanges (a client that logs them in
    #: its own way, as Astakos' does, turns it off).
    _log_exchanges = True

    def __init__(self, endpoint_url, token=None):
        assert endpoint_url, 'No endpoint_url for client %s' % self
        url = ('%s' % endpoint_url).rstrip('/')
        assert url, 'No endpoint_url for client %s' % self
        match = _VERSIONED.search(url)
        if match:
            self.api_version = match.group(0)[2:]
        else:
            assert self.DEFAULT_API_VERSION, (
                '%s needs an endpoint URL ending in /v<version>' %
                type(self).__name__)
            self.api_version = self.DEFAULT_API_VERSION
            url = '%s/v%s' % (url, self.DEFAULT_API_VERSION)
        if defaults.CACERTS_DEFAULT_PATH and _native.tls_settings()[0] is None:
            _native.patch_with_certs(defaults.CACERTS_DEFAULT_PATH)
        self._lock = threading.Lock()
        self._endpoint = None
        self._endpoint_url = url
        self._token = token
        self.headers = {}
        self.params = {}
        self.poolsize = None

    @property
    def endpoint_url(self):
        """The endpoint URL, version included."""
        return self._endpoint_url

    @endpoint_url.setter
    def endpoint_url(self, url):
        with self._lock:
            self._endpoint_url, self._endpoint = ('%s' % url).rstrip('/'), None

    base_url = endpoint_url

    @property
    def token(self):
        """The token sent as ``X-Auth-Token``."""
        return self._token

    @token.setter
    def token(self, token):
        with self._lock:
            self._token, self._endpoint = token, None

    @property
    def concurrency(self):
        """Requests a Pithos transfer keeps in flight (None: 16)."""
        return getattr(self, '_concurrency', None)

    @concurrency.setter
    def concurrency(self, n):
        with self._lock:
            self._concurrency, self._endpoint = n, None

    def _native_endpoint(self):
        with self._lock:
            if self._endpoint is None:
                self._endpoint = _native.Endpoint(
                    self._endpoint_url, self._token,
                    getattr(self, '_concurrency', None))
            return self._endpoint

    def __repr__(self):
        return '<%s %s>' % (type(self).__name__, self._endpoint_url)

    def set_header(self, name, value, iff=True):
        """Sets a header for the next request, if ``value`` is not None and
        ``iff``."""
        if value is not None and iff:
            self.headers[name] = '%s' % value

    def set_param(self, name, value=None, iff=True):
        """Sets a query parameter for the next request, if ``iff``; a None
        value is sent as a bare key (``?update``)."""
        if iff:
            self.params[name] = value

    def set_default_header(self, name, value):
        self.headers.setdefault(name, value)

    def request(self, method, path, async_headers=None, async_params=None,
                **kwargs):
        """Sends ``method`` to ``path`` under the endpoint and returns its
        ``Response``; raises ``ClientError`` if the status is not in
        ``success`` (an int or a tuple, default 200).

        Keyword arguments: ``success``, ``data`` (bytes or str), ``json``
        (an object sent as JSON), ``headers`` and ``params`` (dicts; a param
        whose value is None is a bare key)."""
        headers = dict(self.headers)
        headers.update(kwargs.get('headers') or {})
        headers.update(async_headers or {})
        params = dict(self.params)
        params.update(kwargs.get('params') or {})
        params.update(async_params or {})
        self.headers, self.params = {}, {}
        success = kwargs.get('success', 200)
        if isinstance(success, int):
            success = (success, )
        data = kwargs.get('data')
        if kwargs.get('json') is not None:
            data = _json.dumps(kwargs['json'])
            if not any(k.lower() == 'content-type' for k in headers):
                headers['Content-Type'] = 'application/json'
        if isinstance(data, str):
            data = data.encode('utf-8')
        elif data is not None and not isinstance(data, bytes):
            data = bytes(data)
        wire_headers = []
        for name, value in headers.items():
            if value is None:
                continue
            if name.lower() == 'content-length':
                # The core sets it from the body; a zero length means an
                # empty body.
                if data is None and '%s' % value == '0':
                    data = b''
                continue
            wire_headers.append((_http_name(name), _http_value(value)))
        wire_params = []
        for key, value in params.items():
            if value is None or value == '':
                wire_params.append(('%s' % key, None))
            else:
                wire_params.append(('%s' % key, '%s' % value))
        logged = self._log_exchanges and (
            sendlog.isEnabledFor(DEBUGV) or recvlog.isEnabledFor(DEBUGV))
        if logged:
            self._log_request(method, path, wire_params, wire_headers, data,
                              kwargs.get('token'))
        try:
            status, reason, reply_headers, body = \
                self._native_endpoint().request(
                    method.upper(), '%s' % path, wire_params, wire_headers,
                    data, [int(s) for s in success], kwargs.get('token'))
        except ClientError as e:
            if logged:
                recvlog.log(DEBUGV, '%s %s%s' % (
                    e.status, self._hide_token(e.message, kwargs.get('token')),
                    self._pid()))
            raise
        reply = Response(status, reason, reply_headers, body,
                         '%s %s' % (method.upper(), path))
        if logged:
            self._log_reply(reply, kwargs.get('token'))
        return reply

    def _pid(self):
        return ('\t[%s]' % id(self)) if self.LOG_PID else ''

    def _hide_token(self, text, token=None):
        for secret in (token, self._token):
            if secret and not self.LOG_TOKEN:
                text = text.replace('%s' % secret, '...')
        return escape_ctrl_chars(text)

    def _log_request(self, method, path, params, headers, data, token):
        pid = self._pid()
        query = '&'.join(k if v is None else '%s=%s' % (k, quote(v, safe=''))
                         for k, v in params)
        sendlog.log(DEBUGV, '%s %s%s%s%s' % (
            method.upper(), self._endpoint_url, path4url(path),
            ('?' + query) if query else '', pid))
        shown = list(headers)
        if token or self._token:
            shown.append(('X-Auth-Token', '%s' % (token or self._token)
                          if self.LOG_TOKEN else '...'))
        for name, value in shown:
            sendlog.log(DEBUGV, '  %s: %s%s' % (name, value, pid))
        sendlog.log(DEBUGV, 'data size: %s%s' % (len(data or b''), pid))
        if data and self.LOG_DATA:
            sendlog.log(DEBUGV, self._hide_token(
                data.decode('utf-8', 'replace'), token))

    def _log_reply(self, reply, token):
        pid = self._pid()
        recvlog.log(DEBUGV, '%d %s%s' % (reply.status_code, reply.status, pid))
        for name, value in reply.headers.items():
            recvlog.log(DEBUGV, '  %s: %s%s' % (name, value, pid))
        recvlog.log(DEBUGV, 'data size: %s%s' % (len(reply.content), pid))
        if reply.content and self.LOG_DATA:
            recvlog.log(DEBUGV, self._hide_token(reply.text, token))

    def async_run(self, method, kwarg_list):
        """Runs ``method(**kwargs)`` for each dict of ``kwarg_list`` in
        threads (at most ``MAX_THREADS`` at once) and returns the results in
        the order of ``kwarg_list``; the first exception is raised."""
        workers = max(1, int(self.MAX_THREADS or 1))
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            futures = [pool.submit(method, **kw) for kw in kwarg_list]
            return [f.result() for f in futures]

    def get(self, path, **kwargs):
        return self.request('get', path, **kwargs)

    def head(self, path, **kwargs):
        return self.request('head', path, **kwargs)

    def post(self, path, **kwargs):
        return self.request('post', path, **kwargs)

    def put(self, path, **kwargs):
        return self.request('put', path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request('delete', path, **kwargs)

    def copy(self, path, **kwargs):
        return self.request('copy', path, **kwargs)

    def move(self, path, **kwargs):
        return self.request('move', path, **kwargs)


def wait(poll, poll_params, stop, delay=1, timeout=100, wait_cb=None):
    """Polls ``poll(*poll_params)`` at most ``timeout // delay`` times, calling
    ``wait_cb(details)`` after each poll, until ``stop(details)``; sleeps
    ``delay`` between polls. Returns the last details (None if it never
    polled), whether or not ``stop`` was reached, as kamaki does."""
    details = None
    polls = int(timeout // delay) if delay else 1
    for i in range(polls):
        details = poll(*poll_params)
        if wait_cb:
            wait_cb(details)
        if stop(details):
            break
        if i + 1 < polls:
            time.sleep(delay)
    return details


class Waiter(object):
    """kamaki's wait mix-in (deprecated in kamaki since 0.16, kept for its
    scripts). ``get_status(client, item_id)`` (or a bound method taking
    ``item_id``) returns ``(status, progress or None)``; ``wait_cb(steps)``
    returns a progress generator."""

    def _wait(self, item_id, wait_status, get_status, delay=1, max_wait=100,
              wait_cb=None, wait_until_status=False):
        def done(status):
            if wait_until_status:
                return status == wait_status
            return status != wait_status

        def advance(generator, steps):
            for _ in range(steps):
                if generator is None:
                    return None
                try:
                    next(generator)
                except Exception:
                    return None
            return generator

        if getattr(get_status, '__self__', None) is None:
            # kamaki passes the client to a plain function.
            get_status = functools.partial(get_status, self)
        status, progress = get_status(item_id)
        generator = None
        if wait_cb:
            generator = advance(wait_cb(max_wait // delay), 1)
        if done(status):
            return status
        waited = reported = 0
        while not done(status) and waited <= max_wait:
            generator = advance(generator, waited - reported)
            reported = waited
            # A progress the server reports counts as the time waited.
            waited = progress or waited + 1
            time.sleep(delay)
            status, progress = get_status(item_id)
        if waited < max_wait:
            advance(generator, max_wait)
        return status if done(status) else False

    def wait_until(self, item_id, target_status, get_status, delay=1,
                   max_wait=100, wait_cb=None):
        """Polls until the item's status is ``target_status``: returns it, or
        False on timeout."""
        return self._wait(item_id, target_status, get_status, delay, max_wait,
                          wait_cb, wait_until_status=True)

    def wait_while(self, item_id, target_status, get_status, delay=1,
                   max_wait=100, wait_cb=None):
        """Polls while the item's status is ``target_status``: returns the new
        status, or False on timeout."""
        return self._wait(item_id, target_status, get_status, delay, max_wait,
                          wait_cb, wait_until_status=False)
