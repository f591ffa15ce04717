"""Pithos data through the Rust engine: PithosClient's upload_object,
upload_from_string, download_object, download_to_string, stream_down and
the tree transfers, with kamaki's arguments and callbacks."""

import hashlib
import io
import os

import pytest

from kamaki.clients import ClientError
from kamaki.clients.pithos import PithosClient

MIB = 1024 * 1024


@pytest.fixture(scope='module')
def pithos(emu):
    client = PithosClient(emu.endpoint('object-store'), emu.token, emu.uuid,
                          'transfers')
    client.put('/%s/transfers' % emu.uuid, success=(201, 202))
    return client


def _blocks_cb(record):
    """A kamaki progress callback: ``cb(n)`` gives a generator advanced once
    at the start and once per block."""
    def cb(n):
        record.append(n)
        while True:
            yield
            record.append('step')
    return cb


def _sha256_of(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(MIB), b''):
            digest.update(chunk)
    return digest.hexdigest()


def test_256_mib_up_and_down_through_files_keep_their_sha256(pithos, tmp_path):
    src, dst = tmp_path / 'big.bin', tmp_path / 'back.bin'
    with open(src, 'wb') as f:
        for _ in range(256):
            f.write(os.urandom(MIB))
    with open(src, 'rb') as f:
        headers = pithos.upload_object('big.bin', f)
    assert headers['etag'] == pithos.get_object_info('big.bin')['etag']
    with open(dst, 'wb+') as f:
        pithos.download_object('big.bin', f)
        assert f.tell() == 256 * MIB
    assert _sha256_of(dst) == _sha256_of(src)


def test_callbacks_are_advanced_once_per_block(pithos):
    data = os.urandom(3 * 4 * MIB + 5)
    hashed, uploaded, downloaded = [], [], []
    pithos.upload_from_string('cb.bin', data, hash_cb=_blocks_cb(hashed),
                              upload_cb=_blocks_cb(uploaded))
    assert hashed == [4, 'step', 'step', 'step', 'step']
    assert uploaded == [4, 'step', 'step', 'step', 'step']
    out = io.BytesIO()
    pithos.download_object('cb.bin', out,
                           download_cb=_blocks_cb(downloaded))
    assert out.getvalue() == data
    assert downloaded == [4, 'step', 'step', 'step', 'step']


def test_a_second_upload_of_the_same_data_sends_no_block(pithos):
    data = os.urandom(2 * 4 * MIB)
    pithos.upload_from_string('once.bin', data)
    uploaded = []
    pithos.upload_from_string('twice.bin', data,
                              upload_cb=_blocks_cb(uploaded))
    # Every block is reported at the start as already there.
    assert uploaded == [2, 'step', 'step']
    assert pithos.download_to_string('twice.bin') == data


def test_upload_options_reach_the_object(pithos, emu):
    pithos.upload_from_string(
        'opts.txt', 'héllo', content_type='text/plain; charset=utf-8',
        sharing=dict(read=[emu.other_uuid]), public=True)
    info = pithos.get_object_info('opts.txt')
    assert info['content-type'] == 'text/plain; charset=utf-8'
    assert info['x-object-sharing'] == 'read=%s' % emu.other_uuid
    assert info['x-object-public']
    assert pithos.download_to_string('opts.txt') == 'héllo'.encode('utf-8')
    with pytest.raises(ClientError) as e:
        pithos.upload_from_string('opts.txt', b'x', if_not_exist=True)
    assert e.value.status == 412


def test_file_objects_without_a_descriptor_and_sizes(pithos):
    data = os.urandom(MIB + 3)
    pithos.upload_object('sized.bin', io.BytesIO(data), size=1000)
    assert pithos.download_to_string('sized.bin') == data[:1000]
    pithos.upload_object('stream.bin', io.BytesIO(data))
    assert pithos.download_to_string('stream.bin') == data
    assert pithos.download_to_string('stream.bin', range_str='10-19') == \
        data[10:20]


