"""Compute: ComputeRestClient, ComputeClient, CycladesComputeRestClient and
CycladesComputeClient against the emulator, and against kamaki 0.16."""

import base64
import time

import pytest

import conftest
from kamaki.clients import Client, ClientError, Response, wait
from kamaki.clients.compute import ComputeClient, ComputeRestClient
from kamaki.clients.cyclades.compute import (
    CycladesClient, CycladesComputeClient, CycladesComputeRestClient,
    CycladesRestClient)

#: Server actions take this long in the emulators of this module.
DELAY_MS = '150'
PUBLIC_KEY = ('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRPjT56UktVm+Uy41aqGgOjq'
              'djuHdhMAbkb2FgjBVWX test@example.com')

PY2_CLIENT = '''
from kamaki.clients.cyclades import CycladesComputeClient
client = CycladesComputeClient(url, token)
'''


@pytest.fixture(scope='module')
def emu():
    """This module's emulator: servers change state in 150 ms."""
    emulator = conftest._start('--action-delay-ms', DELAY_MS)
    yield emulator
    emulator.stop()


@pytest.fixture
def compute(emu):
    return ComputeClient(emu.endpoint('compute'), emu.token)


@pytest.fixture
def cyclades(emu):
    return CycladesComputeClient(emu.endpoint('compute'), emu.token)


def _image_id(client):
    return [i for i in client.list_images() if i['name'] == 'Debian Base'][
        0]['id']


def _active_server(client, name, flavor_id=1, **kwargs):
    server = client.create_server(name, flavor_id, _image_id(client), **kwargs)
    details = client.wait_server_until(server['id'], delay=0.05, max_wait=10)
    assert details['status'] == 'ACTIVE'
    return server


def _settled(client, server_id, status):
    details = client.wait_server_until(
        server_id, status, delay=0.05, max_wait=10)
    assert details['status'] == status, details
    return details


def _idle(client, server_id):
    """The server's details once it runs no task (rescue, ...)."""
    details = wait(client.get_server_details, (server_id, ),
                   lambda d: not d['SNF:task_state'], 0.05, 10)
    assert not details['SNF:task_state'], details
    return details


@pytest.fixture(scope='module')
def server(emu):
    """An ACTIVE server the read-only tests share."""
    client = CycladesComputeClient(emu.endpoint('compute'), emu.token)
    return _active_server(client, 'shared server', metadata={'role': 'db'})


def _volume_client(emu):
    class Volume(Client):
        DEFAULT_API_VERSION = '2.0'
    return Volume(emu.endpoint('volume'), emu.token)


# The classes


def test_the_classes_are_kamakis():
    assert ComputeRestClient.service_type == 'compute'
    assert ComputeRestClient.DEFAULT_API_VERSION == '2.0'
    assert issubclass(ComputeClient, ComputeRestClient)
    assert issubclass(CycladesComputeRestClient, ComputeClient)
    assert issubclass(CycladesComputeClient, CycladesComputeRestClient)
    assert CycladesRestClient is CycladesComputeRestClient
    assert CycladesClient is CycladesComputeClient
    assert CycladesComputeClient.CONSOLE_TYPES == ('vnc', 'vnc-ws', 'vnc-wss')
    assert CycladesComputeClient.wait_server is (
        CycladesComputeClient.wait_server_while)
    from kamaki.clients import cyclades
    assert cyclades.CycladesComputeClient is CycladesComputeClient


def test_an_unversioned_endpoint_gets_v2_0(emu):
    url = emu.endpoint('compute')
    client = ComputeClient(url.rsplit('/v2.0', 1)[0], emu.token)
    assert client.endpoint_url == url
    assert client.list_flavors()


# REST layer


