"""Network, block storage and image clients (inventory sections 5, 6, 8
and the port/volume wait helpers of 9.1), against the emulator and, for
the listings and details, against kamaki 0.16 on the same emulator."""

import importlib.util
import os

import pytest

from kamaki.clients import Client, ClientError, wait
from kamaki.clients.blockstorage import (
    BlockStorageClient, BlockStorageRestClient)
from kamaki.clients.image import ImageClient
from kamaki.clients.network import NetworkClient, NetworkRestClient

try:
    from kamaki.clients.cyclades import (
        CycladesBlockStorageClient, CycladesBlockStorageRestClient,
        CycladesNetworkClient)
except ImportError:  # cyclades/compute.py is not there yet: load ours alone
    _CYCLADES = os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'python', 'kamaki',
        'clients', 'cyclades')

    def _load(name):
        spec = importlib.util.spec_from_file_location(
            '_test_cyclades_%s' % name, os.path.join(_CYCLADES, name + '.py'))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    CycladesNetworkClient = _load('network').CycladesNetworkClient
    _blockstorage = _load('blockstorage')
    CycladesBlockStorageClient = _blockstorage.CycladesBlockStorageClient
    CycladesBlockStorageRestClient = (
        _blockstorage.CycladesBlockStorageRestClient)

MISSING = '999999'


class Compute(Client):
    DEFAULT_API_VERSION = '2.0'


class Store(Client):
    DEFAULT_API_VERSION = '1'


@pytest.fixture(scope='module')
def network(emu):
    return CycladesNetworkClient(emu.endpoint('network'), emu.token)


@pytest.fixture(scope='module')
def volumes(emu):
    return CycladesBlockStorageClient(emu.endpoint('volume'), emu.token)


@pytest.fixture(scope='module')
def images(emu):
    return ImageClient(emu.endpoint('image'), emu.token)


@pytest.fixture(scope='module')
def server(emu):
    """An ACTIVE server of an ext_vlmc flavor (its volumes may be
    snapshotted), made with plain requests: the compute client is another
    part's."""
    return _server(emu)


def _server(emu):
    compute = Compute(emu.endpoint('compute'), emu.token)
    flavor = [f for f in compute.get('/flavors/detail').json['flavors']
              if f['SNF:disk_template'].startswith('ext_')][0]
    image = compute.get('/images').json['images'][0]['id']
    body = {'server': {'name': 'net-vol-test', 'flavorRef': flavor['id'],
                       'imageRef': image}}
    created = compute.post('/servers', json=body, success=202).json['server']
    details = wait(
        lambda: compute.get('/servers/%s' % created['id']).json['server'],
        (), lambda s: s['status'] != 'BUILD', delay=0.2, timeout=30)
    assert details['status'] == 'ACTIVE'
    details['volume_type'] = flavor['SNF:volume_type']
    return details


def _put_image_object(emu, name, content=b'image data' * 100):
    """A Pithos object of the user, for an image's location."""
    store = Store(emu.endpoint('object-store'), emu.token)
    store.put('/%s/images' % emu.uuid, success=(201, 202))
    store.put('/%s/images/%s' % (emu.uuid, name), data=content,
              headers={'Content-Type': 'application/octet-stream'},
              success=201)
    return 'pithos://%s/images/%s' % (emu.uuid, name)


# Classes and endpoints


def test_classes_name_their_service_and_default_version(emu):
    expected = [
        (NetworkRestClient, 'network', '2.0'),
        (NetworkClient, 'network', '2.0'),
        (CycladesNetworkClient, 'network', '2.0'),
        (BlockStorageRestClient, 'volume', '2.0'),
        (BlockStorageClient, 'volume', '2.0'),
        (CycladesBlockStorageRestClient, 'volume', '2.0'),
        (CycladesBlockStorageClient, 'volume', '2.0'),
        (ImageClient, 'image', '1.0'),
    ]
    for cls, service_type, version in expected:
        assert cls.service_type == service_type
        assert cls.DEFAULT_API_VERSION == version
    assert issubclass(CycladesNetworkClient, NetworkClient)
    assert issubclass(CycladesBlockStorageClient, BlockStorageClient)
    url = emu.endpoint('image').rstrip('/')
    assert not url.endswith('/v1.0')
    assert ImageClient(url, emu.token).endpoint_url == url + '/v1.0'
    url = emu.endpoint('network').rstrip('/')
    assert NetworkClient(url, emu.token).endpoint_url == url + '/v2.0'
    assert NetworkClient(url + '/v2.0', emu.token).endpoint_url == (
        url + '/v2.0')
    url = emu.endpoint('volume').rstrip('/')
    assert BlockStorageClient(url, emu.token).endpoint_url == url + '/v2.0'
    image = ImageClient(emu.endpoint('image'), emu.token)
    assert isinstance(image.list_public(), list)


