"""Pithos data transfers on the Rust engine: what ``PithosClient`` does with
object data, with kamaki's arguments.

Uploads send only the blocks the server lacks (hashed on threads, sent in
parallel); downloads fetch blocks in parallel and verify each against the
object's hashmap. A file given as an open file with a descriptor is read or
written by the engine directly, so its bytes never pass through Python; the
interpreter lock is released meanwhile. Progress callbacks are kamaki's:
``cb(n)`` returns a generator that is advanced once at the start and once
per block.
"""

import contextlib
import io
import os
import stat

from kamaki import _native
from kamaki.clients import ClientError, Response
from kamaki.clients.pithos.rest_api import _unquote_reply
from kamaki.clients.utils import path4url


#: Requests a transfer keeps in flight unless ``client.concurrency`` says
#: otherwise: what the ``kamaki`` command line of this repository uses too.
TRANSFER_CONCURRENCY = 16


def _headers(pairs):
    """The engine's reply headers decoded as every Pithos reply's are."""
    return _unquote_reply(Response(0, '', pairs, b'')).headers


def _sharing(sharing):
    """kamaki's ``dict(read=[...], write=[...])`` as the engine's pair."""
    if not sharing:
        return None
    return ([('%s' % s) for s in sharing.get('read', []) or []],
            [('%s' % s) for s in sharing.get('write', []) or []])


def _fd_of(f):
    """The descriptor of an open regular file at its start, else None (then
    the data passes through Python)."""
    try:
        fd = f.fileno()
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    return fd


