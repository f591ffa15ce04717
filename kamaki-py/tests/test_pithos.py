"""Object storage: StorageClient, PithosRestClient and PithosClient (all but
the data transfers) against the emulator, and several calls compared with
kamaki 0.16's on the same emulator."""

import hashlib
import io
import itertools
import json
import re
import urllib.request

import pytest

from kamaki.clients import ClientError, Response
from kamaki.clients.pithos import PithosClient, PithosRestClient
from kamaki.clients.pithos.transfers import Transfers
from kamaki.clients.storage import StorageClient

from conftest import in_threads

_names = itertools.count()

# Metadata keys below begin with a non-ASCII letter: its case is kept, as
# Synnefo keeps it (only ASCII letters are capitalized).


def _fresh(prefix='c'):
    return '%s%s' % (prefix, next(_names))


@pytest.fixture(scope='module')
def url(emu):
    return emu.endpoint('object-store')


@pytest.fixture
def pithos(emu, url):
    """A client on a new, empty container of the user's account."""
    client = PithosClient(url, emu.token, emu.uuid, _fresh())
    client.create_container()
    return client


def _put(client, name, data, **kwargs):
    return client.upload_object_unchunked(name, io.BytesIO(data), **kwargs)


def _content(client, name, **kwargs):
    return client.object_get(name, **kwargs).content


def _without(headers, *names):
    return dict((k, v) for k, v in headers.items() if k not in names)


# classes and construction

def test_the_classes_are_kamakis(emu, url):
    assert issubclass(PithosClient, PithosRestClient)
    assert issubclass(PithosClient, Transfers)
    assert issubclass(PithosRestClient, StorageClient)
    for cls in (StorageClient, PithosRestClient, PithosClient):
        assert cls.service_type == 'object-store'
        assert cls.DEFAULT_API_VERSION == '1'
    client = PithosClient(url.rsplit('/v1', 1)[0], emu.token, emu.uuid, 'x')
    assert client.endpoint_url == url
    assert (client.account, client.container) == (emu.uuid, 'x')
    from kamaki.clients import pithos
    assert pithos.PithosRestClient is PithosRestClient
    # Transfers' upload_object, not StorageClient's one-request upload
    assert PithosClient.upload_object is Transfers.upload_object


def test_upload_object_is_the_block_upload_of_transfers(pithos):
    headers = pithos.upload_object('t', io.BytesIO(b'through transfers'))
    assert headers['etag'] == hashlib.sha256(b'through transfers').hexdigest()
    assert _content(pithos, 't') == b'through transfers'


def test_missing_account_or_container_fail_before_any_request(url):
    client = PithosClient('http://127.0.0.1:9/pithos/object-store/v1', 't')
    with pytest.raises(ClientError) as e:
        client.get_account_info()
    assert e.value.message == 'No account provided'
    client.account = 'someone'
    with pytest.raises(ClientError) as e:
        client.list_objects()
    assert e.value.message == 'No container provided'
    with pytest.raises(ClientError) as e:
        client.object_head('o')
    assert e.value.message == 'No container provided'


# StorageClient (the Swift-like base)

