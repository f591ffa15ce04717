"""The REST layer of Pithos+: one method per verb on the account, a
container and an object, each sending what its keyword arguments ask for
and returning the ``Response``.

Every method also takes the keyword arguments of ``Client.request``:
``success`` (each method has kamaki's default), ``data``, ``json``,
``headers``, ``params``, ``async_headers``, ``async_params``. Headers and
parameters the method derives from its arguments win over ``headers`` and
``params`` given that way; ``async_headers`` and ``async_params`` win over
everything. ``_account`` and ``_container`` (private) aim one call at
another account or container than ``self.account`` and
``self.container``.

Metadata and group header names and values, and the object paths of
``X-Copy-From``, ``X-Move-From``, ``X-Source-Object``,
``X-Object-Manifest`` and ``Destination``, are percent-encoded as kamaki
encodes them (UTF-8, ``/`` kept); Pithos decodes them. Pithos encodes the
values of its ``X-Account-*``, ``X-Container-*``, ``X-Object-*`` and
``Content-*`` reply headers, and the ``Response`` headers come decoded, as
in kamaki.
"""

from urllib.parse import quote, unquote

from kamaki import clients as _base
from kamaki.clients.storage import StorageClient

__all__ = ['PithosRestClient']


# Pithos percent-encodes the values of every X-Account-*, X-Container-*,
# X-Object-* and Content-* reply header, and kamaki decodes them all. The
# base decodes the metadata and sharing ones; these decode the rest (e.g.
# X-Container-Object-Meta, X-Object-Manifest), once.
_PITHOS_QUOTED = ('x-account-', 'x-container-', 'x-object-', 'content-')
_BASE_PREFIXES = tuple(getattr(_base, '_QUOTED_PREFIXES', ()))
_BASE_NAMES = tuple(getattr(_base, '_QUOTED_NAMES', ()))


def _unquote_reply(response):
    headers = response.headers
    for name, value in list(headers.items()):
        if ('%' in value and name.startswith(_PITHOS_QUOTED)
                and not name.startswith(_BASE_PREFIXES)
                and name not in _BASE_NAMES):
            headers[name] = unquote(value)
    return response


def _quote(value):
    """``value`` as text, UTF-8 percent-encoded with ``/`` kept (kamaki's
    ``urllib.quote``)."""
    return quote('%s' % value, safe='/')


def _header(headers, name, value, iff=True):
    """Sets ``headers[name]`` to ``value`` as text if it is not None and
    ``iff`` holds."""
    if value is not None and iff:
        headers[name] = '%s' % value


def _quoted_header(headers, name, value, iff=True):
    """Sets ``headers[quoted name]`` to the quoted ``value``, under the
    same condition as ``_header``."""
    if value is not None and iff:
        headers[_quote(name)] = _quote(value)


def _sharing(permissions):
    """The ``X-Object-Sharing`` value of a permissions dict
    (``{'read': [...], 'write': [...]}``): ``read=a,b;write=c``, one
    group per non-empty list (a string is taken as already joined); empty
    when every list is empty, which removes all sharing."""
    groups = []
    for kind, who in permissions.items():
        if not who:
            continue
        if not isinstance(who, str):
            who = ','.join('%s' % w for w in who)
        groups.append('%s=%s' % (kind, who))
    return ';'.join(groups)


def _meta_headers(headers, prefix, metadata):
    for key, value in (metadata or {}).items():
        _quoted_header(headers, prefix + key, value)


def _object_attributes(headers, permissions, public, metadata):
    """What an object write sets besides its data: ``X-Object-Sharing``
    (when ``permissions`` is a non-empty dict), ``X-Object-Public`` and an
    ``X-Object-Meta-<key>`` per item of ``metadata``."""
    if permissions:
        headers['X-Object-Sharing'] = _sharing(permissions)
    _header(headers, 'X-Object-Public', public)
    _meta_headers(headers, 'X-Object-Meta-', metadata)