class _BlockProgress(object):
    """Drives a kamaki progress generator factory, ``cb(nblocks)``, from the
    engine's byte counts: one ``next()`` to start, then one per block done.
    As in kamaki, a failing progress generator only stops being advanced."""

    def __init__(self, factory, block_size):
        self.factory = factory
        self.block_size = max(int(block_size or 1), 1)
        self.generator = None
        self.advanced = 0
        self.nblocks = 0

    def _advance(self, steps):
        for _ in range(steps):
            if self.generator is None:
                return
            try:
                next(self.generator)
            except Exception:
                self.generator = None

    def __call__(self, done, total):
        if self.factory is None:
            return
        if self.generator is None and self.advanced == 0:
            self.nblocks = -(-total // self.block_size)
            try:
                self.generator = self.factory(self.nblocks)
            except Exception:
                self.factory = None
                return
            self._advance(1)
        blocks = self.nblocks if done >= total else done // self.block_size
        if blocks > self.advanced:
            self._advance(blocks - self.advanced)
            self.advanced = blocks

    def finish(self):
        """Advances to the last block (an empty object has none)."""
        if self.factory is not None and self.generator is None and \
                self.advanced == 0:
            self(0, 0)
        if self.advanced < self.nblocks:
            self._advance(self.nblocks - self.advanced)
            self.advanced = self.nblocks


class Transfers(object):
    """The data methods of ``PithosClient``."""

    def _transfer_concurrency(self, wanted=None):
        return int(wanted or self.concurrency or TRANSFER_CONCURRENCY)

    def _transfer_target(self):
        # Blocks go to the client's own account, even for an upload to
        # another's (target_account), as in kamaki.
        if not self.account:
            raise ClientError('No account is set', 400)
        if not self.container:
            raise ClientError('No container is set', 400)
        return self._native_endpoint(), '%s' % self.account, \
            '%s' % self.container

    @contextlib.contextmanager
    def _missing_means(self, message):
        """A 404 of the block below becomes ``ClientError(message, 404)``,
        keeping the server's words in its details."""
        try:
            yield
        except ClientError as e:
            if e.status != 404:
                raise
            raise ClientError(message, 404, [e.message] + e.details) from e

    def _not_found(self, obj):
        return 'Object "%s" or its container "%s" does not exist' % (
            obj, self.container)

    def _block_size(self, account=None):
        reply = self.head(
            path4url(account or self.account, self.container),
            success=(204, 200))
        return int(reply.headers.get('x-container-block-size', 4194304))

    def _progress(self, factories, account=None):
        """A ``_BlockProgress`` for each of ``factories`` (None where none
        is given), all on the container's block size, asked for once."""
        if not any(factories):
            return [None for _ in factories]
        block_size = self._block_size(account)
        return [_BlockProgress(f, block_size) if f else None
                for f in factories]

    def upload_object(
            self, obj, f, size=None, hash_cb=None, upload_cb=None, etag=None,
            if_etag_match=None, if_not_exist=None, content_encoding=None,
            content_disposition=None, content_type=None, sharing=None,
            public=None, container_info_cache=None, target_account=None):
        """Uploads the file object ``f`` (or its first ``size`` bytes) as
        ``obj``: PUTs the hashmap, sends the blocks the server lacks, PUTs it
        again. ``sharing`` is ``dict(read=[...], write=[...])``;
        ``target_account`` creates the object in another user's container of
        the same name. Returns the headers of the PUT that created it.

        A regular file is read by the engine through its descriptor; other
        file objects (``io.BytesIO``...) are read here first.
        ``container_info_cache`` is accepted for kamaki's signature: the
        engine asks for the container's block size once per call."""
        endpoint, account, container = self._transfer_target()
        kwargs = {}
        if isinstance(f, (str, bytes, os.PathLike)):
            kwargs['path'] = os.fsdecode(f)
        else:
            fd = _fd_of(f)
            position = f.tell() if fd is not None else 0
            if fd is not None and position == 0:
                kwargs['fd'] = fd
            else:
                data = f.read(size) if size is not None else f.read()
                if isinstance(data, str):
                    data = data.encode('utf-8')
                kwargs['data'] = data
        hashing, uploading = self._progress((hash_cb, upload_cb),
                                            target_account)
        with self._missing_means(
                'Container "%s" does not exist in account %s: create it '
                'first (create_container)' % (
                    container, target_account or account)):
            headers = _native.upload(
                endpoint, account, container, '%s' % obj, size=size,
                etag=etag, if_etag_match=if_etag_match,
                if_not_exist=bool(if_not_exist),
                content_encoding=content_encoding,
                content_disposition=content_disposition,
                content_type=content_type, sharing=_sharing(sharing),
                public=public, target_account=target_account,
                concurrency=self._transfer_concurrency(), hash_cb=hashing,
                upload_cb=uploading, **kwargs)
        for progress in (hashing, uploading):
            if progress:
                progress.finish()
        return _headers(headers)

    def upload_from_string(
            self, obj, input_str, hash_cb=None, upload_cb=None, etag=None,
            if_etag_match=None, if_not_exist=None, content_encoding=None,
            content_disposition=None, content_type=None, sharing=None,
            public=None, container_info_cache=None):
        """Uploads ``input_str`` (bytes, or str sent as UTF-8) as ``obj``, as
        ``upload_object`` does. Returns the headers of the creating PUT."""
        if isinstance(input_str, str):
            input_str = input_str.encode('utf-8')
        return self.upload_object(
            obj, io.BytesIO(bytes(input_str)), hash_cb=hash_cb,
            upload_cb=upload_cb, etag=etag, if_etag_match=if_etag_match,
            if_not_exist=if_not_exist, content_encoding=content_encoding,
            content_disposition=content_disposition,
            content_type=content_type, sharing=sharing, public=public)

    def _download_kwargs(self, version, range_str, if_match, if_none_match,
                         if_modified_since, if_unmodified_since):
        return dict(
            version=None if version is None else '%s' % version,
            range_str=range_str, if_match=if_match,
            if_none_match=if_none_match,
            if_modified_since=if_modified_since,
            if_unmodified_since=if_unmodified_since,
            concurrency=self._transfer_concurrency())

    def download_object(
            self, obj, dst, download_cb=None, version=None, resume=False,
            range_str=None, if_match=None, if_none_match=None,
            if_modified_since=None, if_unmodified_since=None, headers=None):
        """Downloads ``obj`` (or the ranges of ``range_str``, e.g.
        ``0-99,200-``) into the file object ``dst``, every block verified
        against the object's hashmap. With ``resume``, blocks ``dst``
        already holds with the right hash are kept. The hashmap reply's
        headers go into ``headers`` if a dict is given. With
        ``if_none_match`` or ``if_modified_since`` saying the object is not
        modified, nothing is written and None returned; an ``if_match`` or
        ``if_unmodified_since`` that fails raises ``ClientError`` 412.

        A regular file is written in place by the engine through its
        descriptor (then ``dst`` is left at its end); other file objects get
        the verified bytes through ``write``."""
        endpoint, account, container = self._transfer_target()
        options = self._download_kwargs(
            version, range_str, if_match, if_none_match, if_modified_since,
            if_unmodified_since)
        with self._missing_means(self._not_found(obj)):
            progress, = self._progress((download_cb, ))
            fd = _fd_of(dst)
            if fd is not None and not dst.isatty():
                dst.flush()
                pairs, not_modified = _native.download(
                    endpoint, account, container, '%s' % obj, fd=fd,
                    resume=bool(resume), download_cb=progress, **options)
                dst.seek(0, os.SEEK_END)
                if headers is not None:
                    headers.update(_headers(pairs))
            else:
                try:
                    data = _native.download_bytes(
                        endpoint, account, container, '%s' % obj,
                        download_cb=progress, **options)
                except ClientError as e:
                    if e.status != 304:
                        raise
                    return  # not modified: nothing to write, as for a file
                dst.write(data)
        if progress:
            progress.finish()

    def download_to_string(
            self, obj, download_cb=None, version=None, range_str=None,
            if_match=None, if_none_match=None, if_modified_since=None,
            if_unmodified_since=None, remote_block_info=None, hashmap=None,
            headers=None):
        """The verified bytes of ``obj`` (or of its ranges) as ``bytes``.
        ``remote_block_info`` and ``hashmap`` are accepted for kamaki's
        signature; the engine reads the hashmap itself."""
        endpoint, account, container = self._transfer_target()
        with self._missing_means(self._not_found(obj)):
            progress, = self._progress((download_cb, ))
            data = _native.download_bytes(
                endpoint, account, container, '%s' % obj, download_cb=progress,
                **self._download_kwargs(
                    version, range_str, if_match, if_none_match,
                    if_modified_since, if_unmodified_since))
        if progress:
            progress.finish()
        return data

    def stream_down(self, obj, dst, buffer_blocks=4, **kwargs):
        """Writes ``obj`` to ``dst`` in order, each piece verified, with at
        most ``buffer_blocks`` blocks fetched ahead (``kamaki file cat``).
        Keyword arguments are ``download_to_string``'s (``version``,
        ``if_*``)."""
        buffer_blocks = 1 if not buffer_blocks or buffer_blocks < 2 \
            else int(buffer_blocks)
        endpoint, account, container = self._transfer_target()
        version = kwargs.get('version')
        with self._missing_means(self._not_found(obj)):
            _native.stream_down(
                endpoint, account, container, '%s' % obj, dst.write,
                version=None if version is None else '%s' % version,
                if_match=kwargs.get('if_match'),
                if_none_match=kwargs.get('if_none_match'),
                if_modified_since=kwargs.get('if_modified_since'),
                if_unmodified_since=kwargs.get('if_unmodified_since'),
                concurrency=buffer_blocks)
        if hasattr(dst, 'flush'):
            dst.flush()

    def _tree_result(self, report):
        if report['failed']:
            first, why = report['failed'][0]
            error = ClientError(
                '%d of the tree\'s files failed (first: %s: %s)' % (
                    len(report['failed']), first, why), 0,
                ['%s: %s' % f for f in report['failed']])
            error.report = report
            raise error
        return report

    def upload_tree(self, local, remote='', concurrency=None,
                    overwrite=False, content_type=None, sharing=None,
                    public=None, progress_cb=None):
        """Uploads the folder ``local`` under ``remote`` (a prefix in the
        container), many files at once within one bound of ``concurrency``
        requests. Files already there with the same content are not sent
        again, so a rerun finishes an interrupted upload; objects with other
        content are replaced only with ``overwrite``. ``progress_cb(done,
        total)`` is told the tree's bytes in place.

        Not in Python kamaki. Returns the report: a dict of ``transferred``,
        ``unchanged``, ``directories``, ``skipped`` (name, why), ``failed``
        (name, why) and ``bytes``. If a file failed, the others still go and
        ``ClientError`` is raised with the report as its ``report``."""
        endpoint, account, container = self._transfer_target()
        report = _native.upload_tree(
            endpoint, account, container, os.fsdecode(local), '%s' % remote,
            concurrency=self._transfer_concurrency(concurrency),
            overwrite=bool(overwrite), content_type=content_type,
            sharing=_sharing(sharing), public=public,
            progress_cb=progress_cb)
        return self._tree_result(report)

    def download_tree(self, remote, local, concurrency=None,
                      overwrite=False, progress_cb=None):
        """Downloads every object under ``remote`` into the folder ``local``,
        as ``upload_tree`` uploads: many files at once, local files with the
        same content kept, others replaced only with ``overwrite``, an
        interrupted file resumed. Not in Python kamaki; returns the report."""
        endpoint, account, container = self._transfer_target()
        report = _native.download_tree(
            endpoint, account, container, '%s' % remote, os.fsdecode(local),
            concurrency=self._transfer_concurrency(concurrency),
            overwrite=bool(overwrite), progress_cb=progress_cb)
        return self._tree_result(report)