def test_rest_methods_return_responses_and_take_success(emu):
    client = ComputeRestClient(emu.endpoint('compute'), emu.token)
    r = client.flavors_get(detail=True)
    assert isinstance(r, Response) and r.status_code == 200
    assert all('ram' in f for f in r.json['flavors'])
    assert isinstance(client.servers_get().json['servers'], list)
    assert client.servers_get(detail=True).status_code == 200
    assert client.images_get('', detail=False).status_code == 200
    assert client.keypairs_get().status_code == 200
    with pytest.raises(ClientError) as e:
        client.flavors_get(success=204)
    assert e.value.status == 200
    r = client.servers_action_post(999999, json_data={'reboot': {}},
                                   success=(202, 404))
    assert r.status_code == 404 and r.json['itemNotFound']['code'] == 404
    # A caller's params join the method's.
    r = client.flavors_get(detail=True, params={'SNF:is_public': 'false'})
    assert r.json['flavors'] == []


def test_limits_and_pools_are_not_served_by_cyclades(compute):
    # Synnefo: "Limits are currently not supported"; unknown endpoints are
    # answered 400 (API endpoint not found).
    for call in (compute.limits_get, compute.floating_ip_pools_get):
        with pytest.raises(ClientError) as e:
            call()
        assert e.value.status == 400


# Flavors


def test_list_flavors_and_details(compute):
    flavors = compute.list_flavors()
    assert flavors and all(
        set(f) == {'id', 'name', 'links'} for f in flavors)
    detailed = compute.list_flavors(detail=True)
    assert [f['id'] for f in detailed] == [f['id'] for f in flavors]
    first = detailed[0]
    assert {'ram', 'vcpus', 'disk', 'SNF:disk_template'} <= set(first)
    assert compute.get_flavor_details(first['id']) == first
    with pytest.raises(ClientError) as e:
        compute.get_flavor_details(999999)
    assert e.value.status == 404


def test_cyclades_flavor_filters(cyclades, emu):
    everything = cyclades.list_flavors(detail=True)
    public = cyclades.list_flavors(detail=True, is_public=True)
    assert public == [
        f for f in everything if f['os-flavor-access:is_public']]
    # No flavor in a fresh cloud is restricted to a project.
    assert cyclades.list_flavors(project_id=emu.uuid) == []
    r = cyclades.flavors_get(detail=False, is_public=True)
    assert [f['id'] for f in r.json['flavors']] == [f['id'] for f in public]


def test_flavors_match_kamaki_0_16(compute, emu, py2):
    flavor_id = compute.list_flavors()[2]['id']
    theirs = py2(PY2_CLIENT + '''
result = [client.list_flavors(detail=True),
          client.get_flavor_details(flavor_id)]
''', url=emu.endpoint('compute'), token=emu.token, flavor_id=flavor_id)
    ours = CycladesComputeClient(emu.endpoint('compute'), emu.token)
    assert ours.list_flavors(detail=True) == theirs[0]
    assert ours.get_flavor_details(flavor_id) == theirs[1]
    assert compute.list_flavors(detail=True) == theirs[0]


# Images


def test_list_images_details_and_metadata(compute):
    images = compute.list_images()
    assert {i['name'] for i in images} >= {'Debian Base', 'CentOS'}
    assert all(set(i) == {'id', 'name'} for i in images)
    detailed = compute.list_images(detail=True)
    debian = [i for i in detailed if i['name'] == 'Debian Base'][0]
    assert debian['status'] == 'ACTIVE'
    assert compute.get_image_details(debian['id']) == debian
    metadata = compute.get_image_metadata(debian['id'])
    assert metadata == debian['metadata'] and metadata['os'] == 'debian'
    assert compute.get_image_metadata(debian['id'], 'os') == {'os': 'debian'}
    headers = {'content-type': None, 'x-missing': 'kept'}
    compute.list_images(response_headers=headers)
    assert headers['content-type'].startswith('application/json')
    assert headers['x-missing'] == 'kept'
    with pytest.raises(ClientError) as e:
        compute.get_image_details('no-such-image')
    assert e.value.status == 404


def test_images_of_others_cannot_be_changed(compute):
    image_id = _image_id(compute)
    for call in (lambda: compute.update_image_metadata(image_id, a='b'),
                 lambda: compute.delete_image_metadata(image_id, 'os'),
                 lambda: compute.delete_image(image_id)):
        with pytest.raises(ClientError) as e:
            call()
        assert e.value.status == 403


