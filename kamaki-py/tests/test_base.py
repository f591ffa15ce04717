"""The base layer: Client, Response, ClientError, TLS switches."""

import subprocess

import pytest

from kamaki.clients import Client, ClientError, KamakiSSLError
from kamaki.clients.utils import filter_in, filter_out, path4url
from kamaki.clients.utils import https

from conftest import in_threads


class Compute(Client):
    DEFAULT_API_VERSION = '2.0'


def test_an_unversioned_url_gets_the_default_version(emu):
    url = emu.endpoint('compute')
    client = Compute(url.rsplit('/v2.0', 1)[0] + '/', emu.token)
    assert client.endpoint_url == url
    assert client.api_version == '2.0'


def test_a_request_returns_kamakis_response_shape(emu):
    client = Compute(emu.endpoint('compute'), emu.token)
    r = client.get('/flavors')
    assert r.status_code == 200
    assert r.status == 'OK'
    assert r.headers['content-type'].startswith('application/json')
    assert isinstance(r.content, bytes)
    assert isinstance(r.json['flavors'], list) and r.json['flavors']


def test_a_wrong_token_raises_client_error_401(emu):
    client = Compute(emu.endpoint('compute'), 'wrong-token')
    with pytest.raises(ClientError) as e:
        client.get('/flavors')
    assert e.value.status == 401
    assert isinstance(e.value.details, list)
    assert 'wrong-token' not in str(e.value)


def test_an_unexpected_status_raises_with_synnefos_fault(emu):
    client = Compute(emu.endpoint('compute'), emu.token)
    with pytest.raises(ClientError) as e:
        client.get('/servers/999999')
    assert e.value.status == 404
    assert e.value.message.startswith('Not Found itemNotFound')
    assert any('GET ' in d and '/servers/999999' in d
               for d in e.value.details), e.value.details


def test_a_json_fault_message_is_normalised_as_kamaki_does():
    e = ClientError('Not Found {"itemNotFound": {"message": "No server", '
                    '"code": 404, "details": "more"}}')
    assert e.message == 'Not Found itemNotFound (No server)'
    assert e.status == 404 and e.details == ['more']
    assert str(e) == e.message
    plain = ClientError('Conflict ["h1", "h2"]', 409)
    assert plain.message == 'Conflict ["h1", "h2"]' and plain.status == 409


def test_a_refused_connection_is_a_client_error_with_status_0():
    client = Compute('http://127.0.0.1:9/compute/v2.0', 't')
    with pytest.raises(ClientError) as e:
        client.get('/flavors')
    assert e.value.status == 0


def _openssl(*args):
    subprocess.run(['openssl'] + list(args), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _ca_and_server_cert(tmp_path):
    """A private CA, and a certificate it signed for 127.0.0.1."""
    ca, ca_key = tmp_path / 'ca.pem', tmp_path / 'ca.key'
    cert, key = tmp_path / 'cert.pem', tmp_path / 'key.pem'
    csr, ext = tmp_path / 'cert.csr', tmp_path / 'ext.cnf'
    _openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout',
             str(ca_key), '-out', str(ca), '-days', '2',
             '-subj', '/CN=Test CA')
    _openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', str(key),
             '-out', str(csr), '-subj', '/CN=127.0.0.1')
    ext.write_text('subjectAltName=IP:127.0.0.1\n'
                   'extendedKeyUsage=serverAuth\n'
                   'basicConstraints=CA:FALSE\n')
    _openssl('x509', '-req', '-in', str(csr), '-CA', str(ca), '-CAkey',
             str(ca_key), '-CAcreateserial', '-out', str(cert), '-days', '2',
             '-extfile', str(ext))
    return ca, cert, key


def test_tls_is_verified_unless_ignored(start_emulator, tmp_path):
    ca, cert, key = _ca_and_server_cert(tmp_path)
    emu = start_emulator('--tls-cert', str(cert), '--tls-key', str(key))
    client = Compute(emu.endpoint('compute'), emu.token)
    with pytest.raises(KamakiSSLError):
        client.get('/flavors')
    https.patch_ignore_ssl()
    try:
        assert Compute(emu.endpoint('compute'), emu.token).get(
            '/flavors').status_code == 200
    finally:
        https.patch_ignore_ssl(False)
    https.patch_with_certs(str(ca))
    try:
        assert Compute(emu.endpoint('compute'), emu.token).get(
            '/flavors').status_code == 200
    finally:
        https.patch_with_certs(None)
    missing = tmp_path / 'nope.pem'
    with pytest.raises(ClientError):
        https.patch_with_certs(str(missing))


