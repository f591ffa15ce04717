"""OpenStack Block Storage v2 (Cinder): ``BlockStorageRestClient`` and
``BlockStorageClient`` (volumes, snapshots, volume types, wait helpers)."""

from kamaki.clients import ClientError, Waiter, wait  # noqa: F401
from kamaki.clients.blockstorage.rest_api import BlockStorageRestClient

__all__ = ['BlockStorageRestClient', 'BlockStorageClient']


def _listing(response, key):
    """``response.json[key]``, or ``[]`` for an empty (204) reply."""
    if response.status_code == 204 or not response.content.strip():
        return []
    return response.json[key]


class BlockStorageClient(BlockStorageRestClient, Waiter):
    """OpenStack Block Storage v2: volumes, snapshots and volume types."""

    # volumes

    def list_volumes(self, detail=None):
        """GET ``/volumes`` (``/volumes/detail`` if ``detail``): the list of
        volume dicts."""
        r = self.volumes_get(detail=detail, success=(200, 204))
        return _listing(r, 'volumes')

    def get_volume_details(self, volume_id):
        """GET ``/volumes/<volume_id>``: the volume's dict."""
        return self.volumes_get(volume_id=volume_id).json['volume']

    def create_volume(
            self, size,
            availability_zone=None, source_volid=None, display_name=None,
            display_description=None, snapshot_id=None, imageRef=None,
            volume_type=None, bootable=None, metadata=None):
        """POST ``/volumes`` with ``{"volume": {"size", ...}}`` holding the
        arguments that are not None (202): the new volume's dict."""
        r = self.volumes_post(
            size,
            availability_zone=availability_zone, source_volid=source_volid,
            display_name=display_name,
            display_description=display_description, snapshot_id=snapshot_id,
            imageRef=imageRef, volume_type=volume_type, bootable=bootable,
            metadata=metadata)
        return r.json['volume']

    def update_volume(
            self, volume_id,
            display_name=None, display_description=None,
            delete_on_termination=None, metadata=None):
        """PUT ``/volumes/<volume_id>`` with ``{"volume": {...}}`` holding the
        arguments that are not None: the updated volume's dict. With nothing
        to change it only GETs the volume."""
        if (display_name, display_description, delete_on_termination,
                metadata) == (None, None, None, None):
            return self.get_volume_details(volume_id)
        r = self.volumes_put(
            volume_id,
            display_name=display_name,
            display_description=display_description,
            delete_on_termination=delete_on_termination, metadata=metadata)
        return r.json['volume']

    def delete_volume(self, volume_id):
        """DELETE ``/volumes/<volume_id>`` (202): the reply's headers."""
        return self.volumes_delete(volume_id).headers

    # snapshots

    def list_snapshots(self, detail=None):
        """GET ``/snapshots`` (``/snapshots/detail`` if ``detail``): the list
        of snapshot dicts."""
        r = self.snapshots_get(detail=detail, success=(200, 204))
        return _listing(r, 'snapshots')

    def get_snapshot_details(self, snapshot_id):
        """GET ``/snapshots/<snapshot_id>``: the snapshot's dict."""
        return self.snapshots_get(snapshot_id=snapshot_id).json['snapshot']

    def create_snapshot(
            self, volume_id,
            force=None, display_name=None, display_description=None):
        """POST ``/snapshots`` with ``{"snapshot": {"volume_id", ...}}``
        (202): the new snapshot's dict."""
        r = self.snapshots_post(
            volume_id, force=force, display_name=display_name,
            display_description=display_description)
        return r.json['snapshot']

    def update_snapshot(
            self, snapshot_id, display_name=None, display_description=None):
        """PUT ``/snapshots/<snapshot_id>`` with ``{"snapshot": {...}}``
        holding the arguments that are not None: the updated snapshot's
        dict. With nothing to change it only GETs the snapshot."""
        if (display_name, display_description) == (None, None):
            return self.get_snapshot_details(snapshot_id)
        r = self.snapshots_put(
            snapshot_id, display_name=display_name,
            display_description=display_description)
        return r.json['snapshot']

    def delete_snapshot(self, snapshot_id):
        """DELETE ``/snapshots/<snapshot_id>`` (202): the reply's headers."""
        return self.snapshots_delete(snapshot_id).headers

    # volume types

    def list_volume_types(self):
        """GET ``/types``: the list of volume type dicts."""
        return _listing(self.types_get(success=(200, 204)), 'volume_types')

    def get_volume_type_details(self, type_id):
        """GET ``/types/<type_id>``: the volume type's dict."""
        return self.types_get(type_id).json['volume_type']

    # waiting

    def get_volume_status(self, volume_id):
        """Deprecated: GET the volume, return ``(status, None)``."""
        return self.get_volume_details(volume_id)['status'], None

    def wait_volume(
            self, volume_id, stop=None, delay=1, timeout=100, wait_cb=None):
        """Polls GET ``/volumes/<volume_id>`` every ``delay`` seconds, at most
        ``timeout // delay`` times, until ``stop(details)`` is true (default:
        the status is no longer ``creating``); calls ``wait_cb(details)``
        after each poll. Returns the last volume dict (check its status:
        it is returned on timeout too)."""
        return wait(
            self.get_volume_details, (volume_id, ),
            stop or (lambda volume: volume['status'] != 'creating'),
            delay, timeout, wait_cb)

    def wait_volume_while(
            self, volume_id,
            current_status='creating', delay=1, max_wait=100, wait_cb=None):
        """Polls the volume as ``wait_volume`` does while its status is
        ``current_status``: the last volume dict, on timeout too."""
        return wait(
            self.get_volume_details, (volume_id, ),
            lambda volume: volume['status'] != current_status,
            delay, max_wait, wait_cb)

    def wait_volume_until(
            self, volume_id,
            target_status='in_use', delay=1, max_wait=100, wait_cb=None):
        """Polls the volume as ``wait_volume`` does until its status is
        ``target_status``: the last volume dict, on timeout too."""
        return wait(
            self.get_volume_details, (volume_id, ),
            lambda volume: volume['status'] == target_status,
            delay, max_wait, wait_cb)