def test_own_image_metadata_and_deletion(compute, emu):
    class Pithos(Client):
        DEFAULT_API_VERSION = '1'

    class Plankton(Client):
        DEFAULT_API_VERSION = '1.0'
    pithos = Pithos(emu.endpoint('object-store'), emu.token)
    pithos.put('/%s/images' % emu.uuid, success=(201, 202))
    pithos.put('/%s/images/mine.diskdump' % emu.uuid, data=b'x' * 1024,
               headers={'Content-Type': 'application/octet-stream'},
               success=201)
    r = Plankton(emu.endpoint('image'), emu.token).post(
        '/images/', success=(200, 201), headers={
            'X-Image-Meta-Name': 'mine',
            'X-Image-Meta-Location':
                'pithos://%s/images/mine.diskdump' % emu.uuid,
            'X-Image-Meta-Property-OS': 'linux'})
    image_id = r.headers['x-image-meta-id']
    assert compute.get_image_details(image_id)['name'] == 'mine'
    assert compute.update_image_metadata(image_id, color='blue') == {
        'os': 'linux', 'color': 'blue'}
    # kamaki dropped the key of images_metadata_put; it is in the path.
    r = compute.images_metadata_put(
        image_id, 'size', json_data={'meta': {'size': 'big'}})
    assert r.status_code == 201 and r.json == {'meta': {'size': 'big'}}
    assert compute.get_image_metadata(image_id) == {
        'os': 'linux', 'color': 'blue', 'size': 'big'}
    assert 'date' in compute.delete_image_metadata(image_id, 'color')
    assert compute.get_image_metadata(image_id) == {
        'os': 'linux', 'size': 'big'}
    compute.delete_image(image_id)
    with pytest.raises(ClientError) as e:
        compute.get_image_details(image_id)
    assert e.value.status == 404


def test_images_match_kamaki_0_16(compute, emu, py2):
    theirs = py2(PY2_CLIENT + '''
result = client.list_images(detail=True)
''', url=emu.endpoint('compute'), token=emu.token)
    assert compute.list_images(detail=True) == theirs


# Servers


def test_create_list_rename_and_delete_a_server(compute, cyclades):
    image_id = _image_id(compute)
    motd = base64.b64encode(b'hello\n').decode()
    server = compute.create_server(
        'first', 1, image_id, metadata={'purpose': 'test'},
        personality=[{'path': '/etc/motd', 'contents': motd}],
        tags=['blue'], user_data='#!/bin/sh\necho hi\n')
    assert server['name'] == 'first' and server['status'] == 'BUILD'
    assert server['adminPass'] and server['metadata'] == {'purpose': 'test'}
    sid = server['id']
    assert cyclades.get_server_status(sid)[0] == 'BUILD'
    listed = compute.list_servers()
    assert {'id': sid, 'name': 'first', 'links': server['links']} in listed
    details = cyclades.wait_server_until(sid, delay=0.05, max_wait=10)
    assert details['status'] == 'ACTIVE'
    assert cyclades.get_server_status(sid) == ('ACTIVE', None)
    assert details['tags'] == ['blue']
    assert details['flavor']['id'] == 1
    assert details['image']['id'] == image_id
    assert [s for s in compute.list_servers(detail=True)
            if s['id'] == sid][0]['status'] == 'ACTIVE'
    assert compute.list_servers(name='first')[0]['id'] == sid
    assert sid in [s['id'] for s in compute.list_servers(status='ACTIVE')]
    assert compute.list_servers(status='STOPPED', name='first') == []

    headers = compute.update_server_name(sid, 'renamed')
    assert isinstance(headers, dict) and 'date' in headers
    assert compute.get_server_details(sid)['name'] == 'renamed'

    assert isinstance(compute.delete_server(sid), dict)
    details = _settled(cyclades, sid, 'DELETED')
    assert sid not in [s['id'] for s in compute.list_servers()]