def test_storage_client_containers_and_objects(emu, url):
    name, other = _fresh('s'), _fresh('s')
    client = StorageClient(url, emu.token, emu.uuid, name)
    assert client.create_container(name) is None
    client.create_container(other)
    with pytest.raises(ClientError) as e:
        client.create_container(name)
    assert (e.value.message, e.value.status) == (
        'Container already exists', 202)
    info = client.get_container_info(name)
    assert info['x-container-object-count'] == '0'
    assert name in [c['name'] for c in client.list_containers()]
    assert client.list_objects() == []

    headers = client.create_object('empty', content_type='text/plain')
    assert 'etag' in headers
    assert client.create_directory('dir')['x-object-version']
    client.upload_object('dir/a', io.BytesIO(b'abcdef'), size=3)
    info = client.get_object_info('dir/a')
    assert info['content-length'] == '3'
    assert info['content-type'] == 'application/octet-stream'
    assert client.get_object_info('empty')['content-type'] == 'text/plain'
    assert client.get_object_info('dir')['content-type'] == (
        'application/directory')

    assert [o['name'] for o in client.list_objects()] == [
        'dir', 'dir/a', 'empty']
    assert [o['name'] for o in client.list_objects(limit=1, marker='dir')] \
        == ['dir/a']
    assert [o['name'] for o in client.list_objects(prefix='e')] == ['empty']
    assert [o['name'] for o in client.list_objects_in_path('dir')] == [
        'dir/a']
    assert client.list_objects_in_path('nothing') == []

    client.replace_object_meta({'color': 'blue'}, obj='empty')
    assert client.get_object_meta('empty') == {'color': 'blue'}
    client.del_object_meta('empty', 'color')
    assert client.get_object_meta('empty') == {}

    client.copy_object(name, 'dir/a', other)
    client.move_object(name, 'empty', other, 'moved')
    assert client.container == name
    other_client = StorageClient(url, emu.token, emu.uuid, other)
    assert [o['name'] for o in other_client.list_objects()] == [
        'dir/a', 'moved']
    assert [o['name'] for o in client.list_objects()] == ['dir', 'dir/a']

    client.delete_object('dir/a')
    with pytest.raises(ClientError) as e:
        client.delete_object('dir/a')
    assert (e.value.message, e.value.status) == ('Object dir/a not found', 404)
    with pytest.raises(ClientError) as e:
        client.delete_container(name)
    assert (e.value.message, e.value.status) == ('Container is not empty', 409)
    client.delete_object('dir')
    client.delete_container(name)
    with pytest.raises(ClientError) as e:
        client.delete_container(name)
    assert (e.value.message, e.value.status) == (
        'Container does not exist', 404)
    with pytest.raises(ClientError) as e:
        client.get_container_info(name)
    assert e.value.status == 404
    with pytest.raises(ClientError) as e:
        client.list_objects()
    assert e.value.status == 404
    assert e.value.message == (
        'Invalid account (%s) for that container' % emu.uuid)


def test_storage_client_account_meta(emu, url):
    client = StorageClient(url, emu.token, emu.uuid)
    pithos = PithosClient(url, emu.token, emu.uuid)
    pithos.set_account_group('keep', [emu.other_uuid])
    pithos.set_account_meta({'storage-a': '1', 'storage-b': '2'})
    client.del_account_meta('storage-a')
    meta = pithos.get_account_meta()
    assert 'x-account-meta-storage-a' not in meta
    assert meta['x-account-meta-storage-b'] == '2'
    assert pithos.get_account_group()['x-account-group-keep'] == (
        emu.other_uuid)
    with pytest.raises(ClientError) as e:
        client.del_account_meta('storage-a')
    assert e.value.status == 404
    assert e.value.message == 'X-Account-Meta-storage-a not found'
    info = client.get_account_info()
    assert 'x-account-container-count' in info
    pithos.del_account_meta('storage-b')
    pithos.del_account_group('keep')


# containers

def test_create_container_with_policies_and_utf8_meta(emu, url):
    name = _fresh()
    client = PithosClient(url, emu.token, emu.uuid, 'unchanged')
    headers = client.create_container(
        name, sizelimit=1000000, versioning='none',
        metadata={'όνομα': 'τιμή %41', 'plain': 'a b'})
    assert isinstance(headers, dict)
    assert client.container == 'unchanged'
    info = client.get_container_info(name)
    assert info['x-container-policy-quota'] == '1000000'
    assert info['x-container-policy-versioning'] == 'none'
    assert info['x-container-meta-όνομα'] == 'τιμή %41'
    assert info['x-container-meta-plain'] == 'a b'
    assert info['x-container-block-size'] == '4194304'
    assert info['x-container-block-hash'] == 'sha256'
    assert info['x-container-object-count'] == '0'
    # an existing container is no error (202)
    assert isinstance(client.create_container(name), dict)
    with pytest.raises(ClientError) as e:
        client.create_container(name, success=201)
    assert e.value.status == 202

    client.container = name
    assert client.get_container_limit() == {
        'x-container-policy-quota': '1000000'}
    assert client.get_container_versioning(name) == {
        'x-container-policy-versioning': 'none'}
    assert client.get_container_meta() == {
        'x-container-meta-όνομα': 'τιμή %41', 'x-container-meta-plain': 'a b'}

    client.set_container_limit(0)
    client.set_container_versioning('auto')
    assert client.get_container_limit()['x-container-policy-quota'] == '0'
    assert client.get_container_versioning() == {
        'x-container-policy-versioning': 'auto'}
    client.set_container_meta({'kлюч': 'значение'})
    client.del_container_meta('plain')
    assert client.get_container_meta() == {
        'x-container-meta-όνομα': 'τιμή %41',
        'x-container-meta-kлюч': 'значение'}

    listed = [c for c in client.list_containers() if c['name'] == name]
    assert len(listed) == 1
    item = listed[0]
    assert (item['count'], item['bytes']) == (0, 0)
    assert item['last_modified']
    assert item['x_container_policy']['quota'] == '0'
    assert item['x_container_policy']['versioning'] == 'auto'