def test_download_into_a_file_with_other_content_replaces_it(pithos, tmp_path):
    data = os.urandom(4 * MIB + 1)
    pithos.upload_from_string('replace.bin', data)
    target = tmp_path / 'replace.bin'
    target.write_bytes(b'\xff' * (9 * MIB))
    with open(target, 'rb+') as f:
        pithos.download_object('replace.bin', f)
    assert target.read_bytes() == data


def test_resume_keeps_the_blocks_already_there(pithos, tmp_path):
    data = os.urandom(3 * 4 * MIB)
    pithos.upload_from_string('resume.bin', data)
    target = tmp_path / 'resume.bin'
    target.write_bytes(data[:2 * 4 * MIB])
    with open(target, 'rb+') as f:
        headers = {}
        pithos.download_object('resume.bin', f, resume=True, headers=headers)
    assert target.read_bytes() == data
    assert headers['x-object-hash']


def test_stream_down_writes_the_object_in_order(pithos):
    data = os.urandom(5 * 4 * MIB + 9)
    pithos.upload_from_string('stream-down.bin', data)
    out = io.BytesIO()
    pithos.stream_down('stream-down.bin', out, buffer_blocks=2)
    assert out.getvalue() == data
    with pytest.raises(ClientError) as e:
        pithos.stream_down('no-such-object', io.BytesIO())
    assert e.value.status == 404 and 'no-such-object' in e.value.message


def test_a_missing_container_and_object_raise_404(pithos, emu, tmp_path):
    other = PithosClient(pithos.endpoint_url, emu.token, emu.uuid, 'nope')
    with pytest.raises(ClientError) as e:
        other.upload_from_string('x', b'data')
    assert e.value.status == 404
    assert e.value.message == (
        'Container "nope" does not exist in account %s: create it first '
        '(create_container)' % emu.uuid)
    # The server's words and the failed request are in the details.
    assert any('/nope' in d for d in e.value.details), e.value.details
    with pytest.raises(ClientError) as e:
        pithos.download_to_string('no-such-object')
    assert e.value.status == 404
    assert e.value.message == (
        'Object "no-such-object" or its container "transfers" does not exist')
    with pytest.raises(ClientError) as e:
        with open(tmp_path / 'x', 'wb') as f:
            pithos.download_object('no-such-object', f)
    assert e.value.status == 404


def test_a_wrong_token_raises_401_without_the_token(emu, pithos):
    bad = PithosClient(pithos.endpoint_url, 'not-a-token', emu.uuid,
                       'transfers')
    with pytest.raises(ClientError) as e:
        bad.upload_from_string('x', b'data')
    assert e.value.status == 401
    assert 'not-a-token' not in str(e.value)


def test_trees_go_up_and_down_and_a_rerun_moves_nothing(pithos, tmp_path):
    local = tmp_path / 'tree'
    (local / 'a' / 'b').mkdir(parents=True)
    (local / 'empty').mkdir()
    files = {'top.txt': b'top', 'a/one.bin': os.urandom(5 * MIB),
             'a/b/two.txt': 'ünïcode'.encode('utf-8'), 'a/b/zero': b''}
    for name, data in files.items():
        (local / name).write_bytes(data)
    seen = []
    report = pithos.upload_tree(str(local), 'backup',
                                progress_cb=lambda d, t: seen.append((d, t)))
    assert sorted(report['transferred']) == sorted(
        'backup/' + n for n in files)
    assert seen and seen[-1][0] == seen[-1][1] == report['bytes']
    again = pithos.upload_tree(str(local), 'backup')
    assert again['transferred'] == [] and len(again['unchanged']) == 4

    back = tmp_path / 'back'
    report = pithos.download_tree('backup', str(back))
    assert len(report['transferred']) == 4
    for name, data in files.items():
        assert (back / name).read_bytes() == data
    assert (back / 'empty').is_dir()