def test_a_missing_server_is_a_404(compute, cyclades):
    for call in (lambda: compute.get_server_details(999999),
                 lambda: compute.delete_server(999999),
                 lambda: compute.get_server_metadata(999999),
                 lambda: compute.reboot_server(999999),
                 lambda: compute.list_tags(999999),
                 lambda: cyclades.get_server_stats(999999),
                 lambda: cyclades.list_volume_attachments(999999)):
        with pytest.raises(ClientError) as e:
            call()
        assert e.value.status == 404
        assert 'itemNotFound' in e.value.message


def test_server_metadata(compute, server):
    sid = server['id']
    assert compute.get_server_metadata(sid) == {
        'role': 'db', 'os': 'debian', 'users': 'root'}
    assert compute.create_server_metadata(sid, 'env', 'test') == {
        'env': 'test'}
    assert compute.get_server_metadata(sid, 'env') == {'env': 'test'}
    assert compute.update_server_metadata(sid, env='prod', tier='2') == {
        'role': 'db', 'os': 'debian', 'users': 'root', 'env': 'prod',
        'tier': '2'}
    assert isinstance(compute.delete_server_metadata(sid, 'env'), dict)
    compute.delete_server_metadata(sid, 'tier')
    with pytest.raises(ClientError) as e:
        compute.get_server_metadata(sid, 'env')
    assert e.value.status == 404
    assert compute.get_server_metadata(sid) == {
        'role': 'db', 'os': 'debian', 'users': 'root'}


def test_server_addresses(compute, server):
    nics = compute.get_server_nics(server['id'])
    assert set(nics['addresses']) == {'1'}
    versions = {a['version'] for a in nics['addresses']['1']}
    assert versions == {4, 6}
    assert compute.get_server_network_nics(server['id'], '1') == {
        '1': nics['addresses']['1']}


def test_cyclades_creation_copies_image_metadata(cyclades):
    image_id = _image_id(cyclades)
    given = {'os': 'mine'}
    headers = {'location': None, 'content-type': None}
    server = cyclades.create_server(
        'cyclades', 1, image_id, metadata=given, tags=['x'],
        user_data=b'\x00binary', networks=[], response_headers=headers,
        project_id=conftest.UUID)
    assert given == {'os': 'mine'}  # the caller's dict is left as it was
    assert server['metadata'] == {'os': 'mine', 'users': 'root'}
    assert server['adminPass']
    assert headers['content-type'].startswith('application/json')
    assert headers['location'] is None  # Cyclades sends no Location
    details = _settled(cyclades, server['id'], 'ACTIVE')
    assert details['addresses'] == {}  # networks=[]: no network
    cyclades.delete_server(server['id'])


def test_user_data_must_be_base64_on_the_wire(cyclades):
    # The emulator refuses user_data that is not base64 (as Synnefo does):
    # both clients encode it, so creation succeeds.
    image_id = _image_id(cyclades)
    compute = ComputeClient(cyclades.endpoint_url, cyclades.token)
    for client in (compute, cyclades):
        server = client.create_server(
            'ud', 1, image_id, user_data='not base64 at all!')
        cyclades.delete_server(server['id'])
    with pytest.raises(ClientError) as e:
        cyclades.servers_post(json_data={'server': {
            'name': 'raw', 'flavorRef': 1, 'imageRef': image_id,
            'user_data': 'not base64 at all!'}})
    assert e.value.status == 400