def test_threads_share_a_client(emu):
    client = Compute(emu.endpoint('compute'), emu.token)
    results = in_threads(
        lambda: len(client.get('/flavors').json['flavors']), [()] * 8)
    assert len(results) == 8 and len(set(results)) == 1


def test_utils_behave_as_kamakis():
    assert path4url('a', '', 'b//c/', '/') == '/a/b/c'
    d = {'X-Meta-A': 1, 'x-meta-b': 2, 'Other': 3}
    assert filter_in(d, 'x-meta-') == {'X-Meta-A': 1, 'x-meta-b': 2}
    assert filter_out(d, 'x-meta-') == {'Other': 3}


def test_a_reply_without_the_expected_key_is_a_clear_client_error(emu):
    client = Compute(emu.endpoint('compute'), emu.token)
    reply = client.get('/flavors').json
    with pytest.raises(ClientError) as e:
        reply['servers']
    assert isinstance(e.value, KeyError)
    assert e.value.status == 0
    assert "GET /flavors" in str(e.value) and "'servers'" in str(e.value)
    # Nested objects too; and the replies still are plain dicts to use.
    flavor = reply['flavors'][0]
    with pytest.raises(KeyError):
        flavor['no-such-field']
    assert flavor == dict(flavor) and flavor.get('nope') is None


def test_ctrl_c_interrupts_a_waiting_call(start_emulator):
    """SIGINT while a request waits (the GIL released, in Rust) raises
    KeyboardInterrupt at once, not when the reply comes."""
    import signal
    import sys
    import time
    slow = start_emulator('--fault-latency-ms', '5000')
    code = (
        'import sys, time\n'
        'from kamaki.clients import Client\n'
        'class C(Client):\n'
        '    DEFAULT_API_VERSION = "2.0"\n'
        'c = C(sys.argv[1], sys.argv[2])\n'
        'print("ready", flush=True)\n'
        'start = time.time()\n'
        'try:\n'
        '    c.get("/flavors")\n'
        '    print("completed")\n'
        'except KeyboardInterrupt:\n'
        '    print("interrupted %.2f" % (time.time() - start))\n')
    url = slow.base + '/cyclades/compute/v2.0'
    child = subprocess.Popen([sys.executable, '-c', code, url, slow.token],
                             stdout=subprocess.PIPE)
    assert child.stdout.readline().strip() == b'ready'
    time.sleep(0.5)
    child.send_signal(signal.SIGINT)
    out, _ = child.communicate(timeout=20)
    words = out.decode().split()
    assert words[0] == 'interrupted', out
    assert float(words[1]) < 3.0


def test_requests_are_logged_as_kamaki_logs_them_without_the_token(
        emu, caplog):
    import logging
    from kamaki.clients import DEBUGV
    client = Compute(emu.endpoint('compute'), emu.token)
    with caplog.at_level(DEBUGV, logger='kamaki.clients'):
        client.get('/flavors', params={'marker': 'a b'})
    sent = [r.getMessage() for r in caplog.records
            if r.name == 'kamaki.clients.send']
    received = [r.getMessage() for r in caplog.records
                if r.name == 'kamaki.clients.recv']
    assert sent[0] == 'GET %s/flavors?marker=a%%20b' % client.endpoint_url
    assert '  X-Auth-Token: ...' in sent
    assert received[0] == '200 OK' and 'data size: 0' not in received
    assert all(emu.token not in m for m in sent + received)
    caplog.clear()
    client.LOG_DATA = True
    with caplog.at_level(DEBUGV, logger='kamaki.clients'):
        client.post('/servers', json={'server': {'name': emu.token}},
                    success=(400, 202))
    messages = [r.getMessage() for r in caplog.records]
    assert any('"name": "..."' in m for m in messages), messages
    assert all(emu.token not in m for m in messages)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger='kamaki.clients'):
        client.get('/flavors')
    assert not caplog.records


def test_an_error_without_a_body_says_its_reason_once(emu):
    class Store(Client):
        DEFAULT_API_VERSION = '1'
    client = Store(emu.endpoint('object-store'), emu.token)
    with pytest.raises(ClientError) as e:
        client.head('/%s/no-such-container' % emu.uuid)
    assert e.value.status == 404 and e.value.message == 'Not Found'