def test_container_object_meta_and_project(pithos, emu):
    _put(pithos, 'o', b'x')
    pithos.set_object_meta('o', {'Colour': 'red'})
    object_meta = pithos.get_container_object_meta()
    assert list(object_meta) == ['x-container-object-meta']
    assert 'colour' in object_meta['x-container-object-meta'].lower()
    headers = pithos.reassign_container(emu.uuid)
    assert isinstance(headers, dict)
    assert pithos.get_container_info()['x-container-policy-project'] == (
        emu.uuid)


def test_container_quota_is_enforced(pithos):
    pithos.set_container_limit(4)
    _put(pithos, 'small', b'1234')
    with pytest.raises(ClientError) as e:
        _put(pithos, 'big', b'12345')
    assert e.value.status == 413


def test_delete_and_purge_containers(emu, url, pithos):
    name = pithos.container
    _put(pithos, 'a', b'a')
    _put(pithos, 'd/b', b'b')
    with pytest.raises(ClientError) as e:
        pithos.del_container()
    assert e.value.status == 409
    assert e.value.message == 'Container "%s" is not empty' % name
    with pytest.raises(ClientError) as e:
        pithos.purge_container()
    assert e.value.status == 409
    assert isinstance(pithos.del_container(delimiter='/'), dict)
    assert pithos.list_objects() == []
    assert pithos.get_container_info()['x-container-object-count'] == '0'
    assert isinstance(pithos.purge_container(name), dict)
    assert name not in [c['name'] for c in pithos.list_containers()]
    with pytest.raises(ClientError) as e:
        pithos.del_container()
    assert e.value.status == 404
    assert e.value.message == 'Container "%s" does not exist' % name


def test_a_missing_container_is_a_404(emu, url):
    client = PithosClient(url, emu.token, emu.uuid, 'no-such-container')
    with pytest.raises(ClientError) as e:
        client.get_container_info()
    assert e.value.status == 404
    assert e.value.details[-1] == 'for container no-such-container'
    with pytest.raises(ClientError) as e:
        client.get_container_info('other-missing')
    assert e.value.details[-1] == 'for container other-missing'
    assert client.container == 'no-such-container'
    for call in (lambda: client.list_objects(),
                 lambda: client.container_get(),
                 lambda: client.get_object_info('o'),
                 lambda: _put(client, 'o', b'data'),
                 lambda: client.purge_container()):
        with pytest.raises(ClientError) as e:
            call()
        assert e.value.status == 404


# objects and listings

def test_list_objects_with_limit_marker_prefix_delimiter_and_path(pithos):
    names = ['a', 'b', 'd/1', 'd/2', 'd/e/3', 'f']
    for name in names:
        _put(pithos, name, name.encode())
    listed = pithos.list_objects()
    assert [o['name'] for o in listed] == names
    item = listed[0]
    assert item['bytes'] == 1
    assert item['content_type'] == 'application/octet-stream'
    assert item['x_object_hash'] == hashlib.sha256(b'a').hexdigest()
    for key in ('last_modified', 'x_object_uuid', 'x_object_version',
                'x_object_version_timestamp', 'x_object_modified_by'):
        assert key in item
    assert [o['name'] for o in pithos.list_objects(limit=2)] == ['a', 'b']
    assert [o['name'] for o in pithos.list_objects(limit=2, marker='b')] == [
        'd/1', 'd/2']
    assert [o['name'] for o in pithos.list_objects(prefix='d/')] == [
        'd/1', 'd/2', 'd/e/3']
    listed = pithos.list_objects(prefix='d/', delimiter='/')
    assert [o.get('name', o.get('subdir')) for o in listed] == [
        'd/1', 'd/2', 'd/e/']
    assert [o['name'] for o in pithos.list_objects(path='d')] == [
        'd/1', 'd/2']
    assert pithos.list_objects(prefix='zzz') == []

    r = pithos.container_get(limit=3, marker='a')
    assert isinstance(r, Response) and r.status_code == 200
    assert [o['name'] for o in r.json] == ['b', 'd/1', 'd/2']
    pithos.set_object_meta('f', {'kind': 'x'})
    assert [o['name'] for o in pithos.container_get(meta=['kind']).json] == [
        'f']