def test_rest_layer_returns_responses(emu, network, volumes):
    rest = NetworkRestClient(emu.endpoint('network'), emu.token)
    r = rest.networks_get()
    assert r.status_code == 200 and isinstance(r.json['networks'], list)
    public = r.json['networks'][0]['id']
    r = rest.networks_get(public)
    assert r.json['network']['id'] == public
    assert rest.subnets_get().status_code == 200
    assert rest.ports_get().status_code == 200
    assert rest.floatingips_get().status_code == 200
    with pytest.raises(ClientError) as e:
        rest.networks_get(MISSING, success=200)
    assert e.value.status == 404
    block = BlockStorageRestClient(emu.endpoint('volume'), emu.token)
    assert block.types_get().json['volume_types']
    assert block.volumes_get(detail=True).status_code == 200
    assert block.snapshots_get().status_code == 200


# Networks


def test_network_create_list_details_update_delete(emu, network):
    plain = NetworkClient(emu.endpoint('network'), emu.token)
    created = network.create_network(
        'MAC_FILTERED', name='net one', project_id=emu.uuid)
    assert created['name'] == 'net one'
    assert created['type'] == 'MAC_FILTERED'
    assert created['tenant_id'] == emu.uuid
    assert created['admin_state_up'] is True
    nid = created['id']
    assert nid in [n['id'] for n in plain.list_networks()]
    detailed = network.list_networks(detail=True)
    assert [n for n in detailed if n['id'] == nid][0]['status'] == 'ACTIVE'
    assert nid in [n['id'] for n in network.list_networks()]
    details = plain.get_network_details(nid)
    assert details['id'] == nid and details['name'] == 'net one'
    updated = plain.update_network(nid, name='net renamed')
    assert updated['name'] == 'net renamed'
    assert plain.get_network_details(nid)['name'] == 'net renamed'
    assert network.reassign_network(nid, emu.uuid) is not None
    headers = plain.delete_network(nid)
    assert isinstance(headers, dict)
    assert nid not in [n['id'] for n in plain.list_networks()]
    assert plain.get_network_details(nid)['deleted'] is True


def test_openstack_create_network_lacks_synnefos_type(emu):
    plain = NetworkClient(emu.endpoint('network'), emu.token)
    with pytest.raises(ClientError) as e:
        plain.create_network('no type')
    assert e.value.status == 400


def test_a_network_of_a_forbidden_type_is_refused(network):
    with pytest.raises(ClientError) as e:
        network.create_network('CUSTOM', name='custom')
    assert e.value.status == 403


def test_batch_specifications_are_checked_before_sending(emu):
    plain = NetworkClient(emu.endpoint('network'), emu.token)
    with pytest.raises(ValueError):
        plain.create_networks('net')
    with pytest.raises(ValueError):
        plain.create_networks([{'name': 'n', 'colour': 'red'}])
    with pytest.raises(ValueError):
        plain.create_networks([{'shared': True}])
    with pytest.raises(ValueError):
        plain.create_subnets([{'network_id': '1'}])
    with pytest.raises(ValueError):
        plain.create_subnets([{'cidr': '10.0.0.0/24', 'ipv7': True}])
    with pytest.raises(ValueError):
        plain.create_ports([{'name': 'no network'}])
    with pytest.raises(ValueError):
        plain.create_ports(['not a dict'])
    with pytest.raises(ValueError):
        CycladesNetworkClient(
            emu.endpoint('network'), emu.token).create_port(
                '1', fixed_ips=[{'subnet_id': '1'}])


