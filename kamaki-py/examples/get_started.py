"""kamaki's get-started walkthrough, in Python 3 on kamaki-rs.

    python get_started.py

With AUTHENTICATION_URL and TOKEN in the environment it talks to that cloud
(CA_CERTS_PATH names the CA bundle when the system has none); without them
it starts the project's emulator, ``synnefo-emu`` (from PATH, or built in
``target/debug`` of this repository), and uses it.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

from kamaki import defaults
from kamaki.clients import ClientError
from kamaki.clients.astakos import AstakosClient
from kamaki.clients.blockstorage import BlockStorageClient
from kamaki.clients.compute import ComputeClient
from kamaki.clients.cyclades import (
    CycladesComputeClient, CycladesNetworkClient)
from kamaki.clients.image import ImageClient
from kamaki.clients.network import NetworkClient
from kamaki.clients.pithos import PithosClient
from kamaki.clients.storage import StorageClient
from kamaki.clients.utils import https


def walkthrough(authentication_url, token):
    """Who the token belongs to, and the endpoint of every client."""
    # Trust the cloud's CA when the system has no bundle of its own.
    if not defaults.CACERTS_DEFAULT_PATH and os.environ.get('CA_CERTS_PATH'):
        https.patch_with_certs(os.environ['CA_CERTS_PATH'])

    astakos = AstakosClient(authentication_url, token)
    compute_url = astakos.get_endpoint_url(
        CycladesComputeClient.service_type)
    pithos_url = astakos.get_endpoint_url(PithosClient.service_type)
    cyclades_compute = CycladesComputeClient(compute_url, token)
    pithos = PithosClient(pithos_url, token)

    user = astakos.user_info
    services = [
        ('CycladesComputeClient', CycladesComputeClient.service_type,
         cyclades_compute.endpoint_url),
        ('PithosClient', PithosClient.service_type, pithos.endpoint_url),
    ]
    for client in (AstakosClient, ComputeClient, NetworkClient,
                   CycladesNetworkClient, BlockStorageClient, ImageClient,
                   StorageClient):
        try:
            endpoint = astakos.get_endpoint_url(client.service_type)
        except ClientError as e:
            endpoint = '(%s)' % e
        services.append((client.__name__, client.service_type, endpoint))
    return user, services


def _start_emulator():
    here = os.path.dirname(os.path.abspath(__file__))
    binary = shutil.which('synnefo-emu') or os.path.join(
        here, '..', '..', 'target', 'debug', 'synnefo-emu')
    out = tempfile.TemporaryFile(mode='w+')
    proc = subprocess.Popen([binary, '--listen', '127.0.0.1:0'], stdout=out,
                            stderr=subprocess.DEVNULL)
    for _ in range(100):
        out.seek(0)
        values = dict(line.strip().split('=', 1) for line in out
                      if '=' in line)
        if 'TOKEN' in values and 'AUTHENTICATION_URL' in values:
            return proc, values['AUTHENTICATION_URL'], values['TOKEN']
        time.sleep(0.05)
    proc.kill()
    raise SystemExit('error: %s did not start' % binary)


def main():
    url, token = os.environ.get('AUTHENTICATION_URL'), os.environ.get('TOKEN')
    emulator = None
    if not (url and token):
        emulator, url, token = _start_emulator()
        print('No AUTHENTICATION_URL and TOKEN set: using synnefo-emu at '
              '%s\n' % url)
    try:
        user, services = walkthrough(url, token)
    except ClientError as e:
        print('error: %s' % e, file=sys.stderr)
        return 1
    finally:
        if emulator:
            emulator.kill()
    print('Authenticated as %s (%s)\n' % (user.get('name'), user.get('id')))
    print('%-24s %-14s endpoint' % ('client', 'service_type'))
    for client, service_type, endpoint in services:
        print('%-24s %-14s %s' % (client, service_type, endpoint))
    return 0


if __name__ == '__main__':
    sys.exit(main())