def test_object_info_and_meta_with_utf8(pithos):
    headers = _put(pithos, 'ο', b'data', content_type='text/plain',
                   content_disposition='attachment; filename="ο.txt"')
    assert headers['etag'] == hashlib.sha256(b'data').hexdigest()
    info = pithos.get_object_info('ο')
    assert info['content-length'] == '4'
    assert info['content-type'] == 'text/plain'
    assert info['content-disposition'] == 'attachment; filename="ο.txt"'
    assert info['x-object-version']
    assert pithos.set_object_meta('ο', {'μ': 'τιμή', 'plain': '50%'}) != {}
    assert pithos.get_object_meta('ο') == {
        'x-object-meta-μ': 'τιμή', 'x-object-meta-plain': '50%'}
    pithos.del_object_meta('ο', 'μ')
    assert pithos.get_object_meta('ο') == {'x-object-meta-plain': '50%'}
    with pytest.raises(ClientError) as e:
        pithos.get_object_info('missing')
    assert (e.value.status, e.value.message) == (
        404, 'Object missing not found')


def test_names_with_spaces_percents_and_question_marks(pithos):
    name = 'a b%41?#.txt'
    _put(pithos, name, b'odd')
    assert [o['name'] for o in pithos.list_objects()] == [name]
    assert _content(pithos, name) == b'odd'
    pithos.copy_object(pithos.container, name, pithos.container, 'c %42')
    assert _content(pithos, 'c %42') == b'odd'
    pithos.truncate_object(name, 1)
    assert _content(pithos, name) == b'o'


def test_create_object_directory_and_manifest(pithos):
    assert pithos.create_object('empty', content_type='text/plain')['etag']
    assert pithos.get_object_info('empty')['content-length'] == '0'
    pithos.create_directory('folder')
    assert pithos.get_object_info('folder')['content-type'] == (
        'application/directory')
    _put(pithos, 'folder/inside', b'i')
    listed = pithos.list_objects(delimiter='/')
    assert [o.get('name', o.get('subdir')) for o in listed] == [
        'empty', 'folder', 'folder/']
    _put(pithos, 'parts/1', b'hello ')
    _put(pithos, 'parts/2', b'world')
    headers = pithos.create_object_by_manifestation(
        'parts/', content_type='text/plain')
    assert isinstance(headers, dict)
    info = pithos.get_object_info('parts')
    # path4url drops the name's trailing slash, the manifest keeps it
    assert info['x-object-manifest'] == '%s/parts/' % pithos.container
    assert _content(pithos, 'parts') == b'hello world'


def test_upload_unchunked_from_a_hashmap_file(pithos):
    data = b'block data'
    _put(pithos, 'src', data)
    hashmap = pithos.get_object_hashmap('src')
    assert hashmap == {
        'block_hash': 'sha256', 'block_size': 4194304, 'bytes': len(data),
        'hashes': [hashlib.sha256(data).hexdigest()]}
    f = io.BytesIO(json.dumps(
        {'bytes': hashmap['bytes'], 'hashes': hashmap['hashes']}).encode())
    pithos.upload_object_unchunked('dst', f, withHashFile=True)
    assert _content(pithos, 'dst') == data
    missing = io.BytesIO(json.dumps(
        {'bytes': 3, 'hashes': ['00' * 32]}).encode())
    with pytest.raises(ClientError) as e:
        pithos.upload_object_unchunked('bad', missing, withHashFile=True)
    assert e.value.status == 409
    with pytest.raises(ClientError):
        pithos.upload_object_unchunked(
            'bad', io.BytesIO(b'not json'), withHashFile=True)