def test_server_actions(compute, cyclades):
    server = _active_server(cyclades, 'actions')
    sid = server['id']

    assert isinstance(compute.shutdown_server(sid), dict)  # os-stop
    _settled(cyclades, sid, 'STOPPED')
    assert isinstance(compute.start_server(sid), dict)  # os-start
    _settled(cyclades, sid, 'ACTIVE')

    assert isinstance(cyclades.shutdown_server(sid), dict)  # shutdown
    _settled(cyclades, sid, 'STOPPED')
    # Cyclades resizes stopped servers to flavors of the same disk.
    assert isinstance(compute.resize_server(sid, 4), dict)
    _settled(cyclades, sid, 'STOPPED')
    assert compute.get_server_details(sid)['flavor']['id'] == 4
    # A stopped server can be rescued; the rescue image goes inside
    # "rescue" (kamaki put it beside): an unknown one is a 404.
    with pytest.raises(ClientError) as e:
        compute.rescue_server(sid, rescue_image_ref=12345)
    assert e.value.status == 404
    assert isinstance(compute.rescue_server(sid, rescue_image_ref=1), dict)
    assert _idle(cyclades, sid)['SNF:rescue'] is True
    compute.unrescue_server(sid)
    assert _idle(cyclades, sid)['SNF:rescue'] is False
    assert compute.get_server_details(sid)['status'] == 'STOPPED'

    assert isinstance(cyclades.start_server(sid), dict)  # start
    _settled(cyclades, sid, 'ACTIVE')

    compute.reboot_server(sid, hard=True)
    assert compute.get_server_details(sid)['status'] == 'REBOOT'
    _settled(cyclades, sid, 'ACTIVE')
    compute.reboot_server(sid)
    _settled(cyclades, sid, 'ACTIVE')

    # Actions Synnefo does not offer are refused with 400, after kamaki's
    # request was sent (rebuild no longer fails with a KeyError first).
    for call in (lambda: compute.change_admin_password(sid, 'Secret123x'),
                 lambda: compute.rebuild_server(sid),
                 lambda: compute.confirm_resize_server(sid),
                 lambda: compute.revert_resize_server(sid),
                 lambda: compute.create_server_image(sid, 'snap')):
        with pytest.raises(ClientError) as e:
            call()
        assert e.value.status == 400
        assert 'not supported' in e.value.message
    compute.delete_server(sid)
    _settled(cyclades, sid, 'DELETED')


def test_console_stats_diagnostics(cyclades, server):
    sid = server['id']
    console = cyclades.get_server_console(sid)
    assert console['type'] == 'vnc' and console['password']
    assert {'host', 'port'} <= set(console)
    assert cyclades.get_server_console(sid, 'vnc-wss')['type'] == 'vnc-wss'
    with pytest.raises(AssertionError):
        cyclades.get_server_console(sid, 'spice')
    stats = cyclades.get_server_stats(sid)
    assert stats['serverRef'] == sid
    assert {'cpuBar', 'cpuTimeSeries', 'netBar', 'netTimeSeries'} <= set(
        stats)
    diagnostics = cyclades.get_server_diagnostics(sid)
    assert isinstance(diagnostics, list) and diagnostics
    assert {'level', 'message', 'source'} <= set(diagnostics[0])
    r = cyclades.servers_stats_get(sid)
    assert isinstance(r, Response) and r.json['stats'] == stats


def test_firewall_profile_and_reassign(cyclades, emu):
    server = _active_server(cyclades, 'firewall')
    sid = server['id']
    port = cyclades.get_server_details(sid)['attachments'][0]['id']
    assert isinstance(
        cyclades.set_firewall_profile(sid, 'PROTECTED', port), dict)
    nic = cyclades.get_server_details(sid)['attachments'][0]
    assert nic['firewallProfile'] == 'PROTECTED'
    with pytest.raises(ClientError) as e:
        cyclades.set_firewall_profile(sid, 'PROTECTED', 999999)
    assert e.value.status == 404
    assert isinstance(cyclades.reassign_server(sid, emu.uuid), dict)
    cyclades.delete_server(sid)