def test_subnet_create_list_details_update(network):
    nid = network.create_network('MAC_FILTERED', name='subnetted')['id']
    subnet = network.create_subnet(
        nid, '10.10.0.0/24', name='sub one',
        allocation_pools=[{'start': '10.10.0.10', 'end': '10.10.0.20'}],
        gateway_ip='10.10.0.1', enable_dhcp=True)
    assert subnet['network_id'] == nid
    assert subnet['cidr'] == '10.10.0.0/24'
    assert subnet['ip_version'] == 4
    assert subnet['gateway_ip'] == '10.10.0.1'
    assert subnet['allocation_pools'] == [
        {'start': '10.10.0.10', 'end': '10.10.0.20'}]
    sid = subnet['id']
    assert sid in [s['id'] for s in network.list_subnets()]
    details = network.get_subnet_details(sid)
    assert list(details) == ['subnet']  # kamaki does not unwrap it
    assert details['subnet']['name'] == 'sub one'
    updated = network.update_subnet(sid, name='sub renamed')
    assert updated['name'] == 'sub renamed' and updated['id'] == sid
    assert sid in network.get_network_details(nid)['subnets']
    with pytest.raises(ClientError) as e:
        network.delete_subnet(sid)  # Synnefo does not delete subnets
    assert e.value.status == 400
    gatewayless = network.create_subnet(
        network.create_network('MAC_FILTERED')['id'], '10.11.0.0/24',
        gateway_ip='')
    assert gatewayless['gateway_ip'] is None


# Ports


def test_port_create_details_update_list_delete(network):
    nid = network.create_network('MAC_FILTERED', name='ported')['id']
    network.create_subnet(nid, '10.20.0.0/24')
    port = network.create_port(
        nid, name='port one', fixed_ips=[{'ip_address': '10.20.0.7'}])
    pid = port['id']
    assert port['network_id'] == nid and port['name'] == 'port one'
    assert port['fixed_ips'][0]['ip_address'] == '10.20.0.7'
    assert port['status'] == 'DOWN'  # plugged into no server
    assert network.get_port_details(pid)['mac_address'] == port['mac_address']
    assert pid in [p['id'] for p in network.list_ports()]
    assert pid in [p['id'] for p in network.list_ports(detail=True)]
    plain = NetworkClient(network.endpoint_url, network.token)
    assert pid in [p['id'] for p in plain.list_ports()]
    updated = network.update_port(pid, nid, name='port renamed')
    assert updated['name'] == 'port renamed'
    assert network.get_port_status(pid) == ('DOWN', None)
    assert isinstance(network.delete_port(pid), dict)
    with pytest.raises(ClientError) as e:
        network.get_port_details(pid)
    assert e.value.status == 404


def test_wait_port_until_a_port_on_a_server_is_active(emu, network, server):
    nid = network.create_network('MAC_FILTERED', name='waited')['id']
    network.create_subnet(nid, '10.30.0.0/24')
    port = network.create_port(nid, device_id=server['id'], name='nic')
    assert port['device_id'] == '%s' % server['id']
    assert port['status'] == 'BUILD'
    seen = []
    details = network.wait_port_until(
        port['id'], 'ACTIVE', delay=0.1, max_wait=30, wait_cb=seen.append)
    assert details['status'] == 'ACTIVE' and details['id'] == port['id']
    assert seen and seen[-1] == details
    assert network.wait_port_while(port['id'], 'BUILD')['status'] == 'ACTIVE'
    assert network.wait_port(port['id'])['status'] == 'ACTIVE'
    # the default target is BUILD (kamaki's): an ACTIVE port never gets
    # there, and the last details come back when the polls run out
    seen = []
    details = network.wait_port_until(
        port['id'], delay=0.25, max_wait=1, wait_cb=seen.append)
    assert len(seen) == 4 and details['status'] == 'ACTIVE'
    network.delete_port(port['id'])
    with pytest.raises(ClientError) as e:
        network.wait_port_while(port['id'], 'ACTIVE', delay=0.05)
    assert e.value.status == 404


# Floating IPs


def test_floating_ip_create_list_details_reassign_delete(emu, network):
    picked = network.create_floatingip()
    public = picked['floating_network_id']
    assert picked['floating_ip_address'] and picked['port_id'] is None
    plain = NetworkClient(network.endpoint_url, network.token)
    chosen = plain.create_floatingip(public)
    assert chosen['floating_network_id'] == public
    address = network.create_floatingip(
        public, floating_ip_address='203.0.113.200', project_id=emu.uuid)
    assert address['floating_ip_address'] == '203.0.113.200'
    ids = [f['id'] for f in network.list_floatingips()]
    for ip in (picked, chosen, address):
        assert ip['id'] in ids
    details = network.get_floatingip_details(picked['id'])
    assert details['floating_ip_address'] == picked['floating_ip_address']
    assert network.reassign_floating_ip(picked['id'], emu.uuid) is None
    with pytest.raises(ClientError) as e:
        network.update_floatingip(picked['id'], port_id=None)
    assert e.value.status == 501  # Synnefo does not update floating IPs
    for ip in (picked, chosen, address):
        assert isinstance(network.delete_floatingip(ip['id']), dict)
    with pytest.raises(ClientError) as e:
        network.get_floatingip_details(picked['id'])
    assert e.value.status == 404


