"""The REST layer of the OpenStack Block Storage (Cinder) v2 API as
Synnefo serves it: ``BlockStorageRestClient``, one method per request, each
returning the ``Response``.

Every method takes ``success`` (the accepted statuses) and passes other
keyword arguments (``headers``, ``params``...) to ``Client.request``.
"""

from kamaki.clients import Client
from kamaki.clients.utils import path4url

__all__ = ['BlockStorageRestClient']


def _given(**fields):
    """The fields whose value is not None."""
    return dict((k, v) for k, v in fields.items() if v is not None)


class BlockStorageRestClient(Client):
    """Requests on ``/volumes``, ``/snapshots`` and ``/types`` of a volume
    endpoint (``service_type`` 'volume', version 2.0 unless the URL names
    one)."""

    service_type = 'volume'
    DEFAULT_API_VERSION = '2.0'

    # volumes

    def volumes_get(self, detail=None, volume_id=None, success=200,
                    **kwargs):
        """GET ``/volumes/detail`` if ``detail``, else ``/volumes/<volume_id>``
        if given, else ``/volumes``."""
        path = path4url('volumes', 'detail' if detail else volume_id or '')
        return self.get(path, success=success, **kwargs)

    def volumes_post(
            self, size,
            availability_zone=None, source_volid=None,
            display_description=None, snapshot_id=None, display_name=None,
            imageRef=None, volume_type=None, bootable=None, metadata=None,
            success=202, **kwargs):
        """POST ``/volumes`` with ``{"volume": {"size": int(size), ...}}``
        holding the other arguments that are not None (``metadata`` a dict
        of strings)."""
        volume = dict(size=int(size))
        volume.update(_given(
            availability_zone=availability_zone, source_volid=source_volid,
            display_description=display_description, snapshot_id=snapshot_id,
            display_name=display_name, imageRef=imageRef,
            volume_type=volume_type, bootable=bootable, metadata=metadata))
        return self.post(
            path4url('volumes'), json=dict(volume=volume), success=success,
            **kwargs)

    def volumes_put(
            self, volume_id,
            display_description=None, display_name=None,
            delete_on_termination=None, metadata=None,
            success=200, **kwargs):
        """PUT ``/volumes/<volume_id>`` with ``{"volume": {...}}`` holding the
        arguments that are not None (``delete_on_termination`` as a
        bool)."""
        if delete_on_termination is not None:
            delete_on_termination = bool(delete_on_termination)
        volume = _given(
            display_description=display_description,
            display_name=display_name,
            delete_on_termination=delete_on_termination, metadata=metadata)
        return self.put(
            path4url('volumes', volume_id), json=dict(volume=volume),
            success=success, **kwargs)

    def volumes_delete(self, volume_id, success=202, **kwargs):
        """DELETE ``/volumes/<volume_id>`` (202)."""
        return self.delete(
            path4url('volumes', volume_id), success=success, **kwargs)

    # snapshots

    def snapshots_get(self, detail=None, snapshot_id=None, success=200,
                      **kwargs):
        """GET ``/snapshots/detail`` if ``detail``, else
        ``/snapshots/<snapshot_id>`` if given, else ``/snapshots``."""
        path = path4url(
            'snapshots', 'detail' if detail else snapshot_id or '')
        return self.get(path, success=success, **kwargs)

    def snapshots_post(
            self, volume_id,
            force=None, display_name=None, display_description=None,
            success=202, **kwargs):
        """POST ``/snapshots`` with ``{"snapshot": {"volume_id"[, "force"]
        [, "display_name"][, "display_description"]}}`` (202)."""
        snapshot = dict(volume_id=volume_id)
        if force is not None:
            snapshot['force'] = bool(force)
        snapshot.update(_given(
            display_name=display_name,
            display_description=display_description))
        return self.post(
            path4url('snapshots'), json=dict(snapshot=snapshot),
            success=success, **kwargs)

    def snapshots_put(
            self, snapshot_id,
            display_description=None, display_name=None,
            success=200, **kwargs):
        """PUT ``/snapshots/<snapshot_id>`` with ``{"snapshot": {...}}``
        holding the arguments that are not None."""
        snapshot = _given(
            display_description=display_description,
            display_name=display_name)
        return self.put(
            path4url('snapshots', snapshot_id), json=dict(snapshot=snapshot),
            success=success, **kwargs)

    def snapshots_delete(self, snapshot_id, success=202, **kwargs):
        """DELETE ``/snapshots/<snapshot_id>`` (202)."""
        return self.delete(
            path4url('snapshots', snapshot_id), success=success, **kwargs)

    # volume types

    def types_get(self, type_id=None, success=200, **kwargs):
        """GET ``/types``, or ``/types/<type_id>`` if given."""
        return self.get(
            path4url('types', type_id or ''), success=success, **kwargs)
