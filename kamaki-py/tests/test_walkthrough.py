"""The README's walkthrough, run as a user runs it."""

import os
import subprocess
import sys

EXAMPLE = os.path.join(os.path.dirname(__file__), '..', 'examples',
                       'get_started.py')


def test_the_walkthrough_finds_the_user_and_every_endpoint(emu):
    env = dict(os.environ, AUTHENTICATION_URL=emu.url, TOKEN=emu.token)
    run = subprocess.run([sys.executable, EXAMPLE], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=60)
    out = run.stdout.decode()
    assert run.returncode == 0, run.stderr.decode()
    assert 'Authenticated as ' in out and '(%s)' % emu.uuid in out
    for client, service_type, path in [
            ('CycladesComputeClient', 'compute', '/compute'),
            ('PithosClient', 'object-store', '/object-store'),
            ('AstakosClient', 'identity', '/identity'),
            ('NetworkClient', 'network', '/network'),
            ('BlockStorageClient', 'volume', '/volume'),
            ('ImageClient', 'image', '/image')]:
        line = [row for row in out.splitlines()
                if row.startswith(client + ' ')]
        assert line and service_type in line[0] and path in line[0], out


def test_a_wrong_token_fails_with_one_line_and_exit_1(emu):
    env = dict(os.environ, AUTHENTICATION_URL=emu.url, TOKEN='wrong')
    run = subprocess.run([sys.executable, EXAMPLE], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=60)
    assert run.returncode == 1
    err = run.stderr.decode()
    assert err.startswith('error: ') and 'wrong' not in err