def test_missing_network_items_raise_404(network):
    for call in (network.get_network_details, network.get_port_details,
                 network.get_subnet_details, network.get_floatingip_details,
                 network.delete_port, network.delete_floatingip):
        with pytest.raises(ClientError) as e:
            call(MISSING)
        assert e.value.status == 404, call


# Volumes


def test_volume_types(volumes):
    types = volumes.list_volume_types()
    assert types and all('SNF:disk_template' in t for t in types)
    first = types[0]
    assert volumes.get_volume_type_details(first['id']) == first
    with pytest.raises(ClientError) as e:
        volumes.get_volume_type_details(MISSING)
    assert e.value.status == 404


def test_volume_lifecycle_with_server(emu, volumes, server):
    volume = volumes.create_volume(
        1, 'vol one', server_id=server['id'], display_description='first',
        volume_type=server['volume_type'], metadata={'purpose': 'test'},
        project=emu.uuid)
    vid = volume['id']
    assert volume['display_name'] == 'vol one'
    seen = []
    details = volumes.wait_volume_until(
        vid, delay=0.1, max_wait=30, wait_cb=seen.append)
    assert details['status'] == 'in_use' and seen[-1] == details
    assert details['metadata'] == {'purpose': 'test'}
    assert details['display_description'] == 'first'
    assert details['attachments'][0]['server_id'] in (
        server['id'], '%s' % server['id'])
    assert volumes.wait_volume(vid)['status'] == 'in_use'
    assert volumes.wait_volume_while(vid, 'creating')['status'] == 'in_use'
    assert volumes.get_volume_status(vid) == ('in_use', None)
    assert vid in [v['id'] for v in volumes.list_volumes()]
    listed = [v for v in volumes.list_volumes(detail=True) if v['id'] == vid]
    assert listed[0]['status'] == 'in_use'
    updated = volumes.update_volume(
        vid, display_name='vol renamed', display_description='second')
    assert updated['display_name'] == 'vol renamed'
    assert updated['display_description'] == 'second'
    assert volumes.update_volume(vid) == volumes.get_volume_details(vid)
    assert volumes.reassign_volume(vid, emu.uuid) is None

    snapshot = volumes.create_snapshot(
        vid, display_name='snap one', display_description='snapped')
    sid = snapshot['id']
    assert snapshot['volume_id'] == vid
    assert snapshot['display_name'] == 'snap one'
    assert sid in [s['id'] for s in volumes.list_snapshots()]
    assert sid in [s['id'] for s in volumes.list_snapshots(detail=True)]
    assert volumes.get_snapshot_details(sid)['display_description'] == (
        'snapped')
    renamed = volumes.update_snapshot(sid, display_name='snap renamed')
    assert renamed['display_name'] == 'snap renamed'
    assert volumes.update_snapshot(sid)['display_name'] == 'snap renamed'
    assert isinstance(volumes.delete_snapshot(sid), dict)
    assert sid not in [s['id'] for s in volumes.list_snapshots()]

    assert isinstance(volumes.delete_volume(vid), dict)
    gone = volumes.wait_volume_until(vid, 'deleted', delay=0.1, max_wait=30)
    assert gone['status'] == 'deleted'


def test_openstack_volume_client_creates_a_detachable_volume(emu, volumes):
    detachable = [t for t in volumes.list_volume_types()
                  if t['SNF:detachable']][0]
    plain = BlockStorageClient(emu.endpoint('volume'), emu.token)
    volume = plain.create_volume(
        2, display_name='loose', volume_type=detachable['id'],
        metadata={'k': 'v'})
    details = plain.wait_volume(volume['id'], delay=0.1, timeout=10)
    assert details['status'] == 'available' and details['size'] == 2
    # wait_* give back the last details when the polls run out
    seen = []
    last = plain.wait_volume_until(
        volume['id'], 'in_use', delay=0.25, max_wait=0.75,
        wait_cb=seen.append)
    assert len(seen) == 3 and last['status'] == 'available'
    plain.delete_volume(volume['id'])
    with pytest.raises(ClientError) as e:
        plain.create_volume(1)  # Synnefo needs a name
    assert e.value.status == 400


