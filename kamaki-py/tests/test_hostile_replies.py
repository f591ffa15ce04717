"""Replies a Synnefo cloud would never send (the wrong JSON type, null,
not JSON, empty): every call either returns or raises ``ClientError``,
never a ``TypeError`` from deep inside the client."""

import http.server
import threading

import pytest

from kamaki.clients import ClientError
from kamaki.clients.astakos import AstakosClient, CachedAstakosClient
from kamaki.clients.blockstorage import BlockStorageClient
from kamaki.clients.compute import ComputeClient
from kamaki.clients.cyclades import (
    CycladesBlockStorageClient, CycladesComputeClient, CycladesNetworkClient)
from kamaki.clients.image import ImageClient
from kamaki.clients.network import NetworkClient
from kamaki.clients.pithos import PithosClient

BODIES = [
    b'[]', b'{}', b'"text"', b'null', b'7', b'not json', b'',
    b'{"servers": null, "server": [], "flavors": 5, "flavor": "x", '
    b'"networks": "x", "network": 1, "volumes": [1], "volume": [], '
    b'"access": [], "images": {}, "ports": [[]], "subnets": {"a": 1}}',
    b'{"access": {"user": [], "serviceCatalog": {}, "token": "t"}}',
]


class _Server(object):
    body = b'{}'


@pytest.fixture(scope='module')
def hostile():
    state = _Server()

    class Handler(http.server.BaseHTTPRequestHandler):
        def answer(self):
            length = int(self.headers.get('Content-Length') or 0)
            if length:
                self.rfile.read(length)
            self.send_response(200)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(state.body)))
            self.end_headers()
            if self.command != 'HEAD':
                self.wfile.write(state.body)
        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = answer

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = 'http://127.0.0.1:%d' % server.server_port
    yield state
    server.shutdown()


def _calls(url):
    compute = ComputeClient(url + '/compute/v2.0', 't')
    cyclades = CycladesComputeClient(url + '/compute/v2.0', 't')
    network = NetworkClient(url + '/network/v2.0', 't')
    cnetwork = CycladesNetworkClient(url + '/network/v2.0', 't')
    volumes = BlockStorageClient(url + '/volume/v2.0', 't')
    cvolumes = CycladesBlockStorageClient(url + '/volume/v2.0', 't')
    image = ImageClient(url + '/image/v1.0', 't')
    pithos = PithosClient(url + '/pithos/v1', 't', 'a', 'c')
    astakos = AstakosClient(url + '/identity/v2.0', 't')
    cached = CachedAstakosClient(url + '/identity/v2.0', 't')
    return {
        'list_servers': lambda: compute.list_servers(detail=True),
        'get_server_details': lambda: compute.get_server_details('1'),
        'list_flavors': lambda: compute.list_flavors(detail=True),
        'get_flavor_details': lambda: compute.get_flavor_details('1'),
        'list_images': lambda: compute.list_images(detail=True),
        'get_server_metadata': lambda: compute.get_server_metadata('1'),
        'list_keypairs': lambda: compute.list_keypairs(),
        'cyclades get_server_stats': lambda: cyclades.get_server_stats('1'),
        'cyclades get_server_console': lambda: cyclades.get_server_console(
            '1'),
        'list_networks': lambda: network.list_networks(),
        'get_network_details': lambda: network.get_network_details('1'),
        'list_subnets': lambda: network.list_subnets(),
        'list_ports': lambda: network.list_ports(),
        'list_floatingips': lambda: network.list_floatingips(),
        'cyclades list_networks': lambda: cnetwork.list_networks(detail=True),
        'list_volumes': lambda: volumes.list_volumes(detail=True),
        'get_volume_details': lambda: volumes.get_volume_details('1'),
        'list_snapshots': lambda: volumes.list_snapshots(),
        'list_volume_types': lambda: cvolumes.list_volume_types(),
        'list_public': lambda: image.list_public(detail=True),
        'get_meta': lambda: image.get_meta('1'),
        'list_members': lambda: image.list_members('1'),
        'list_containers': lambda: pithos.list_containers(),
        'list_objects': lambda: pithos.list_objects(),
        'get_object_hashmap': lambda: pithos.get_object_hashmap('o'),
        'get_object_versionlist': lambda: pithos.get_object_versionlist('o'),
        'get_sharing_accounts': lambda: pithos.get_sharing_accounts(),
        'download_to_string': lambda: pithos.download_to_string('o'),
        'authenticate': lambda: astakos.authenticate(),
        'user_info': lambda: astakos.user_info,
        'get_endpoint_url': lambda: astakos.get_endpoint_url('compute'),
        'get_quotas': lambda: astakos.get_quotas(),
        'get_projects': lambda: astakos.get_projects(),
        'cached authenticate': lambda: cached.authenticate(),
        'cached get_endpoint_url': lambda: cached.get_endpoint_url('compute'),
        'cached user_info': lambda: cached.user_info(),
    }


@pytest.mark.parametrize('body', BODIES)
def test_a_reply_of_the_wrong_shape_is_a_client_error(hostile, body):
    hostile.body = body
    crashes = []
    for name, call in sorted(_calls(hostile.url).items()):
        try:
            call()
        except ClientError:
            pass
        except Exception as e:  # what this test is for
            crashes.append('%s: %s: %s' % (name, type(e).__name__, e))
    assert not crashes, '\n'.join(crashes)


def test_the_error_names_the_request_and_the_key(hostile):
    hostile.body = b'[]'
    with pytest.raises(ClientError) as e:
        ComputeClient(hostile.url + '/compute/v2.0', 't').list_servers()
    assert 'GET /servers' in str(e.value) and "'servers'" in str(e.value)
    assert isinstance(e.value, KeyError)
