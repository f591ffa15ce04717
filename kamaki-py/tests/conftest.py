"""Fixtures: a synnefo-emu per test module, and the Python 2 kamaki 0.16
(in ../target/pykamaki, installed by scripts/pykamaki-compat.sh) to compare
our answers with.

The emulator binary is ``target/debug/synnefo-emu`` unless
``SYNNEFO_EMU`` names another; ``scripts/python3-tests.sh`` builds it."""

import concurrent.futures
import json
import os
import ssl
import subprocess
import tempfile
import time
import urllib.request

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
EMU = os.environ.get(
    'SYNNEFO_EMU', os.path.join(ROOT, 'target', 'debug', 'synnefo-emu'))
PYKAMAKI = os.path.join(ROOT, 'target', 'pykamaki')

TOKEN = 'py3-token'
UUID = 'py3-uuid'
OTHER_TOKEN = 'other-token'
OTHER_UUID = 'other-uuid'


class Emulator(object):
    """A running synnefo-emu: ``url`` (Astakos' identity URL), ``token`` and
    ``uuid`` of the user, ``other_token``/``other_uuid`` of a second user,
    ``service_token``, and ``endpoint(type)`` for the service URLs."""

    def __init__(self, *extra):
        self.out = tempfile.NamedTemporaryFile(prefix='emu-', suffix='.out')
        self.err = tempfile.NamedTemporaryFile(prefix='emu-', suffix='.err')
        args = [EMU, '--listen', '127.0.0.1:0',
                '--user', 'user@example.com:%s:%s' % (TOKEN, UUID),
                '--user',
                'other@example.com:%s:%s' % (OTHER_TOKEN, OTHER_UUID)]
        self.proc = subprocess.Popen(
            args + list(extra), stdout=self.out, stderr=self.err)
        self.values = {}
        for _ in range(100):
            with open(self.out.name) as f:
                for line in f:
                    if '=' in line:
                        key, _, value = line.strip().partition('=')
                        self.values[key] = value
            if 'TOKEN' in self.values and 'AUTHENTICATION_URL' in self.values:
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if 'AUTHENTICATION_URL' not in self.values:
            self.stop()
            with open(self.err.name) as f:
                raise RuntimeError('synnefo-emu did not start: %s' % f.read())
        self.url = self.values['AUTHENTICATION_URL']
        self.base = self.url.split('/astakos/')[0]
        self.token, self.uuid = TOKEN, UUID
        self.other_token, self.other_uuid = OTHER_TOKEN, OTHER_UUID
        self.service_token = self.values.get('SERVICE_TOKEN')

    def endpoint(self, service_type):
        """The URL of a service, read from the catalog here (not through
        the client under test)."""
        body = json.dumps({'auth': {'token': {'id': self.token}}}).encode()
        request = urllib.request.Request(
            self.url + '/tokens', data=body,
            headers={'Content-Type': 'application/json'})
        context = ssl._create_unverified_context()  # the emulator's own cert
        with urllib.request.urlopen(request, context=context) as reply:
            catalog = json.loads(reply.read())['access']['serviceCatalog']
        for service in catalog:
            if service['type'] == service_type:
                return service['endpoints'][0]['publicURL']
        raise KeyError(service_type)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _start(*extra):
    if not os.path.exists(EMU):
        pytest.fail('%s is missing: build it with cargo build -p synnefo-emu'
                    % EMU)
    return Emulator(*extra)


@pytest.fixture(scope='module')
def emu():
    """An emulator for the tests of one module."""
    emulator = _start()
    yield emulator
    emulator.stop()


@pytest.fixture
def start_emulator():
    """Starts emulators with extra flags; stops them after the test."""
    started = []

    def start(*extra):
        emulator = _start(*extra)
        started.append(emulator)
        return emulator
    yield start
    for emulator in started:
        emulator.stop()


def in_threads(call, arguments):
    """Runs ``call(*args)`` for each tuple of ``arguments``, each in a thread
    of its own, all at once; returns the results in order and raises the
    first exception one of them raised."""
    with concurrent.futures.ThreadPoolExecutor(len(arguments)) as pool:
        futures = [pool.submit(call, *args) for args in arguments]
        return [f.result() for f in futures]


def run_py2(code, **values):
    """Runs ``code`` under Python 2.7 with kamaki 0.16 importable, with
    ``values`` as globals; returns what it assigned to ``result``, through
    JSON. Skips when kamaki 0.16 is not installed here."""
    if not os.path.isdir(os.path.join(PYKAMAKI, 'kamaki')):
        pytest.skip('kamaki 0.16 is not in target/pykamaki '
                    '(scripts/pykamaki-compat.sh installs it)')
    script = (
        'import json, sys\n'
        'globals().update(json.loads(sys.stdin.read()))\n'
        '%s\n'
        'sys.stdout.write(json.dumps(result))\n' % code)
    env = dict(os.environ, PYENV_VERSION='2.7.18', PYTHONPATH=PYKAMAKI)
    proc = subprocess.run(
        ['python2.7', '-c', script], input=json.dumps(values).encode(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=120)
    if proc.returncode != 0:
        raise AssertionError('kamaki 0.16 failed:\n%s' % proc.stderr.decode())
    return json.loads(proc.stdout.decode())


@pytest.fixture
def py2():
    """``run_py2``: the same call through kamaki 0.16, for comparison."""
    return run_py2