def test_a_tree_with_a_conflict_reports_it_and_moves_the_rest(pithos,
                                                              tmp_path):
    local = tmp_path / 'conflict'
    local.mkdir()
    (local / 'same.txt').write_bytes(b'same')
    (local / 'other.txt').write_bytes(b'local version')
    pithos.upload_from_string('conflict/other.txt', b'remote version')
    with pytest.raises(ClientError) as e:
        pithos.upload_tree(str(local), 'conflict')
    report = e.value.report
    assert report['transferred'] == ['conflict/same.txt']
    assert [f[0] for f in report['failed']] == ['conflict/other.txt']
    assert pithos.upload_tree(str(local), 'conflict', overwrite=True)[
        'transferred'] == ['conflict/other.txt']


def test_kamaki_016_reads_what_we_upload_and_we_read_what_it_uploads(
        pithos, emu, py2):
    data = os.urandom(4 * MIB + 77)
    pithos.upload_from_string('ours.bin', data)
    theirs = py2(
        'from kamaki.clients.pithos import PithosClient\n'
        'import hashlib, os\n'
        'p = PithosClient(url, token, account, "transfers")\n'
        's = p.download_to_string("ours.bin")\n'
        'p.upload_from_string("theirs.bin", s[::-1])\n'
        'result = [hashlib.sha256(s).hexdigest(), '
        'p.get_object_info("theirs.bin")["x-object-hash"]]',
        url=pithos.endpoint_url, token=emu.token, account=emu.uuid)
    assert theirs[0] == hashlib.sha256(data).hexdigest()
    assert pithos.download_to_string('theirs.bin') == data[::-1]
    assert pithos.get_object_info('theirs.bin')['x-object-hash'] == theirs[1]


def test_other_threads_run_while_a_transfer_waits(pithos):
    """The engine releases the interpreter lock: between two progress calls
    of one upload, the main thread's loop keeps counting."""
    import threading
    counter = {'n': 0, 'seen': []}
    done = threading.Event()

    def progress(n):
        while True:
            counter['seen'].append(counter['n'])
            yield

    def upload():
        try:
            pithos.upload_from_string('gil.bin', os.urandom(6 * 4 * MIB),
                                      upload_cb=progress)
        finally:
            done.set()
    worker = threading.Thread(target=upload)
    worker.start()
    while not done.is_set():
        counter['n'] += 1
    worker.join()
    assert len(counter['seen']) >= 2
    assert counter['seen'][-1] > counter['seen'][0]


def test_conditions_of_a_download(pithos, tmp_path):
    pithos.upload_from_string('cond.txt', b'conditional')
    etag = pithos.get_object_info('cond.txt')['etag']
    with open(tmp_path / 'cond', 'wb+') as f:
        assert pithos.download_object('cond.txt', f,
                                      if_none_match=etag) is None
        f.seek(0)
        assert f.read() == b''
    out = io.BytesIO()
    assert pithos.download_object('cond.txt', out, if_none_match=etag) is None
    assert out.getvalue() == b''
    with pytest.raises(ClientError) as e:
        pithos.download_object('cond.txt', io.BytesIO(), if_match='other')
    assert e.value.status == 412
    pithos.download_object('cond.txt', out, if_match=etag)
    assert out.getvalue() == b'conditional'


def test_a_progress_callback_may_call_the_client(pithos):
    """A callback runs on the engine's threads; a call it makes there runs
    too (it does not nest the engine's runtime)."""
    seen = []

    def progress(n):
        while True:
            yield
            seen.append(pithos.get_container_info()['x-container-block-size'])
    data = os.urandom(3 * 4 * MIB)
    pithos.upload_from_string('nested.bin', data, hash_cb=progress,
                              upload_cb=progress)
    assert len(seen) == 6 and set(seen) == {'4194304'}
    out = io.BytesIO()
    pithos.download_object('nested.bin', out, download_cb=progress)
    assert out.getvalue() == data and len(seen) == 9


def test_a_client_without_account_or_container_says_so(pithos, emu):
    no_account = PithosClient(pithos.endpoint_url, emu.token, None, 'c')
    with pytest.raises(ClientError) as e:
        no_account.upload_from_string('x', b'x')
    assert 'No account' in str(e.value)
    no_container = PithosClient(pithos.endpoint_url, emu.token, emu.uuid)
    with pytest.raises(ClientError) as e:
        no_container.download_to_string('x')
    assert 'No container' in str(e.value)