def test_missing_volume_items_raise_404(volumes):
    for call in (volumes.get_volume_details, volumes.get_snapshot_details,
                 volumes.delete_volume, volumes.delete_snapshot):
        with pytest.raises(ClientError) as e:
            call(MISSING)
        assert e.value.status == 404, call


# Images


def test_image_register_meta_update_members_unregister(emu, images):
    location = _put_image_object(emu, 'img one.diskdump')
    image = images.register(
        'Image ö', location,
        params=dict(disk_format='diskdump', container_format='bare',
                    is_public=False, ignored='x'),
        properties=dict(OS='linux', users='root user', greeting='γειά'))
    iid = image['id']
    assert image['name'] == 'Image ö'
    assert image['location'] == location
    assert image['disk-format'] == 'diskdump'
    assert image['is-public'] == 'False'
    assert image['owner'] == emu.uuid
    assert image['properties'] == {
        'os': 'linux', 'users': 'root user', 'greeting': 'γειά'}
    assert images.get_meta(iid) == image

    listed = [i for i in images.list_public() if i['id'] == iid]
    assert listed and listed[0]['name'] == 'Image ö'
    assert 'properties' not in listed[0]
    detailed = [i for i in images.list_public(detail=True) if i['id'] == iid]
    assert detailed[0]['properties']['greeting'] == 'γειά'
    assert [i['id'] for i in images.list_public(
        filters={'name': 'Image ö', 'status': None})] == [iid]
    names = [i['name'] for i in images.list_public(order='-name')]
    assert names == sorted(names, reverse=True)
    names = [i['name'] for i in images.list_public(order='name')]
    assert names == sorted(names)

    headers = images.update_image(
        iid, name='Image ü', public=True, description='a test image')
    assert headers['x-image-meta-name'] == 'Image ü'
    assert headers['x-image-meta-is-public'] == 'True'
    meta = images.get_meta(iid)
    assert meta['name'] == 'Image ü' and meta['is-public'] == 'True'
    assert meta['properties']['description'] == 'a test image'
    assert meta['properties']['os'] == 'linux'
    images.update_image(iid, public=False)

    others = ImageClient(emu.endpoint('image'), emu.other_token)
    assert iid not in [s['image_id'] for s in others.list_shared(emu.uuid)]
    assert isinstance(images.add_member(iid, emu.other_uuid), dict)
    assert emu.other_uuid in [m['member_id'] for m in images.list_members(
        iid)]
    assert iid in [s['image_id'] for s in others.list_shared(emu.uuid)]
    assert others.get_meta(iid)['name'] == 'Image ü'
    images.remove_member(iid, emu.other_uuid)
    assert emu.other_uuid not in [
        m['member_id'] for m in images.list_members(iid)]
    images.set_members(iid, ['alice', 'bob'])
    assert sorted(m['member_id'] for m in images.list_members(iid)) == [
        'alice', 'bob']

    assert isinstance(images.unregister(iid), dict)
    with pytest.raises(ClientError) as e:
        images.get_meta(iid)
    assert e.value.status == 404


def test_image_location_may_be_a_tuple(emu, images):
    _put_image_object(emu, 'dir/tuple image.diskdump', b'tuple')
    image = images.register(
        'from a tuple', (emu.uuid, 'images', 'dir/tuple image.diskdump'))
    assert image['location'] == (
        'pithos://%s/images/dir/tuple image.diskdump' % emu.uuid)
    assert image['size'] == '5'
    images.unregister(image['id'])
    with pytest.raises(ClientError) as e:
        images.register('nowhere', (emu.uuid, 'images', 'missing object'))
    assert e.value.status in (400, 404)


def test_registering_an_object_again_reregisters_its_image(emu, images):
    # kamaki has no reregister method: registering the same location again
    # updates the image, keeping its id; Synnefo (0.16 on) merges the new
    # properties into the old ones
    location = _put_image_object(emu, 'reregistered')
    first = images.register(
        'first name', location, properties=dict(user='someuser', os='linux'))
    again = images.register(
        'second name', location, params=dict(is_public=True),
        properties=dict(user='root'))
    assert again['id'] == first['id']
    meta = images.get_meta(first['id'])
    assert meta['name'] == 'second name' and meta['is-public'] == 'True'
    assert meta['properties'] == {'user': 'root', 'os': 'linux'}
    images.unregister(first['id'])


def test_missing_images_raise_404(images):
    for call in (images.get_meta, images.list_members, images.unregister):
        with pytest.raises(ClientError) as e:
            call('no-such-image')
        assert e.value.status == 404, call