def test_wait_helpers(cyclades):
    image_id = _image_id(cyclades)
    sid = cyclades.create_server('waited', 1, image_id)['id']
    seen = []
    details = cyclades.wait_server_while(
        sid, 'BUILD', delay=0.05, max_wait=10, wait_cb=seen.append)
    assert details['status'] == 'ACTIVE'
    assert seen and seen[-1] == details
    assert all(d['status'] == 'BUILD' for d in seen[:-1])
    # A timeout returns the last details, not False.
    polls = []
    details = cyclades.wait_server_until(
        sid, 'STOPPED', delay=0.125, max_wait=0.375, wait_cb=polls.append)
    assert details['status'] == 'ACTIVE' and len(polls) == 3
    assert cyclades.wait_server_until(
        sid, 'STOPPED', delay=1, max_wait=0.5) is None
    # kamaki's deprecated Waiter, with get_server_status.
    assert cyclades.wait_until(
        sid, 'ACTIVE', cyclades.get_server_status, delay=0.05) == 'ACTIVE'
    cyclades.shutdown_server(sid)
    assert cyclades.wait_while(
        sid, 'ACTIVE', cyclades.get_server_status, delay=0.05,
        max_wait=10) == 'STOPPED'
    cyclades.delete_server(sid)
    assert cyclades.wait_server(
        sid, 'STOPPED', delay=0.05, max_wait=10)['status'] == 'DELETED'


# Keypairs


def test_keypairs(compute):
    generated = compute.create_key('generated')
    assert generated['name'] == 'generated'
    assert 'PRIVATE KEY' in generated['private_key']
    assert generated['public_key'].startswith('ssh-')
    imported = compute.create_key('imported', public_key=PUBLIC_KEY)
    assert imported['public_key'] == PUBLIC_KEY
    assert 'private_key' not in imported
    listed = compute.list_keypairs()
    names = sorted(k['keypair']['name'] for k in listed)
    assert names == ['generated', 'imported']
    details = compute.get_keypair_details('imported')
    assert details['name'] == 'imported'
    assert details['public_key'] == PUBLIC_KEY
    assert details['fingerprint'] == imported['fingerprint']
    with pytest.raises(ClientError) as e:
        compute.create_key('imported', public_key=PUBLIC_KEY)
    assert e.value.status == 409
    assert isinstance(compute.delete_keypair('generated'), dict)
    compute.delete_keypair('imported')
    assert compute.list_keypairs() == []
    with pytest.raises(ClientError) as e:
        compute.get_keypair_details('imported')
    assert e.value.status == 404


def test_servers_get_keys(compute, cyclades):
    compute.create_key('login', public_key=PUBLIC_KEY)
    try:
        image_id = _image_id(cyclades)
        one = cyclades.create_server('k1', 1, image_id, key_name='login')
        many = cyclades.create_server('k2', 1, image_id, key_names=['login'])
        assert one['key_name'] == 'login'
        assert many['SNF:key_names'] == ['login']
        for server in (one, many):
            cyclades.delete_server(server['id'])
    finally:
        compute.delete_keypair('login')


# Tags


def test_server_tags(compute, cyclades):
    server = _active_server(cyclades, 'tagged')
    sid = server['id']
    assert compute.list_tags(sid) == []
    headers = compute.add_tag(sid, 'red')
    assert headers['location'].endswith('/servers/%s/tags/red' % sid)
    assert compute.check_tag_exists(sid, 'red') is True
    assert compute.check_tag_exists(sid, 'green') is False
    assert cyclades.get_tag_status(sid, 'red') == 'PENDADD'
    with pytest.raises(ClientError) as e:
        cyclades.get_tag_status(sid, 'green')
    assert e.value.status == 404
    time.sleep(float(DELAY_MS) / 1000 + 0.1)
    assert cyclades.get_tag_status(sid, 'red') == 'ACTIVE'
    assert compute.list_tags(sid) == ['red']
    assert cyclades.list_tags(sid) == {'tags': ['red'], 'statuses': ['ACTIVE']}
    assert compute.delete_tag(sid, 'red') == 204
    assert compute.list_tags(sid) == []

    assert compute.replace_tags(sid, ['a', 'b']) == ['a', 'b']
    assert cyclades.replace_tags(sid, ['c']) == {
        'tags': ['c'], 'statuses': ['PENDADD']}
    time.sleep(float(DELAY_MS) / 1000 + 0.1)
    assert sorted(compute.list_tags(sid)) == ['a', 'b', 'c']
    assert compute.delete_tags(sid) == 204
    assert compute.list_tags(sid) == []
    with pytest.raises(ClientError) as e:
        compute.add_tag(sid, 'has/slash')
    assert e.value.status == 400
    cyclades.delete_server(sid)