class PithosRestClient(StorageClient):
    """Every Pithos+ request on ``/<account>``, ``/<account>/<container>``
    and ``/<account>/<container>/<object>``."""

    service_type = 'object-store'

    def _send(self, method, path, headers, params, success, args, kwargs):
        """Sends ``method`` to ``path`` with the caller's ``headers`` and
        ``params`` keyword arguments under the method's own."""
        all_headers = dict(kwargs.pop('headers', None) or {})
        all_headers.update(headers)
        all_params = dict(kwargs.pop('params', None) or {})
        all_params.update(params)
        kwargs['success'] = kwargs.pop('success', success)
        return _unquote_reply(self.request(
            method, path, *args, headers=all_headers, params=all_params,
            **kwargs))

    @staticmethod
    def _if_dates(headers, if_modified_since, if_unmodified_since):
        _header(headers, 'If-Modified-Since', if_modified_since)
        _header(headers, 'If-Unmodified-Since', if_unmodified_since)

    # account

    def account_head(
            self, until=None, if_modified_since=None,
            if_unmodified_since=None, *args, **kwargs):
        """HEAD ``/<account>`` (204) with ``?until`` and the
        ``If-Modified-Since``/``If-Unmodified-Since`` dates if given: the
        ``Response`` (its headers: ``x-account-*``, ``last-modified``)."""
        path = self._account_path(kwargs.pop('_account', None))
        params = {} if not until else {'until': until}
        headers = {}
        self._if_dates(headers, if_modified_since, if_unmodified_since)
        return self._send('head', path, headers, params, 204, args, kwargs)

    def account_get(
            self, limit=None, marker=None, format='json',
            show_only_shared=False, public=False, until=None,
            if_modified_since=None, if_unmodified_since=None,
            *args, **kwargs):
        """GET ``/<account>`` (200, 204): the container listing, with
        ``limit``, ``marker``, ``format``, ``until`` if given, and the bare
        flags ``shared`` (``show_only_shared``) and ``public``."""
        path = self._account_path(kwargs.pop('_account', None))
        params = {}
        if limit:
            params['limit'] = limit
        if marker:
            params['marker'] = marker
        if format:
            params['format'] = format
        if show_only_shared:
            params['shared'] = None
        if public:
            params['public'] = None
        if until:
            params['until'] = until
        headers = {}
        self._if_dates(headers, if_modified_since, if_unmodified_since)
        return self._send(
            'get', path, headers, params, (200, 204), args, kwargs)

    def account_post(
            self, update=True, groups=None, metadata=None, quota=None,
            versioning=None, *args, **kwargs):
        """POST ``/<account>`` (202), with ``?update`` unless ``update`` is
        false (then the server replaces metadata and groups): an
        ``X-Account-Group-<name>: <uuid>,<uuid>`` per item of ``groups``
        (an empty list deletes the group), an ``X-Account-Meta-<key>`` per
        item of ``metadata`` (an empty value deletes it), and
        ``X-Account-Policy-Quota``/``-Versioning`` if given."""
        path = self._account_path(kwargs.pop('_account', None))
        params = {'update': None} if update else {}
        headers = {}
        for group, members in (groups or {}).items():
            if not isinstance(members, str):
                members = ','.join('%s' % m for m in members)
            _quoted_header(headers, 'X-Account-Group-%s' % group, members)
        _meta_headers(headers, 'X-Account-Meta-', metadata)
        _header(headers, 'X-Account-Policy-Quota', quota)
        _header(headers, 'X-Account-Policy-Versioning', versioning)
        return self._send('post', path, headers, params, 202, args, kwargs)

    # container

    def _cpath(self, kwargs):
        return self._container_path(
            kwargs.pop('_container', None), kwargs.pop('_account', None))

    def container_head(
            self, until=None, if_modified_since=None,
            if_unmodified_since=None, *args, **kwargs):
        """HEAD ``/<account>/<container>`` (204) with ``?until`` and the
        If-dates if given: the ``Response`` (its headers:
        ``x-container-*``, ``last-modified``)."""
        path = self._cpath(kwargs)
        params = {} if not until else {'until': until}
        headers = {}
        self._if_dates(headers, if_modified_since, if_unmodified_since)
        return self._send('head', path, headers, params, 204, args, kwargs)

    def container_get(
            self, limit=None, marker=None, prefix=None, delimiter=None,
            path=None, format='json', meta=None, show_only_shared=False,
            public=False, until=None, if_modified_since=None,
            if_unmodified_since=None, *args, **kwargs):
        """GET ``/<account>/<container>`` (200): the object listing, with
        ``limit``, ``marker``, ``path`` (or else ``prefix`` and
        ``delimiter``), ``format``, ``meta`` (a list, sent comma-joined),
        ``until`` if given, and the bare flags ``shared``
        (``show_only_shared``) and ``public``. An empty container answers
        204, which raises unless ``success`` allows it."""
        url = self._cpath(kwargs)
        params = self._listing_params(limit, marker, prefix, delimiter, path)
        if format:
            params['format'] = format
        if show_only_shared:
            params['shared'] = None
        if public:
            params['public'] = None
        if meta:
            params['meta'] = ','.join(meta)
        if until:
            params['until'] = until
        headers = {}
        self._if_dates(headers, if_modified_since, if_unmodified_since)
        return self._send('get', url, headers, params, 200, args, kwargs)

    @staticmethod
    def _container_policy(headers, quota, versioning, project_id, metadata):
        _header(headers, 'X-Container-Policy-Quota', quota)
        _header(headers, 'X-Container-Policy-Versioning', versioning)
        _header(headers, 'X-Container-Policy-Project', project_id)
        _meta_headers(headers, 'X-Container-Meta-', metadata)

    def container_put(
            self, quota=None, versioning=None, project_id=None,
            metadata=None, *args, **kwargs):
        """PUT ``/<account>/<container>`` (201 created, 202 exists) with
        ``X-Container-Policy-Quota`` (bytes), ``-Versioning`` (``auto`` or
        ``none``), ``-Project`` and an ``X-Container-Meta-<key>`` per item
        of ``metadata``, as given."""
        path = self._cpath(kwargs)
        headers = {}
        self._container_policy(
            headers, quota, versioning, project_id, metadata)
        return self._send('put', path, headers, {}, (201, 202), args, kwargs)

    def container_post(
            self, update=True, format='json', quota=None, versioning=None,
            project_id=None, metadata=None, content_type=None,
            content_length=None, transfer_encoding=None, *args, **kwargs):
        """POST ``/<account>/<container>`` (202) with ``?update`` (unless
        ``update`` is false) and ``format``; the policy and meta headers of
        ``container_put``, and ``Content-Type``, ``Content-Length`` and
        ``Transfer-Encoding`` if given (with a ``data`` body of
        ``application/octet-stream`` this uploads blocks)."""
        path = self._cpath(kwargs)
        params = {'update': None} if update else {}
        if format:
            params['format'] = format
        headers = {}
        self._container_policy(
            headers, quota, versioning, project_id, metadata)
        _header(headers, 'Content-Type', content_type)
        _header(headers, 'Content-Length', content_length)
        _header(headers, 'Transfer-Encoding', transfer_encoding)
        return self._send('post', path, headers, params, 202, args, kwargs)

    def container_delete(self, until=None, delimiter=None, *args, **kwargs):
        """DELETE ``/<account>/<container>`` (204) with ``until`` (purge
        the history up to then) and ``delimiter`` (``/``: delete the
        objects first) if given."""
        path = self._cpath(kwargs)
        params = {}
        if until:
            params['until'] = until
        if delimiter:
            params['delimiter'] = delimiter
        return self._send('delete', path, {}, params, 204, args, kwargs)

    # object

    def _opath(self, obj, kwargs):
        return self._object_path(
            obj, kwargs.pop('_container', None), kwargs.pop('_account', None))

    @staticmethod
    def _conditions(headers, if_etag_match, if_etag_not_match):
        _header(headers, 'If-Match', if_etag_match)
        _header(headers, 'If-None-Match', if_etag_not_match)

    def object_head(
            self, obj, version=None, if_etag_match=None,
            if_etag_not_match=None, if_modified_since=None,
            if_unmodified_since=None, *args, **kwargs):
        """HEAD ``/<account>/<container>/<obj>`` (200) with ``?version`` and
        ``If-Match``/``If-None-Match`` and the If-dates if given."""
        path = self._opath(obj, kwargs)
        params = {'version': version} if version else {}
        headers = {}
        self._conditions(headers, if_etag_match, if_etag_not_match)
        self._if_dates(headers, if_modified_since, if_unmodified_since)
        return self._send('head', path, headers, params, 200, args, kwargs)

    def object_get(
            self, obj, format='json', hashmap=False, version=None,
            data_range=None, if_range=False, if_etag_match=None,
            if_etag_not_match=None, if_modified_since=None,
            if_unmodified_since=None, *args, **kwargs):
        """GET ``/<account>/<container>/<obj>`` (200) with ``format``,
        ``hashmap=True`` (the block list instead of the data), ``version``
        (``list`` lists the versions), ``Range: <data_range>`` (and an
        empty ``If-Range`` with ``if_range``), ``If-Match``,
        ``If-None-Match`` and the If-dates, as given."""
        path = self._opath(obj, kwargs)
        params = {}
        if format:
            params['format'] = format
        if hashmap:
            params['hashmap'] = hashmap
        if version:
            params['version'] = version
        headers = {}
        _header(headers, 'Range', data_range)
        _header(headers, 'If-Range', '', if_range and data_range)
        self._conditions(headers, if_etag_match, if_etag_not_match)
        self._if_dates(headers, if_modified_since, if_unmodified_since)
        return self._send('get', path, headers, params, 200, args, kwargs)

    def object_put(
            self, obj, format='json', hashmap=False, delimiter=None,
            if_etag_match=None, if_etag_not_match=None, etag=None,
            content_length=None, content_type=None, transfer_encoding=None,
            copy_from=None, move_from=None, source_account=None,
            source_version=None, content_encoding=None,
            content_disposition=None, manifest=None, permissions=None,
            public=None, metadata=None, *args, **kwargs):
        """PUT ``/<account>/<container>/<obj>`` (201): creates or replaces
        the object from the ``data`` body, from a hashmap (``hashmap``:
        the body is ``{"bytes", "hashes"}`` JSON; a 409 lists the missing
        blocks), or from another object (``copy_from``/``move_from``:
        ``/<container>/<object>``, with ``source_account`` and
        ``source_version``; ``delimiter`` also takes what is under it).

        Query: ``format``, ``hashmap``, ``delimiter``. Headers, as given:
        ``If-Match``, ``If-None-Match``, ``ETag``, ``Content-Length``,
        ``Content-Type``, ``Transfer-Encoding``, ``X-Copy-From``,
        ``X-Move-From``, ``X-Source-Account``, ``X-Source-Version``,
        ``Content-Encoding``, ``Content-Disposition``,
        ``X-Object-Manifest``, ``X-Object-Sharing`` (from the
        ``permissions`` dict), ``X-Object-Public`` (whenever ``public`` is
        not None) and an ``X-Object-Meta-<key>`` per item of
        ``metadata``."""
        path = self._opath(obj, kwargs)
        params = {}
        if format:
            params['format'] = format
        if hashmap:
            params['hashmap'] = hashmap
        if delimiter:
            params['delimiter'] = delimiter
        headers = {}
        self._conditions(headers, if_etag_match, if_etag_not_match)
        _header(headers, 'ETag', etag)
        _header(headers, 'Content-Length', content_length)
        _header(headers, 'Content-Type', content_type)
        _header(headers, 'Transfer-Encoding', transfer_encoding)
        _quoted_header(headers, 'X-Copy-From', copy_from)
        _quoted_header(headers, 'X-Move-From', move_from)
        _header(headers, 'X-Source-Account', source_account)
        _header(headers, 'X-Source-Version', source_version)
        _header(headers, 'Content-Encoding', content_encoding)
        _header(headers, 'Content-Disposition', content_disposition)
        _quoted_header(headers, 'X-Object-Manifest', manifest)
        _object_attributes(headers, permissions, public, metadata)
        return self._send('put', path, headers, params, 201, args, kwargs)

    def _copy_or_move(
            self, method, obj, destination, format, ignore_content_type,
            if_etag_match, if_etag_not_match, destination_account,
            content_type, content_encoding, content_disposition,
            source_version, permissions, public, metadata, args, kwargs):
        path = self._opath(obj, kwargs)
        params = {}
        if format:
            params['format'] = format
        if ignore_content_type:
            params['ignore_content_type'] = None
        headers = {}
        self._conditions(headers, if_etag_match, if_etag_not_match)
        _quoted_header(headers, 'Destination', destination)
        _header(headers, 'Destination-Account', destination_account)
        _header(headers, 'Content-Type', content_type)
        _header(headers, 'Content-Encoding', content_encoding)
        _header(headers, 'Content-Disposition', content_disposition)
        _header(headers, 'X-Source-Version', source_version)
        _object_attributes(headers, permissions, public, metadata)
        return self._send(method, path, headers, params, 201, args, kwargs)

    def object_copy(
            self, obj, destination, format='json', ignore_content_type=False,
            if_etag_match=None, if_etag_not_match=None,
            destination_account=None, content_type=None,
            content_encoding=None, content_disposition=None,
            source_version=None, permissions=None, public=None,
            metadata=None, *args, **kwargs):
        """COPY ``/<account>/<container>/<obj>`` (201) to ``Destination:
        /<container>/<object>`` (of ``Destination-Account`` if given), with
        ``format``, the bare ``ignore_content_type`` flag, ``If-Match``,
        ``If-None-Match``, ``Content-Type``, ``Content-Encoding``,
        ``Content-Disposition``, ``X-Source-Version``,
        ``X-Object-Sharing``, ``X-Object-Public`` and
        ``X-Object-Meta-<key>`` headers as given (metadata is added to the
        source's)."""
        return self._copy_or_move(
            'copy', obj, destination, format, ignore_content_type,
            if_etag_match, if_etag_not_match, destination_account,
            content_type, content_encoding, content_disposition,
            source_version, permissions, public, metadata, args, kwargs)

    def object_move(
            self, object, format='json', ignore_content_type=False,
            if_etag_match=None, if_etag_not_match=None, destination=None,
            destination_account=None, content_type=None,
            content_encoding=None, content_disposition=None,
            permissions=None, public=None, metadata=None, *args, **kwargs):
        """MOVE ``/<account>/<container>/<object>`` (201) to ``Destination:
        /<container>/<object>``, with the query and headers of
        ``object_copy`` (no source version)."""
        return self._copy_or_move(
            'move', object, destination, format, ignore_content_type,
            if_etag_match, if_etag_not_match, destination_account,
            content_type, content_encoding, content_disposition, None,
            permissions, public, metadata, args, kwargs)

    def object_post(
            self, obj, format='json', update=True, if_etag_match=None,
            if_etag_not_match=None, content_length=None, content_type=None,
            content_range=None, transfer_encoding=None,
            content_encoding=None, content_disposition=None,
            source_object=None, source_account=None, source_version=None,
            object_bytes=None, manifest=None, permissions=None, public=None,
            metadata=None, *args, **kwargs):
        """POST ``/<account>/<container>/<obj>`` (202, 204): updates
        metadata, sharing and publicity, or the data (a ``data`` body or
        ``source_object`` written at ``Content-Range``, ``object_bytes``
        the new size).

        Query: ``format``, ``update`` (bare; without it the server replaces
        the metadata). Headers, as given: ``If-Match``, ``If-None-Match``,
        ``Content-Length`` (left out with ``transfer_encoding``),
        ``Content-Type``, ``Content-Range``, ``Transfer-Encoding``,
        ``Content-Encoding``, ``Content-Disposition``, ``X-Source-Object``,
        ``X-Source-Account``, ``X-Source-Version``, ``X-Object-Bytes``,
        ``X-Object-Manifest``, ``X-Object-Sharing`` (sent when
        ``permissions`` is a non-empty dict, even if every list in it is
        empty: that removes the sharing), ``X-Object-Public`` and
        ``X-Object-Meta-<key>`` (an empty value deletes the key)."""
        path = self._opath(obj, kwargs)
        params = {}
        if format:
            params['format'] = format
        if update:
            params['update'] = None
        headers = {}
        self._conditions(headers, if_etag_match, if_etag_not_match)
        _header(headers, 'Content-Length', content_length,
                iff=not transfer_encoding)
        _header(headers, 'Content-Type', content_type)
        _header(headers, 'Content-Range', content_range)
        _header(headers, 'Transfer-Encoding', transfer_encoding)
        _header(headers, 'Content-Encoding', content_encoding)
        _header(headers, 'Content-Disposition', content_disposition)
        _quoted_header(headers, 'X-Source-Object', source_object)
        _header(headers, 'X-Source-Account', source_account)
        _header(headers, 'X-Source-Version', source_version)
        _header(headers, 'X-Object-Bytes', object_bytes)
        _quoted_header(headers, 'X-Object-Manifest', manifest)
        _object_attributes(headers, permissions, public, metadata)
        return self._send(
            'post', path, headers, params, (202, 204), args, kwargs)

    def object_delete(
            self, object, until=None, delimiter=None, *args, **kwargs):
        """DELETE ``/<account>/<container>/<object>`` (204) with ``until``
        (purge the history up to then) and ``delimiter`` (``/``: also what
        is under ``<object>/``) if given."""
        path = self._opath(object, kwargs)
        params = {}
        if until:
            params['until'] = until
        if delimiter:
            params['delimiter'] = delimiter
        return self._send('delete', path, {}, params, 204, args, kwargs)