def test_list_public_gives_a_list_in_both_listing_forms(start_emulator):
    for form in ('wrapped', 'bare'):
        emu = start_emulator('--image-listing', form)
        client = ImageClient(emu.endpoint('image'), emu.token)
        for detail in (False, True):
            listed = client.list_public(detail=detail)
            assert isinstance(listed, list) and listed
            assert all('id' in i and 'name' in i for i in listed)


# The same calls through kamaki 0.16


PY2_NETWORK = '''
from kamaki.clients.cyclades import CycladesNetworkClient
client = CycladesNetworkClient(url, token)
result = dict(
    networks=client.list_networks(detail=True),
    network=client.get_network_details(network_id),
    subnets=client.list_subnets(),
    ports=client.list_ports(),
    floatingips=client.list_floatingips(),
    port=client.get_port_details(port_id),
    subnet=client.get_subnet_details(subnet_id))
'''


def test_network_answers_equal_kamaki_0_16s(emu, network, py2):
    nid = network.create_network('MAC_FILTERED', name='compared')['id']
    sid = network.create_subnet(nid, '10.40.0.0/24', name='cmp')['id']
    pid = network.create_port(nid, name='cmp port')['id']
    fip = network.create_floatingip()
    ours = dict(
        networks=network.list_networks(detail=True),
        network=network.get_network_details(nid),
        subnets=network.list_subnets(),
        ports=network.list_ports(),
        floatingips=network.list_floatingips(),
        port=network.get_port_details(pid),
        subnet=network.get_subnet_details(sid))
    theirs = py2(PY2_NETWORK, url=network.endpoint_url, token=emu.token,
                 network_id=nid, port_id=pid, subnet_id=sid)
    assert theirs == ours
    assert fip['id'] in [f['id'] for f in theirs['floatingips']]


PY2_VOLUMES = '''
from kamaki.clients.cyclades import CycladesBlockStorageClient
client = CycladesBlockStorageClient(url, token)
result = dict(
    volumes=client.list_volumes(detail=True),
    brief=client.list_volumes(),
    volume=client.get_volume_details(volume_id),
    types=client.list_volume_types(),
    snapshots=client.list_snapshots(detail=True))
'''


def test_volume_answers_equal_kamaki_0_16s(emu, volumes, server, py2):
    volume = volumes.create_volume(
        1, 'compared', server_id=server['id'],
        volume_type=server['volume_type'])
    volumes.wait_volume_until(volume['id'], delay=0.1, max_wait=30)
    volumes.create_snapshot(volume['id'], display_name='compared snap')
    ours = dict(
        volumes=volumes.list_volumes(detail=True),
        brief=volumes.list_volumes(),
        volume=volumes.get_volume_details(volume['id']),
        types=volumes.list_volume_types(),
        snapshots=volumes.list_snapshots(detail=True))
    theirs = py2(PY2_VOLUMES, url=volumes.endpoint_url, token=emu.token,
                 volume_id=volume['id'])
    # a snapshot's status and progress move on with time
    for answer in (ours, theirs):
        for snapshot in answer['snapshots']:
            snapshot.pop('status')
            snapshot.pop('os-extended-snapshot-attribute:progress')
    assert theirs == ours


PY2_IMAGES = '''
from kamaki.clients.image import ImageClient
client = ImageClient(url, token)
result = dict(
    detailed=client.list_public(detail=True),
    brief=client.list_public(),
    filtered=client.list_public(
        detail=True, filters=dict(disk_format='diskdump'), order='-name'),
    meta=client.get_meta(image_id),
    members=client.list_members(image_id))
'''


def test_image_answers_equal_kamaki_0_16s(start_emulator, py2):
    emu = start_emulator('--image-listing', 'bare')
    images = ImageClient(emu.endpoint('image'), emu.token)
    location = _put_image_object(emu, 'compared image')
    iid = images.register(
        'Compared ü', location, params=dict(is_public=True),
        properties=dict(OS='linux', note='ή δε'))['id']
    images.add_member(iid, emu.other_uuid)
    ours = dict(
        detailed=images.list_public(detail=True),
        brief=images.list_public(),
        filtered=images.list_public(
            detail=True, filters=dict(disk_format='diskdump'), order='-name'),
        meta=images.get_meta(iid),
        members=images.list_members(iid))
    theirs = py2(PY2_IMAGES, url=images.endpoint_url, token=emu.token,
                 image_id=iid)
    assert theirs == ours
    assert ours['meta']['name'] == 'Compared ü'
    assert ours['meta']['properties']['note'] == 'ή δε'