def test_get_object_hashmap_conditions(pithos):
    data = b'x' * 100
    etag = _put(pithos, 'o', data)['etag']
    headers = {}
    hashmap = pithos.get_object_hashmap('o', headers=headers)
    assert hashmap['hashes'] == [hashlib.sha256(data).hexdigest()]
    assert headers['etag'] == etag
    assert pithos.get_object_hashmap('o', if_none_match=etag) == {}
    assert pithos.get_object_hashmap('o', if_match='"nope"') == {}
    assert pithos.get_object_hashmap('o', if_match=etag)['bytes'] == 100


def test_copy_and_move_across_containers(emu, url, pithos):
    source = pithos.container
    target = _fresh()
    pithos.create_container(target)
    _put(pithos, 'o', b'copy me', content_type='text/plain')
    pithos.set_object_meta('o', {'k': 'v'})
    pithos.publish_object('o')
    headers = pithos.copy_object(source, 'o', target)
    assert headers['x-object-version']
    assert pithos.container == source  # kamaki rebound it to target
    copied = PithosClient(url, emu.token, emu.uuid, target)
    assert _content(copied, 'o') == b'copy me'
    info = copied.get_object_info('o')
    assert info['content-type'] == 'text/plain'
    assert info['x-object-meta-k'] == 'v'
    assert 'x-object-public' not in info
    pithos.copy_object(source, 'o', target, 'o2', content_type='a/b',
                       public=True)
    assert copied.get_object_info('o2')['content-type'] == 'a/b'
    assert copied.get_object_info('o2')['x-object-public']

    pithos.move_object(source, 'o', target, 'moved')
    assert pithos.container == source
    assert pithos.list_objects() == []
    assert _content(copied, 'moved') == b'copy me'
    with pytest.raises(ClientError) as e:
        pithos.get_object_info('o')
    assert e.value.status == 404

    _put(pithos, 'dir', b'')
    _put(pithos, 'dir/a', b'a')
    _put(pithos, 'dir/b', b'b')
    pithos.copy_object(source, 'dir', target, 'dcopy', delimiter='/')
    assert [o['name'] for o in copied.list_objects(prefix='dcopy')] == [
        'dcopy', 'dcopy/a', 'dcopy/b']


def test_rest_copy_and_move_verbs(pithos):
    _put(pithos, 'o', b'verbs')
    r = pithos.object_copy(
        'o', '/%s/copied' % pithos.container, metadata={'m': 'ü'})
    assert r.status_code == 201
    assert pithos.get_object_meta('copied') == {'x-object-meta-m': 'ü'}
    r = pithos.object_move('copied', destination='/%s/moved' % (
        pithos.container))
    assert r.status_code == 201
    assert [o['name'] for o in pithos.list_objects()] == ['moved', 'o']
    assert _content(pithos, 'moved') == b'verbs'


def test_delete_objects(pithos):
    _put(pithos, 'a', b'a')
    _put(pithos, 'd', b'')
    _put(pithos, 'd/1', b'1')
    _put(pithos, 'd/2', b'2')
    assert isinstance(pithos.del_object('a'), dict)
    with pytest.raises(ClientError) as e:
        pithos.del_object('a')
    assert e.value.status == 404
    pithos.del_object('d', delimiter='/')
    assert pithos.list_objects() == []


# sharing, publishing, groups, account

def test_sharing_and_the_other_user(emu, url, pithos):
    _put(pithos, 'shared', b'for you')
    _put(pithos, 'private', b'mine')
    assert pithos.get_object_sharing('shared') == {}
    pithos.set_object_sharing('shared', read_permission=[emu.other_uuid],
                              write_permission=['%s:grp' % emu.uuid])
    assert pithos.get_object_sharing('shared') == {
        'read': emu.other_uuid, 'write': '%s:grp' % emu.uuid}
    listed = [o for o in pithos.list_objects() if o['name'] == 'shared']
    assert listed[0]['x_object_sharing'] == 'read=%s; write=%s:grp' % (
        emu.other_uuid, emu.uuid)
    shared_only = pithos.container_get(show_only_shared=True).json
    assert [o['name'] for o in shared_only] == ['shared']

    other = PithosClient(url, emu.other_token, emu.other_uuid)
    accounts = other.get_sharing_accounts()
    assert [a['name'] for a in accounts] == [emu.uuid]
    assert accounts[0]['last_modified']
    assert other.get_sharing_accounts(limit=1, marker=emu.uuid) == []
    assert PithosClient(url, emu.token, emu.uuid).get_sharing_accounts() == []

    reader = PithosClient(url, emu.other_token, emu.uuid, pithos.container)
    assert _content(reader, 'shared') == b'for you'
    with pytest.raises(ClientError) as e:
        reader.get_object_info('private')
    assert e.value.status in (403, 404)
    other.container = pithos.container
    info = other.use_alternative_account(
        other.get_object_info, 'shared', alternative_account=emu.uuid)
    assert info['content-length'] == '7'
    assert other.account == emu.other_uuid
    with pytest.raises(ClientError):
        other.get_object_info('shared')

    pithos.set_object_sharing('shared', write_permission=[emu.other_uuid])
    assert pithos.get_object_sharing('shared') == {'write': emu.other_uuid}
    assert isinstance(pithos.del_object_sharing('shared'), dict)
    assert pithos.get_object_sharing('shared') == {}
    assert other.get_sharing_accounts() == []


