"""The OpenStack (Swift-like) object storage client kamaki builds Pithos on:
``StorageClient``, an account and a container on an ``object-store``
endpoint.

Methods that name no container work on ``self.container``; none of them
changes ``self.account`` or ``self.container``. The private keyword
arguments ``_account`` and ``_container`` of the helpers below let a call
aim at another account or container without touching the attributes, so
threads may share a client.
"""

from kamaki.clients import Client, ClientError
from kamaki.clients.utils import filter_in, path4url

__all__ = ['StorageClient']


def _header(headers, name, value, iff=True):
    """Sets ``headers[name]`` to ``value`` as text if it is not None and
    ``iff`` holds (kamaki's ``set_header`` on a local dict)."""
    if value is not None and iff:
        headers[name] = '%s' % value


class StorageClient(Client):
    """An object storage account (``account``, a user's uuid on Pithos) and
    a default container (``container``) on an ``object-store`` endpoint
    (version 1 unless the URL names one)."""

    service_type = 'object-store'
    DEFAULT_API_VERSION = '1'

    def __init__(self, endpoint_url, token, account=None, container=None):
        super(StorageClient, self).__init__(endpoint_url, token)
        self.account = account
        self.container = container

    # targets

    def _assert_account(self, account=None):
        """The account to use (``account`` or ``self.account``);
        ``ClientError('No account provided')`` if there is none."""
        account = account or self.account
        if not account:
            raise ClientError('No account provided')
        return account

    def _assert_container(self, container=None, account=None):
        """The ``(account, container)`` to use; ``ClientError`` with kamaki's
        message if either is missing."""
        account = self._assert_account(account)
        container = container or self.container
        if not container:
            raise ClientError('No container provided')
        return account, container

    def _account_path(self, account=None):
        return path4url(self._assert_account(account))

    def _container_path(self, container=None, account=None):
        return path4url(*self._assert_container(container, account))

    def _object_path(self, obj, container=None, account=None):
        account, container = self._assert_container(container, account)
        return path4url(account, container, obj)

    @staticmethod
    def _listing(response):
        """The JSON of a listing; ``[]`` for an empty 204 or a 304 (kamaki
        fails on ``.json`` of an empty body there)."""
        if response.status_code in (204, 304) or not response.content.strip():
            return []
        return response.json

    # account

    def get_account_info(self):
        """HEAD ``/<account>`` (204): the reply headers (lower-case names).
        A 401 raises ``ClientError('No authorization', 401)``."""
        r = self.head(self._account_path(), success=(204, 401))
        if r.status_code == 401:
            raise ClientError('No authorization', status=401)
        return r.headers

    def replace_account_meta(self, metapairs):
        """POST ``/<account>`` (202) with ``X-Account-Meta-<key>: <value>``
        for each pair of the dict ``metapairs``; without ``update`` the
        server replaces the account's metadata with these. Returns None."""
        headers = {}
        for key, value in metapairs.items():
            _header(headers, 'X-Account-Meta-%s' % key, value)
        self.post(self._account_path(), headers=headers, success=202)

    def del_account_meta(self, metakey):
        """Deletes the account metadatum ``metakey``: HEAD ``/<account>``,
        ``ClientError('X-Account-Meta-<key> not found', 404)`` if it is not
        there, else POST ``/<account>?update`` (202) with
        ``X-Account-Meta-<key>`` empty. Returns None.

        kamaki re-posted every account reply header, without ``update``;
        this sends only the deletion, so the other metadata and the groups
        stay as they are."""
        name = 'x-account-meta-%s' % metakey
        info = self.get_account_info()
        if not filter_in(info, name, exactMatch=True):
            raise ClientError('X-Account-Meta-%s not found' % metakey, 404)
        self.post(self._account_path(), params={'update': None},
                  headers={'X-Account-Meta-%s' % metakey: ''}, success=202)

    # containers

    def create_container(self, container):
        """PUT ``/<account>/<container>`` (201). Returns None; if the
        container exists (202), ``ClientError('Container already exists',
        202)``."""
        r = self.put(self._container_path(container), success=(201, 202))
        if r.status_code == 202:
            raise ClientError('Container already exists', r.status_code)

    def get_container_info(self, container):
        """HEAD ``/<account>/<container>`` (204): the reply headers;
        ``ClientError('Container does not exist', 404)`` if it is not
        there."""
        r = self.head(self._container_path(container), success=(204, 404))
        if r.status_code == 404:
            raise ClientError('Container does not exist', r.status_code)
        return r.headers

    def delete_container(self, container):
        """DELETE ``/<account>/<container>`` (204). Returns None; 404 raises
        ``ClientError('Container does not exist')``, 409 ``ClientError(
        'Container is not empty')``."""
        r = self.delete(
            self._container_path(container), success=(204, 404, 409))
        if r.status_code == 404:
            raise ClientError('Container does not exist', r.status_code)
        if r.status_code == 409:
            raise ClientError('Container is not empty', r.status_code)

    def list_containers(self):
        """GET ``/<account>?format=json`` (200, 204): the list of container
        dicts (``[]`` when there are none)."""
        r = self.get(self._account_path(), params={'format': 'json'},
                     success=(200, 204))
        return self._listing(r)

    # objects

    def upload_object(self, obj, f, size=None):
        """PUT ``/<account>/<container>/<obj>`` (201) with the whole of the
        open file ``f`` (or its first ``size`` bytes) as the body, in one
        request, as ``application/octet-stream``. Returns None.

        kamaki sent no ``Content-Type``, which Pithos refuses (411)."""
        path = self._object_path(obj)
        data = f.read(size) if size else f.read()
        self.put(path, data=data, success=201,
                 headers={'Content-Type': 'application/octet-stream'})

    def create_object(
            self, obj, content_type='application/octet-stream',
            content_length=0):
        """PUT ``/<account>/<container>/<obj>`` (201) with ``Content-Type``
        and ``Content-Length`` and no body: the reply headers."""
        headers = {'Content-Type': content_type,
                   'Content-Length': content_length}
        r = self.put(self._object_path(obj), headers=headers, success=201)
        return r.headers

    def create_directory(self, obj):
        """PUT ``/<account>/<container>/<obj>`` (201) with ``Content-Type:
        application/directory`` and ``Content-Length: 0``: the reply
        headers."""
        assert obj, 'Remote directory path is missing'
        # No body: the core sends "Content-Length: 0" itself.
        headers = {'Content-Type': 'application/directory'}
        r = self.put(self._object_path(obj), headers=headers, success=201)
        return r.headers

    def get_object_info(self, obj):
        """HEAD ``/<account>/<container>/<obj>`` (200): the reply
        headers."""
        return self.head(self._object_path(obj), success=200).headers

    def get_object_meta(self, obj):
        """The ``x-object-meta-*`` headers of ``get_object_info(obj)``, each
        keyed by the part of its name after the last ``-``."""
        reply = {}
        for key, value in filter_in(
                self.get_object_info(obj), 'X-Object-Meta-').items():
            reply[key.split('-')[-1]] = value
        return reply

    def del_object_meta(self, obj, metakey):
        """POST ``/<account>/<container>/<obj>`` (202) with an empty
        ``X-Object-Meta-<metakey>``. Returns None."""
        self.post(self._object_path(obj),
                  headers={'X-Object-Meta-%s' % metakey: ''}, success=202)

    def replace_object_meta(self, metapairs, obj=None):
        """POST (202) with ``X-Object-Meta-<key>: <value>`` per pair of
        ``metapairs``; without ``update`` the server replaces the metadata.
        Returns None.

        kamaki posts these to the container path, which sets no object's
        metadata; give ``obj`` (an addition) to post them to
        ``/<account>/<container>/<obj>``, as the name means. Without it the
        request is kamaki's."""
        headers = {}
        for key, value in metapairs.items():
            _header(headers, 'X-Object-Meta-%s' % key, value)
        path = self._object_path(obj) if obj else self._container_path()
        self.post(path, headers=headers, success=202)

    def copy_object(
            self, src_container, src_object, dst_container,
            dst_object=False):
        """PUT ``/<account>/<dst_container>/<dst_object or src_object>``
        (201) with ``X-Copy-From: /<src_container>/<src_object>`` and
        ``Content-Length: 0``. Returns None."""
        dst_path = self._object_path(
            dst_object or src_object, container=dst_container)
        headers = {'X-Copy-From': path4url(src_container, src_object)}
        self.put(dst_path, headers=headers, success=201)

    def move_object(
            self, src_container, src_object, dst_container,
            dst_object=False):
        """PUT ``/<account>/<dst_container>/<dst_object or src_object>``
        (201) with ``X-Move-From: /<src_container>/<src_object>`` and
        ``Content-Length: 0``. Returns None."""
        dst_path = self._object_path(
            dst_object or src_object, container=dst_container)
        headers = {'X-Move-From': path4url(src_container, src_object)}
        self.put(dst_path, headers=headers, success=201)

    def delete_object(self, obj):
        """DELETE ``/<account>/<container>/<obj>`` (204). Returns None; 404
        raises ``ClientError('Object <obj> not found', 404)``."""
        r = self.delete(self._object_path(obj), success=(204, 404))
        if r.status_code == 404:
            raise ClientError('Object %s not found' % obj, r.status_code)

    @staticmethod
    def _listing_params(limit, marker, prefix, delimiter, path):
        """The query of an object listing: ``limit`` and ``marker`` if given,
        and ``path``, or else ``prefix`` and ``delimiter``."""
        params = {}
        if limit:
            params['limit'] = limit
        if marker:
            params['marker'] = marker
        if path:
            params['path'] = path
        else:
            if prefix:
                params['prefix'] = prefix
            if delimiter:
                params['delimiter'] = delimiter
        return params

    def list_objects(
            self, limit=None, marker=None, prefix=None, format=None,
            delimiter=None, path=None):
        """GET ``/<account>/<container>`` with ``format`` (default json),
        ``limit`` and ``marker`` if given, and ``path`` or else ``prefix``
        and ``delimiter``: the list of objects (``[]`` on 204 or 304). A 404
        raises ``ClientError('Invalid account (<account>) for that
        container', 404)``."""
        params = self._listing_params(limit, marker, prefix, delimiter, path)
        params['format'] = format or 'json'
        r = self.get(self._container_path(), params=params,
                     success=(200, 204, 304, 404))
        if r.status_code == 404:
            raise ClientError(
                'Invalid account (%s) for that container' % self.account,
                r.status_code)
        return self._listing(r)

    def list_objects_in_path(self, path_prefix):
        """GET ``/<account>/<container>?format=json&path=<path_prefix>``:
        the list of objects under that "directory" (``[]`` on 204); 404
        raises ``ClientError('Invalid account (<account>) for that
        container', 404)``."""
        r = self.get(self._container_path(),
                     params={'format': 'json', 'path': path_prefix},
                     success=(200, 204, 404))
        if r.status_code == 404:
            raise ClientError(
                'Invalid account (%s) for that container' % self.account,
                r.status_code)
        return self._listing(r)