# Volume attachments


def test_volume_attachments(cyclades, emu):
    flavor = [f for f in cyclades.list_flavors(detail=True)
              if f['SNF:volume_type'] == 2][0]  # ext_vlmc: detachable
    server = _active_server(cyclades, 'volumes', flavor_id=flavor['id'])
    sid = server['id']
    root = cyclades.list_volume_attachments(sid)
    assert [a['serverId'] for a in root] == [sid]
    volumes = _volume_client(emu)
    volume = volumes.post('/volumes', success=202, json={'volume': {
        'size': 1, 'display_name': 'extra', 'volume_type': 2}}).json['volume']

    def volume_status():
        return volumes.get('/volumes/%s' % volume['id']).json['volume'][
            'status']
    attachment = cyclades.attach_volume(sid, volume['id'])
    assert '%s' % attachment['volumeId'] == volume['id']
    assert attachment['serverId'] == sid
    for _ in range(100):
        if volume_status() == 'in_use':
            break
        time.sleep(0.05)
    assert volume_status() == 'in_use'
    listed = cyclades.list_volume_attachments(sid)
    assert attachment in listed and len(listed) == 2
    assert cyclades.get_volume_attachment(sid, attachment['id']) == attachment
    assert cyclades.detach_volume(sid, volume['id']) == [attachment]
    for _ in range(100):
        if volume_status() == 'available':
            break
        time.sleep(0.05)
    assert volume_status() == 'available'
    assert cyclades.list_volume_attachments(sid) == root
    attachment = cyclades.attach_volume(sid, int(volume['id']))
    for _ in range(100):
        if volume_status() == 'in_use':
            break
        time.sleep(0.05)
    assert isinstance(
        cyclades.delete_volume_attachment(sid, attachment['id']), dict)
    assert cyclades.detach_volume(sid, 'nothing-attached') == []
    cyclades.delete_server(sid)


# Floating IPs (OpenStack extension)


def test_floating_ips_through_compute(compute):
    assert compute.get_floating_ips('ignored') == {'floating_ips': []}
    ip = compute.alloc_floating_ip('ignored')
    assert ip['ip'] and ip['instance_id'] is None
    assert compute.get_floating_ip('ignored') == [ip]
    one = compute.get_floating_ip('ignored', ip['id'])
    assert '%s' % one['id'] == '%s' % ip['id']
    assert isinstance(compute.delete_floating_ip('ignored', ip['id']), dict)
    assert compute.get_floating_ips('ignored') == {'floating_ips': []}


# kamaki 0.16 on the same servers


def test_servers_match_kamaki_0_16(start_emulator, py2):
    emu = start_emulator('--action-delay-ms', '50')
    client = CycladesComputeClient(emu.endpoint('compute'), emu.token)
    one = _active_server(client, 'one', metadata={'a': '1'})
    two = _active_server(client, 'two', 4)
    client.update_server_metadata(two['id'], b='2')
    theirs = py2(PY2_CLIENT + '''
result = [client.get_server_details(sid),
          client.list_servers(detail=True),
          client.list_servers(),
          client.get_server_metadata(sid),
          client.get_server_metadata(sid, 'a'),
          client.get_server_nics(sid),
          client.list_volume_attachments(sid)]
''', url=emu.endpoint('compute'), token=emu.token, sid=one['id'])
    ours = [client.get_server_details(one['id']),
            client.list_servers(detail=True),
            client.list_servers(),
            client.get_server_metadata(one['id']),
            client.get_server_metadata(one['id'], 'a'),
            client.get_server_nics(one['id']),
            client.list_volume_attachments(one['id'])]
    assert ours == theirs
    assert ours[3] == {'a': '1', 'os': 'debian', 'users': 'root'}
    compute = ComputeClient(emu.endpoint('compute'), emu.token)
    assert compute.get_server_details(one['id']) == theirs[0]
    assert compute.list_servers(detail=True) == theirs[1]
