"""Cyclades' block storage: volumes made for (and attached to) servers,
charged to projects. ``CycladesBlockStorageRestClient`` and
``CycladesBlockStorageClient``."""

from kamaki.clients.blockstorage import BlockStorageClient
from kamaki.clients.utils import path4url

__all__ = ['CycladesBlockStorageRestClient', 'CycladesBlockStorageClient']


class CycladesBlockStorageRestClient(BlockStorageClient):
    """The Cyclades form of ``POST /volumes`` and the volume actions."""

    def volumes_post(
            self, size, display_name,
            server_id=None, display_description=None, snapshot_id=None,
            imageRef=None, volume_type=None, metadata=None, project=None,
            success=202, **kwargs):
        """POST ``/volumes`` with ``{"volume": {"size": int(size),
        "display_name"[, "server_id"][, "display_description"]
        [, "snapshot_id"][, "imageRef"][, "volume_type"][, "metadata"]
        [, "project"]}}`` (202)."""
        volume = dict(size=int(size), display_name=display_name)
        for key, value in (
                ('server_id', server_id),
                ('display_description', display_description),
                ('snapshot_id', snapshot_id), ('imageRef', imageRef),
                ('volume_type', volume_type), ('metadata', metadata),
                ('project', project)):
            if value is not None:
                volume[key] = value
        return self.post(
            path4url('volumes'), json=dict(volume=volume), success=success,
            **kwargs)

    def volumes_action_post(self, volume_id, json_data, success=200,
                            **kwargs):
        """POST ``/volumes/<volume_id>/action`` with ``json_data`` (200)."""
        return self.post(
            path4url('volumes', volume_id, 'action'), json=json_data,
            success=success, **kwargs)


class CycladesBlockStorageClient(CycladesBlockStorageRestClient):
    """Cyclades volumes: created with a name (and usually a server),
    reassigned to projects."""

    def create_volume(
            self, size, display_name,
            server_id=None, display_description=None, snapshot_id=None,
            imageRef=None, volume_type=None, metadata=None, project=None):
        """POST ``/volumes`` as ``volumes_post`` does (202): the new
        volume's dict (status ``creating``)."""
        r = self.volumes_post(
            size, display_name,
            server_id=server_id, display_description=display_description,
            snapshot_id=snapshot_id, imageRef=imageRef,
            volume_type=volume_type, metadata=metadata, project=project)
        return r.json['volume']

    def reassign_volume(self, volume_id, project):
        """POST ``/volumes/<volume_id>/action`` with ``{"reassign":
        {"project": project}}`` (200). Returns None."""
        self.volumes_action_post(
            volume_id, {'reassign': {'project': project}})

    def create_snapshot(
            self, volume_id, display_name=None, display_description=None):
        """POST ``/snapshots`` with ``{"snapshot": {"volume_id"[,
        "display_name"][, "display_description"]}}`` (202; Cyclades has no
        ``force``): the new snapshot's dict."""
        return super(CycladesBlockStorageClient, self).create_snapshot(
            volume_id, display_name=display_name,
            display_description=display_description)
