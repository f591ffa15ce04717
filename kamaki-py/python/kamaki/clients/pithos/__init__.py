"""Pithos+, Synnefo's object storage: ``PithosClient`` (kamaki's high-level
calls) over ``PithosRestClient`` (the REST verbs).

The data transfers (``upload_object``, ``upload_from_string``,
``download_object``, ``download_to_string``, ``stream_down``,
``upload_tree``, ``download_tree``) come from ``Transfers``, on the Rust
transfer engine. Every other call here sends one or a few requests; none
of them changes ``self.account`` or ``self.container`` behind the caller's
back (kamaki swapped ``self.container`` for a moment, or for good in
``copy_object``/``move_object``), so threads may share a client.
``use_alternative_account`` is the exception: it swaps the account, as
kamaki does, for the duration of its call.
"""

import json
import os
import time

from kamaki.clients import ClientError
from kamaki.clients.pithos.rest_api import PithosRestClient
from kamaki.clients.pithos.transfers import Transfers
from kamaki.clients.utils import filter_in, path4url, readall

__all__ = ['PithosClient', 'PithosRestClient', 'ClientError']


def _file_size(f):
    """The size of an open file: ``fstat`` if it has a descriptor, else by
    seeking to its end (the position is restored)."""
    try:
        return os.fstat(f.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        here = f.tell()
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(here)
        return size


def _advance(gen):
    """Advances a progress generator one step, if there is one left."""
    if gen is not None:
        try:
            next(gen)
        except StopIteration:
            pass


class PithosClient(Transfers, PithosRestClient):
    """A Pithos+ account (``account``: the user's uuid) and a default
    container (``container``) on an ``object-store`` endpoint. The data
    methods (``Transfers``) come first: they replace StorageClient's
    one-request ``upload_object``."""

    def __init__(self, endpoint_url, token, account=None, container=None):
        super(PithosClient, self).__init__(
            endpoint_url, token, account, container)

    def use_alternative_account(self, func, *args, **kwargs):
        """Calls ``func(*args, **kwargs)`` with ``self.account`` set to the
        keyword argument ``alternative_account`` (if given and not None),
        and sets it back afterwards; returns what ``func`` returns. The
        swap is visible to other threads using this client."""
        alternative_account = kwargs.pop('alternative_account', None)
        account = self.account
        try:
            if alternative_account and alternative_account != account:
                self.account = alternative_account
            return func(*args, **kwargs)
        finally:
            self.account = account

    # containers

    def create_container(
            self, container=None, sizelimit=None, versioning=None,
            metadata=None, project_id=None, **kwargs):
        """PUT ``/<account>/<container or self.container>`` (201, or 202 if
        it exists; ``success=`` changes that) with the quota
        (``sizelimit``, bytes), ``versioning``, ``metadata`` and
        ``project_id`` policies given: the reply headers. An existing
        container is not an error."""
        r = self.container_put(
            quota=sizelimit, versioning=versioning, metadata=metadata,
            project_id=project_id, _container=container, **kwargs)
        return r.headers

    def purge_container(self, container=None):
        """DELETE ``/<account>/<container>?until=<now>`` (204), ``now`` the
        epoch time as a float, as kamaki sends it: the reply headers.

        Pithos takes only an integer ``until`` as a point in time, so it
        ignores this one and deletes the container with its history, as
        kamaki's docstring promises ("delete an empty container and
        destroy associated blocks"); a container that still holds objects
        raises ``ClientError`` 409."""
        r = self.container_delete(until='%s' % time.time(),
                                  _container=container)
        return r.headers

    def del_container(self, until=None, delimiter=None):
        """DELETE ``/<account>/<container>`` (204) with ``until`` and
        ``delimiter`` (``/`` deletes the objects first) if given: the
        reply headers. 404 raises ``ClientError('Container "<c>" does not
        exist')``, 409 ``ClientError('Container "<c>" is not empty')``."""
        self._assert_container()
        container = self.container
        r = self.container_delete(
            until=until, delimiter=delimiter, success=(204, 404, 409))
        if r.status_code == 404:
            raise ClientError(
                'Container "%s" does not exist' % container, r.status_code)
        if r.status_code == 409:
            raise ClientError(
                'Container "%s" is not empty' % container, r.status_code)
        return r.headers

    def list_containers(self):
        """GET ``/<account>?format=json`` (200, 204): the list of container
        dicts (``name``, ``count``, ``bytes``, ``last_modified``,
        ``x_container_policy``...); ``[]`` when there are none."""
        return self._listing(self.account_get())

    def get_container_info(self, container=None, until=None):
        """HEAD ``/<account>/<container or self.container>`` (204) with
        ``until`` if given: the reply headers (``x-container-block-size``,
        ``-block-hash``, ``-bytes-used``, ``-object-count``,
        ``-object-meta``, ``x-container-policy-*``, ``x-container-meta-*``,
        ``last-modified``). A failure's ``details`` end with ``for container
        <c>``."""
        container = container or self.container
        try:
            self._assert_container(container)
            r = self.container_head(until=until, _container=container)
        except ClientError as err:
            err.details.append('for container %s' % container)
            raise
        return r.headers

    def get_container_versioning(self, container=None):
        """``{'x-container-policy-versioning': ...}`` of the container
        (HEAD)."""
        return filter_in(self.get_container_info(container),
                         'X-Container-Policy-Versioning')

    def get_container_limit(self, container=None):
        """``{'x-container-policy-quota': ...}`` of the container (HEAD);
        ``'0'`` means no limit."""
        return filter_in(self.get_container_info(container),
                         'X-Container-Policy-Quota')

    def get_container_meta(self, until=None, container=None):
        """The ``x-container-meta-*`` headers of the container (HEAD, with
        ``until`` if given), full names as keys. ``container`` (an
        addition) names another container than ``self.container``."""
        return filter_in(self.get_container_info(container, until=until),
                         'X-Container-Meta')

    def get_container_object_meta(self, until=None, container=None):
        """``{'x-container-object-meta': ...}``: the metadata keys used by
        the container's objects (HEAD, with ``until`` if given)."""
        return filter_in(self.get_container_info(container, until=until),
                         'X-Container-Object-Meta')

    def set_container_meta(self, metapairs):
        """POST ``/<account>/<container>?update`` (202) with an
        ``X-Container-Meta-<key>`` per item of the dict ``metapairs``: the
        reply headers."""
        assert isinstance(metapairs, dict), 'metapairs must be a dict'
        return self.container_post(update=True, metadata=metapairs).headers

    def del_container_meta(self, metakey):
        """POST ``/<account>/<container>?update`` (202) with an empty
        ``X-Container-Meta-<metakey>``: the reply headers."""
        return self.container_post(
            update=True, metadata={metakey: ''}).headers

    def set_container_limit(self, limit):
        """POST ``/<account>/<container>?update`` (202) with
        ``X-Container-Policy-Quota: <limit>`` (bytes, 0 = none): the reply
        headers."""
        return self.container_post(update=True, quota=limit).headers

    def set_container_versioning(self, versioning):
        """POST ``/<account>/<container>?update`` (202) with
        ``X-Container-Policy-Versioning: <versioning>`` (``auto`` or
        ``none``): the reply headers."""
        return self.container_post(
            update=True, versioning=versioning).headers

    def reassign_container(self, project_id):
        """POST ``/<account>/<container>?update`` (202) with
        ``X-Container-Policy-Project: <project_id>``: the reply headers."""
        return self.container_post(project_id=project_id).headers

    # account

    def get_account_info(self, until=None):
        """HEAD ``/<account>`` (204) with ``until`` if given: the reply
        headers (``x-account-bytes-used``, ``-container-count``,
        ``x-account-policy-quota``, ``-versioning``, ``x-account-meta-*``,
        ``x-account-group-*``, ``last-modified``)."""
        return self.account_head(until=until).headers

    def get_account_quota(self):
        """``{'x-account-policy-quota': ...}`` of the account (HEAD)."""
        return filter_in(self.get_account_info(), 'X-Account-Policy-Quota',
                         exactMatch=True)

    def get_account_meta(self, until=None):
        """The ``x-account-meta-*`` headers of the account (HEAD), full
        names as keys."""
        return filter_in(self.get_account_info(until=until),
                         'X-Account-Meta-')

    def get_account_group(self):
        """The ``x-account-group-*`` headers of the account (HEAD): each
        group's members as one comma-separated string."""
        return filter_in(self.get_account_info(), 'X-Account-Group-')

    def set_account_meta(self, metapairs):
        """POST ``/<account>?update`` (202) with an ``X-Account-Meta-<key>``
        per item of the dict ``metapairs``: the reply headers."""
        assert isinstance(metapairs, dict), 'metapairs must be a dict'
        return self.account_post(update=True, metadata=metapairs).headers

    def del_account_meta(self, metakey):
        """POST ``/<account>?update`` (202) with an empty
        ``X-Account-Meta-<metakey>``: the reply headers."""
        return self.account_post(
            update=True, metadata={metakey: ''}).headers

    def set_account_group(self, group, usernames):
        """POST ``/<account>?update`` (202) with ``X-Account-Group-<group>:
        <uuid>,<uuid>...`` (``usernames``, a list of user uuids): the
        ``Response``, as kamaki returns it."""
        return self.account_post(update=True, groups={group: usernames})

    def del_account_group(self, group):
        """POST ``/<account>?update`` (202) with an empty
        ``X-Account-Group-<group>``. Returns None."""
        self.account_post(update=True, groups={group: []})

    def get_sharing_accounts(self, limit=None, marker=None, *args, **kwargs):
        """GET ``<endpoint>/?format=json`` (200, 204) with ``limit`` and
        ``marker`` if given: the accounts that share objects with this
        user, as a list of ``{'name': <uuid>, 'last_modified': ...}``
        (``[]`` when none do)."""
        self._assert_account()
        params = {'format': 'json'}
        if limit is not None:
            params['limit'] = limit
        if marker is not None:
            params['marker'] = marker
        r = self._send('get', path4url(''), {}, params, (200, 204), args,
                       kwargs)
        return self._listing(r)

    # objects

    def upload_object_unchunked(
            self, obj, f, withHashFile=False, size=None, etag=None,
            content_encoding=None, content_disposition=None,
            content_type=None, sharing=None, public=None):
        """PUT ``/<account>/<container>/<obj>`` (201) with the contents of
        the open file ``f`` (its first ``size`` bytes if given) as the body,
        and ``ETag``, ``Content-Encoding``, ``Content-Disposition``,
        ``Content-Type``, ``X-Object-Sharing`` (``sharing``: ``{'read':
        [...], 'write': [...]}``) and ``X-Object-Public`` as given: the
        reply headers.

        With ``withHashFile``, ``f`` holds a hashmap (``{"bytes": n,
        "hashes": [...]}`` JSON) and the object is made of those blocks
        (``?hashmap``; missing blocks raise ``ClientError`` 409). kamaki
        uploaded the JSON itself as the object's contents.

        Pithos refuses a PUT without ``Content-Type`` (411), which kamaki
        sent when ``content_type`` was None; it defaults here to
        ``application/octet-stream``, as in ``upload_object``."""
        self._assert_container()
        content_type = content_type or 'application/octet-stream'
        params = {}
        if withHashFile:
            text = f.read()
            if isinstance(text, bytes):
                text = text.decode('utf-8')
            try:
                data = json.dumps(json.loads(text))
            except ValueError:
                raise ClientError('"%s" is not json-formated' % getattr(
                    f, 'name', f), 1)
            params['hashmap'] = True
        else:
            data = readall(f, size) if size else f.read()
        r = self.object_put(
            obj, data=data, etag=etag, content_encoding=content_encoding,
            content_disposition=content_disposition,
            content_type=content_type, permissions=sharing, public=public,
            params=params, success=201)
        return r.headers

    def create_object_by_manifestation(
            self, obj, etag=None, content_encoding=None,
            content_disposition=None, content_type=None, sharing=None,
            public=None):
        """PUT ``/<account>/<container>/<obj>`` (201) with ``Content-Length:
        0`` and ``X-Object-Manifest: <container>/<obj>``: an object whose
        contents are those of the objects named ``<obj>...``, in name
        order; ``ETag``, ``Content-Encoding``, ``Content-Disposition``,
        ``Content-Type`` (``application/octet-stream`` if None: Pithos
        refuses a PUT without one, as it refused kamaki's), sharing and
        publicity as given. Returns the reply headers."""
        account, container = self._assert_container()
        content_type = content_type or 'application/octet-stream'
        r = self.object_put(
            obj, content_length=0, etag=etag,
            content_encoding=content_encoding,
            content_disposition=content_disposition,
            content_type=content_type, permissions=sharing, public=public,
            manifest='%s/%s' % (container, obj))
        return r.headers

    def get_object_hashmap(
            self, obj, version=None, if_match=None, if_none_match=None,
            if_modified_since=None, if_unmodified_since=None, headers=None):
        """GET ``/<account>/<container>/<obj>?format=json&hashmap=True``
        (200) with ``version``, ``If-Match``, ``If-None-Match`` and the
        If-dates as given: ``{'block_size', 'block_hash', 'bytes',
        'hashes'}``, or ``{}`` if the conditions answer 304 or 412. The
        reply headers are added to the dict ``headers`` if one is given."""
        try:
            r = self.object_get(
                obj, hashmap=True, version=version, if_etag_match=if_match,
                if_etag_not_match=if_none_match,
                if_modified_since=if_modified_since,
                if_unmodified_since=if_unmodified_since)
        except ClientError as err:
            if err.status in (304, 412):
                return {}
            raise
        if headers is not None:
            headers.update(r.headers)
        return r.json

    def get_object_info(self, obj, version=None):
        """HEAD ``/<account>/<container>/<obj>`` (200) with ``version`` if
        given: the reply headers (``etag``, ``content-length``,
        ``content-type``, ``last-modified``, ``x-object-*``). 404 raises
        ``ClientError('Object <obj> not found', 404)``."""
        try:
            return self.object_head(obj, version=version).headers
        except ClientError as err:
            if err.status == 404:
                raise ClientError('Object %s not found' % obj, status=404)
            raise

    def get_object_meta(self, obj, version=None):
        """The ``x-object-meta-*`` headers of the object (HEAD), full names
        as keys."""
        return filter_in(self.get_object_info(obj, version=version),
                         'X-Object-Meta')

    def set_object_meta(self, obj, metapairs):
        """POST ``/<account>/<container>/<obj>?update`` (202) with an
        ``X-Object-Meta-<key>`` per item of the dict ``metapairs``: the
        reply headers."""
        assert isinstance(metapairs, dict), 'metapairs must be a dict'
        return self.object_post(obj, update=True, metadata=metapairs).headers

    def del_object_meta(self, obj, metakey):
        """POST ``/<account>/<container>/<obj>?update`` (202) with an empty
        ``X-Object-Meta-<metakey>``: the reply headers."""
        return self.object_post(
            obj, update=True, metadata={metakey: ''}).headers

    def del_object(self, obj, until=None, delimiter=None):
        """DELETE ``/<account>/<container>/<obj>`` (204) with ``until``
        (purge history) and ``delimiter`` (``/``: also what is under
        ``<obj>/``) if given: the reply headers."""
        self._assert_container()
        return self.object_delete(
            obj, until=until, delimiter=delimiter).headers

    def publish_object(self, obj):
        """POST ``/<account>/<container>/<obj>?update`` (202) with
        ``X-Object-Public: True``, then HEAD it: the public URL, the
        ``x-object-public`` header as the server gives it (absolute on
        Synnefo 0.14 and later)."""
        self.object_post(obj, update=True, public=True)
        return self.get_object_info(obj)['x-object-public']

    def unpublish_object(self, obj):
        """POST ``/<account>/<container>/<obj>?update`` (202) with
        ``X-Object-Public: False``: the reply headers."""
        return self.object_post(obj, update=True, public=False).headers

    def get_object_sharing(self, obj):
        """The object's ``x-object-sharing`` (HEAD) as a dict of
        comma-separated strings, ``{'read': 'a,b', 'write': 'c'}`` (``{}``
        if it is not shared); ``ClientError('Incorrect reply format')`` if
        the header cannot be read."""
        info = filter_in(self.get_object_info(obj), 'X-Object-Sharing',
                         exactMatch=True)
        reply = {}
        for value in info.values():
            for perm in value.split(';'):
                key, sep, who = perm.strip().partition('=')
                if not sep or '=' in who:
                    raise ClientError('Incorrect reply format')
                reply[key] = who
        return reply

    def set_object_sharing(
            self, obj, read_permission=False, write_permission=False):
        """POST ``/<account>/<container>/<obj>?update`` (202) with
        ``X-Object-Sharing: read=<...>;write=<...>``: each permission a
        list of user uuids, ``<owner uuid>:<group>`` and ``*``; a false
        one (the default) is dropped, so with neither the object is no
        longer shared. Returns the reply headers."""
        perms = dict(read=read_permission or '', write=write_permission or '')
        return self.object_post(obj, update=True, permissions=perms).headers

    def del_object_sharing(self, obj):
        """POST ``/<account>/<container>/<obj>?update`` (202) with an empty
        ``X-Object-Sharing``: the reply headers."""
        return self.set_object_sharing(obj)

    def append_object(self, obj, source_file, upload_cb=None):
        """Appends the open file ``source_file`` to the object: HEAD the
        container for its block size, then per block (in order) POST
        ``/<account>/<container>/<obj>?update`` (202, 204) with
        ``Content-Range: bytes */*``, ``Content-Type:
        application/octet-stream``, ``Content-Length`` and the block as
        the body. Returns the list of the replies' headers.

        ``upload_cb(nblocks)`` is a generator factory for progress: it is
        advanced once at the start and once per block. kamaki sent blocks
        in threads (which could reorder them) and slept after; these go
        one after the other."""
        self._assert_container()
        blocksize = int(self.get_container_info()['x-container-block-size'])
        filesize = _file_size(source_file)
        nblocks = 1 + (filesize - 1) // blocksize
        gen = upload_cb(nblocks) if upload_cb else None
        _advance(gen)
        replies, offset = [], 0
        for _ in range(nblocks):
            block = source_file.read(min(blocksize, filesize - offset))
            if not block:
                break
            offset += len(block)
            r = self.object_post(
                obj, update=True, content_range='bytes */*',
                content_type='application/octet-stream',
                content_length=len(block), data=block)
            replies.append(r.headers)
            _advance(gen)
        return replies

    def truncate_object(self, obj, upto_bytes):
        """Cuts the object to ``upto_bytes`` bytes: HEAD it for its
        content type, then POST ``?update`` (202, 204) with
        ``Content-Range: bytes 0-<upto_bytes>/*``, that ``Content-Type``,
        ``X-Object-Bytes: <upto_bytes>`` and ``X-Source-Object:
        /<container>/<obj>``. Returns the reply headers."""
        ctype = self.get_object_info(obj)['content-type']
        account, container = self._assert_container()
        r = self.object_post(
            obj, update=True, content_range='bytes 0-%s/*' % upto_bytes,
            content_type=ctype, object_bytes=upto_bytes,
            source_object=path4url(container, obj))
        return r.headers

    def overwrite_object(
            self, obj, start, end, source_file, source_version=None,
            upload_cb=None):
        """Writes bytes ``start``..``end`` (inclusive) of the object with
        the first ``end - start + 1`` bytes of the open file
        ``source_file``: HEAD the object (``version`` ``source_version``;
        ``AssertionError`` if ``start`` or ``end`` is past its size), HEAD
        the container for its block size, then per block, in order, POST
        ``?update`` (202, 204) with ``Content-Type:
        application/octet-stream``, ``Content-Length``, ``Content-Range:
        bytes <s>-<e>/*`` and ``X-Source-Version`` if given. Returns the
        list of the replies' headers; ``upload_cb`` as in
        ``append_object``."""
        self._assert_container()
        info = self.get_object_info(obj, version=source_version)
        size = int(info['content-length'])
        start, end = int(start), int(end)
        if start > size:
            raise AssertionError(
                'Range start %s exceeds file size %s' % (start, size))
        if end > size:
            raise AssertionError(
                'Range end %s exceeds file size %s' % (end, size))
        blocksize = int(self.get_container_info()['x-container-block-size'])
        filesize = _file_size(source_file)
        datasize = end - start + 1
        nblocks = 1 + (datasize - 1) // blocksize
        gen = upload_cb(nblocks) if upload_cb else None
        _advance(gen)
        replies, offset = [], 0
        for _ in range(nblocks):
            read_size = min(blocksize, filesize - offset, datasize - offset)
            block = source_file.read(read_size) if read_size > 0 else b''
            if not block:
                break
            r = self.object_post(
                obj, update=True, content_type='application/octet-stream',
                content_length=len(block),
                content_range='bytes %s-%s/*' % (
                    start + offset, start + offset + len(block) - 1),
                source_version=source_version, data=block)
            replies.append(dict(r.headers))
            offset += len(block)
            _advance(gen)
        return replies

    def copy_object(
            self, src_container, src_object, dst_container, dst_object=None,
            source_version=None, source_account=None, public=False,
            content_type=None, delimiter=None):
        """PUT ``/<account>/<dst_container>/<dst_object or src_object>``
        (201) with ``X-Copy-From: /<src_container>/<src_object>``,
        ``Content-Length: 0``, ``X-Source-Version``, ``X-Source-Account``
        (copy from another account), ``X-Object-Public: <public>`` (the
        copy is private unless ``public``), ``Content-Type`` and
        ``?delimiter`` (``/``: copy what is under the source too), as
        given: the reply headers.

        kamaki also left ``self.container`` set to ``dst_container``; this
        leaves it alone."""
        self._assert_account()
        r = self.object_put(
            dst_object or src_object, success=201,
            copy_from=path4url(src_container, src_object), content_length=0,
            source_version=source_version, source_account=source_account,
            public=public, content_type=content_type, delimiter=delimiter,
            _container=dst_container)
        return r.headers

    def move_object(
            self, src_container, src_object, dst_container, dst_object=False,
            source_account=None, source_version=None, public=False,
            content_type=None, delimiter=None):
        """As ``copy_object``, with ``X-Move-From``: the source is gone
        afterwards. Returns the reply headers; ``self.container`` is left
        alone (kamaki set it to ``dst_container``)."""
        self._assert_account()
        r = self.object_put(
            dst_object or src_object, success=201,
            move_from=path4url(src_container, src_object), content_length=0,
            source_account=source_account, source_version=source_version,
            public=public, content_type=content_type, delimiter=delimiter,
            _container=dst_container)
        return r.headers

    def get_object_versionlist(self, obj):
        """GET ``/<account>/<container>/<obj>?format=json&version=list``
        (200): the object's versions, a list of ``[version id, unix
        timestamp]``, oldest first."""
        self._assert_container()
        return self.object_get(obj, format='json', version='list').json[
            'versions']