def test_publish_and_unpublish(emu, pithos):
    _put(pithos, 'pub', b'public data', content_type='text/plain')
    public_url = pithos.publish_object('pub')
    assert re.match(r'^https?://[^/]+/.*public/[A-Za-z0-9]+$', public_url)
    assert public_url.startswith(emu.base)
    with urllib.request.urlopen(public_url) as reply:
        assert reply.read() == b'public data'
    assert pithos.get_object_info('pub')['x-object-public'] == public_url
    listed = pithos.container_get(public=True).json
    assert [(o['name'], o['x_object_public']) for o in listed] == [
        ('pub', public_url)]
    assert isinstance(pithos.unpublish_object('pub'), dict)
    assert 'x-object-public' not in pithos.get_object_info('pub')
    with pytest.raises(Exception):
        urllib.request.urlopen(public_url)


def test_account_groups_meta_and_quota_with_utf8(emu, url):
    client = PithosClient(url, emu.token, emu.uuid)
    r = client.set_account_group('ομάδα', [emu.other_uuid, emu.uuid])
    assert isinstance(r, Response) and r.status_code == 202
    groups = client.get_account_group()
    assert groups['x-account-group-ομάδα'] == '%s,%s' % (
        emu.other_uuid, emu.uuid)
    assert client.del_account_group('ομάδα') is None
    assert 'x-account-group-ομάδα' not in client.get_account_group()

    assert isinstance(client.set_account_meta(
        {'κλειδί': 'τιμή', 'two words': 'x y%zz'}), dict)
    meta = client.get_account_meta()
    assert meta['x-account-meta-κλειδί'] == 'τιμή'
    assert meta['x-account-meta-two words'] == 'x y%zz'
    client.del_account_meta('κλειδί')
    assert 'x-account-meta-κλειδί' not in client.get_account_meta()
    client.del_account_meta('two words')

    quota = client.get_account_quota()
    assert list(quota) == ['x-account-policy-quota']
    assert int(quota['x-account-policy-quota']) > 0
    info = client.get_account_info()
    for key in ('x-account-bytes-used', 'x-account-container-count',
                'last-modified'):
        assert key in info
    r = client.account_head()
    assert isinstance(r, Response) and r.status_code == 204


def test_versions(pithos):
    pithos.set_container_versioning('auto')
    for data in (b'one', b'two!', b'three'):
        _put(pithos, 'v', data)
    versions = pithos.get_object_versionlist('v')
    assert len(versions) == 3
    ids = [v[0] for v in versions]
    assert ids == sorted(ids)
    assert all(float(v[1]) > 0 for v in versions)
    first = ids[0]
    assert pithos.get_object_info('v', version=first)['content-length'] == '3'
    assert _content(pithos, 'v', version=first) == b'one'
    assert pithos.get_object_hashmap('v', version=ids[1])['bytes'] == 4
    pithos.copy_object(pithos.container, 'v', pithos.container, 'old',
                       source_version=first)
    assert _content(pithos, 'old') == b'one'


def test_append_truncate_overwrite(pithos):
    _put(pithos, 'o', b'hello')
    replies = pithos.append_object('o', io.BytesIO(b' world'))
    assert len(replies) == 1 and replies[0]['etag']
    assert _content(pithos, 'o') == b'hello world'
    steps = []

    def progress(n):
        steps.append(n)
        for _ in range(n + 1):
            yield

    pithos.append_object('o', io.BytesIO(b'!'), upload_cb=progress)
    assert steps == [1]
    assert _content(pithos, 'o') == b'hello world!'
    headers = pithos.truncate_object('o', 5)
    assert isinstance(headers, dict)
    assert _content(pithos, 'o') == b'hello'
    assert pithos.get_object_hashmap('o')['bytes'] == 5
    replies = pithos.overwrite_object('o', 1, 3, io.BytesIO(b'EYYY'))
    assert len(replies) == 1
    assert _content(pithos, 'o') == b'hEYYo'
    with pytest.raises(AssertionError):
        pithos.overwrite_object('o', 1, 9, io.BytesIO(b'x' * 9))


def test_append_in_blocks_keeps_their_order(emu, url, tmp_path):
    client = PithosClient(url, emu.token, emu.uuid, _fresh())
    client.create_container()
    block = int(client.get_container_info()['x-container-block-size'])
    path = tmp_path / 'data'
    data = bytes(range(256)) * ((2 * block + 1000) // 256 + 1)
    path.write_bytes(data)
    _put(client, 'o', b'>')
    with open(path, 'rb') as f:
        replies = client.append_object('o', f)
    assert len(replies) == 3
    assert client.get_object_info('o')['content-length'] == '%s' % (
        len(data) + 1)
    got = client.object_get('o', data_range='bytes=%s-%s' % (
        block, block + 9), success=206).content
    assert got == (b'>' + data)[block:block + 10]


# the REST layer

def test_rest_layer_returns_responses(pithos):
    r = pithos.account_get(limit=1000)
    assert r.status_code == 200
    assert pithos.container in [c['name'] for c in r.json]
    r = pithos.container_head()
    assert r.status_code == 204 and 'x-container-block-size' in r.headers
    r = pithos.object_put('o', data=b'0123456789', content_type='text/plain',
                          metadata={'a': 'b'}, public=False)
    assert r.status_code == 201 and r.headers['etag']
    r = pithos.object_head('o', if_etag_match=r.headers['etag'])
    assert r.headers['content-length'] == '10'
    with pytest.raises(ClientError) as e:
        pithos.object_head('o', if_etag_match='"other"')
    assert e.value.status == 412
    r = pithos.object_get('o', data_range='bytes=2-4', success=206)
    assert r.content == b'234'
    r = pithos.object_post('o', metadata={'c': 'd'}, content_type='x/y')
    assert r.status_code in (202, 204)
    assert pithos.get_object_meta('o') == {
        'x-object-meta-a': 'b', 'x-object-meta-c': 'd'}
    r = pithos.object_post('o', update=False, metadata={'e': 'f'})
    assert pithos.get_object_meta('o') == {'x-object-meta-e': 'f'}
    r = pithos.container_post(metadata={'x': '1'})
    assert r.status_code == 202
    r = pithos.container_put(metadata={'y': '2'})
    assert r.status_code == 202
    r = pithos.object_delete('o')
    assert r.status_code == 204
    r = pithos.container_get()
    assert (r.status_code, r.json) == (200, [])
    r = pithos.container_get(format=None, success=(200, 204))
    assert r.status_code == 204
    r = pithos.account_post(metadata={'rest': 'ok'})
    assert r.status_code == 202
    assert pithos.get_account_meta()['x-account-meta-rest'] == 'ok'
    pithos.account_post(metadata={'rest': ''})
    r = pithos.container_delete()
    assert r.status_code == 204


def test_the_client_is_shared_by_threads(emu, url):
    names = [_fresh() for _ in range(4)]
    client = PithosClient(url, emu.token, emu.uuid, 'default')

    def work(name):
        client.create_container(name, metadata={'n': name})
        for _ in range(5):
            info = client.get_container_info(name)
            assert info['x-container-meta-n'] == name

    in_threads(work, [(n, ) for n in names])
    assert client.container == 'default'


# compared with kamaki 0.16

PY2_SETUP = '''
from kamaki.clients.pithos import PithosClient
c = PithosClient(url, token, account, container)
'''

# Headers two calls may legitimately answer differently.
_VOLATILE = ('date', )


def _py2(py2, url, token, account, container, code):
    return py2(PY2_SETUP + code, url=url, token=token, account=account,
               container=container)


def test_same_answers_as_kamaki_0_16(emu, url, py2):
    container = _fresh('py2-')
    client = PithosClient(url, emu.token, emu.uuid, container)
    client.create_container(metadata={'aü': 'ä'})
    _put(client, 'a', b'aaa', content_type='text/plain')
    _put(client, 'd/b', b'bb')
    client.set_object_meta('a', {'kκ': 'τ', 'x': 'y'})
    client.set_object_sharing('a', read_permission=[emu.other_uuid])
    client.set_account_meta({'py2 test': 'ναι'})

    def both(code, ours):
        theirs = _py2(py2, url, emu.token, emu.uuid, container, code)
        return ours(), theirs

    ours, theirs = both('result = c.list_containers()',
                        client.list_containers)
    assert ours == theirs
    ours, theirs = both('result = c.get_account_info()',
                        client.get_account_info)
    assert _without(ours, *_VOLATILE) == _without(theirs, *_VOLATILE)
    assert ours['x-account-meta-py2 test'] == 'ναι'
    ours, theirs = both('result = c.get_container_info()',
                        client.get_container_info)
    assert _without(ours, *_VOLATILE) == _without(theirs, *_VOLATILE)
    ours, theirs = both('result = c.list_objects()', client.list_objects)
    assert ours == theirs and len(ours) == 2
    ours, theirs = both(
        "result = c.list_objects(prefix='d/', delimiter='/', limit=5)",
        lambda: client.list_objects(prefix='d/', delimiter='/', limit=5))
    assert ours == theirs
    ours, theirs = both("result = c.get_object_info('a')",
                        lambda: client.get_object_info('a'))
    assert _without(ours, *_VOLATILE) == _without(theirs, *_VOLATILE)
    ours, theirs = both("result = c.get_object_meta('a')",
                        lambda: client.get_object_meta('a'))
    assert ours == theirs == {'x-object-meta-kκ': 'τ', 'x-object-meta-x': 'y'}
    ours, theirs = both("result = c.get_object_sharing('a')",
                        lambda: client.get_object_sharing('a'))
    assert ours == theirs == {'read': emu.other_uuid}
    ours, theirs = both("result = c.get_object_hashmap('a')",
                        lambda: client.get_object_hashmap('a'))
    assert ours == theirs
    ours, theirs = both("result = c.get_object_versionlist('a')",
                        lambda: client.get_object_versionlist('a'))
    assert ours == theirs
    ours, theirs = both("result = c.get_container_meta()",
                        client.get_container_meta)
    assert ours == theirs == {'x-container-meta-aü': 'ä'}

    other = PithosClient(url, emu.other_token, emu.other_uuid)
    theirs = _py2(py2, url, emu.other_token, emu.other_uuid, None,
                  'result = c.get_sharing_accounts()')
    assert other.get_sharing_accounts() == theirs
    assert [a['name'] for a in theirs] == [emu.uuid]
    client.del_account_meta('py2 test')


def test_kamaki_0_16_reads_what_we_write_and_we_read_its_writes(
        emu, url, py2):
    container = _fresh('py2-')
    client = PithosClient(url, emu.token, emu.uuid, container)
    client.create_container()
    _put(client, 'o', b'data')
    client.set_object_meta('o', {'ωμέγα': 'άλφα β'})
    client.set_account_group('py2grp', [emu.other_uuid])
    theirs = _py2(py2, url, emu.token, emu.uuid, container, '''
meta = c.get_object_meta('o')
groups = c.get_account_group()
c.set_object_meta('o', {u'\\u0393\\u03b3': u'\\u03b4 %41'})
c.set_container_meta({u'e\\u03b5': u'\\u03b6'})
c.copy_object(container, 'o', container, 'o copy')
result = [meta, groups]
''')
    assert theirs[0] == {'x-object-meta-ωμέγα': 'άλφα β'}
    assert theirs[1]['x-account-group-py2grp'] == emu.other_uuid
    assert client.get_object_meta('o') == {
        'x-object-meta-ωμέγα': 'άλφα β', 'x-object-meta-Γγ': 'δ %41'}
    assert client.get_container_meta() == {'x-container-meta-eε': 'ζ'}
    assert _content(client, 'o copy') == b'data'
    client.del_account_group('py2grp')
