"""Cyclades compute: Synnefo's extensions to OpenStack compute (server
stats, diagnostics, consoles, firewall profiles, projects, volume
attachments, tag statuses) in ``CycladesComputeRestClient`` and
``CycladesComputeClient``."""

from kamaki.clients import Waiter, wait
from kamaki.clients.compute import ComputeClient, _fill, _server_body
from kamaki.clients.compute.rest_api import _merged
from kamaki.clients.utils import path4url

__all__ = [
    'CycladesComputeRestClient', 'CycladesComputeClient',
    'CycladesRestClient', 'CycladesClient']


class CycladesComputeRestClient(ComputeClient):
    """The REST calls Cyclades adds to OpenStack compute (each returns the
    Response and takes ``success=``)."""

    def servers_stats_get(self, server_id, success=200, **kwargs):
        """GET ``/servers/<server_id>/stats``; returns the Response."""
        path = path4url('servers', server_id, 'stats')
        return self.get(path, success=success, **kwargs)

    def servers_diagnostics_get(self, server_id, success=200, **kwargs):
        """GET ``/servers/<server_id>/diagnostics``; returns the
        Response."""
        path = path4url('servers', server_id, 'diagnostics')
        return self.get(path, success=success, **kwargs)

    def volume_attachment_get(
            self, server_id, attachment_id=None, success=200, **kwargs):
        """GET ``/servers/<server_id>/os-volume_attachments`` or
        ``.../os-volume_attachments/<attachment_id>``; returns the
        Response."""
        path = path4url(
            'servers', server_id, 'os-volume_attachments',
            attachment_id or '')
        return self.get(path, success=success, **kwargs)

    def volume_attachment_post(
            self, server_id, volume_id, success=202, **kwargs):
        """POST ``/servers/<server_id>/os-volume_attachments`` with
        ``{"volumeAttachment": {"volumeId": volume_id}}``; returns the
        Response (202)."""
        path = path4url('servers', server_id, 'os-volume_attachments')
        body = {'volumeAttachment': {'volumeId': volume_id}}
        return self.post(path, success=success, **_merged(kwargs, json=body))

    def volume_attachment_delete(
            self, server_id, attachment_id, success=202, **kwargs):
        """DELETE ``/servers/<server_id>/os-volume_attachments/
        <attachment_id>``; returns the Response (202)."""
        path = path4url(
            'servers', server_id, 'os-volume_attachments', attachment_id)
        return self.delete(path, success=success, **kwargs)

    def flavors_get(
            self, flavor_id='', detail=False, changes_since=None,
            minDisk=None, minRam=None, marker=None, limit=None,
            project_id=None, is_public=None, success=200, **kwargs):
        """GET flavors as ``ComputeRestClient.flavors_get`` does, adding
        ``SNF:flavor-access=<project_id>`` (flavors of that project) and
        ``SNF:is_public=True`` (public flavors only) when those arguments
        are set (a false ``is_public`` is not sent, as in kamaki).
        Returns the Response."""
        params = {}
        if project_id:
            params['SNF:flavor-access'] = project_id
        if is_public:
            params['SNF:is_public'] = 'True'
        return super(CycladesComputeRestClient, self).flavors_get(
            flavor_id=flavor_id, detail=detail,
            changes_since=changes_since, minDisk=minDisk, minRam=minRam,
            marker=marker, limit=limit, success=success,
            **_merged(kwargs, params))


class CycladesComputeClient(CycladesComputeRestClient, Waiter):
    """Synnefo Cyclades compute API client (kamaki's
    ``CycladesComputeClient``)."""

    CONSOLE_TYPES = ('vnc', 'vnc-ws', 'vnc-wss')

    def create_server(
            self, name, flavor_id, image_id, key_name=None, metadata=None,
            personality=None, networks=None, project_id=None,
            response_headers=None, key_names=None, user_data=None,
            tags=None):
        """Reads the image (GET ``/images/<image_id>``) and adds its ``os``
        and ``users`` metadata to ``metadata`` unless set there, then POSTs
        ``/servers`` with ``{"server": {"name", "flavorRef", "imageRef"[,
        "key_name"][, "SNF:key_names"][, "user_data"][, "metadata"][,
        "personality"][, "networks"][, "project"][, "tags"]}}`` (202).
        Returns the new server's dict (with its ``adminPass``).

        The arguments are in kamaki 0.16's order; ``key_names``,
        ``user_data`` and ``tags`` (kamaki 0.17) come last.
        ``user_data`` (str or bytes) is sent base64-encoded; ``networks=[]``
        means no network, None the cloud's default; ``project_id`` is
        sent as ``project``. The caller's ``metadata`` dict is not
        modified (kamaki added the image's items to it)."""
        image = self.get_image_details(image_id)
        metadata = dict(metadata or {})
        image_meta = image.get('metadata') or {}
        for key in ('os', 'users'):
            if key in image_meta:
                metadata.setdefault(key, image_meta[key])
        server = _server_body(name, flavor_id, image_id, metadata,
                              personality, networks, tags, user_data)
        if key_name:
            server['key_name'] = key_name
        if key_names:
            server['SNF:key_names'] = key_names
        if project_id is not None:
            server['project'] = project_id
        r = self.servers_post(json_data={'server': server}, success=(202, ))
        _fill(response_headers, r)
        return r.json['server']

    def set_firewall_profile(self, server_id, profile, port_id):
        """Action ``{"firewallProfile": {"profile": profile, "nic":
        port_id}}`` (202), ``profile`` being ENABLED, DISABLED or PROTECTED
        and ``port_id`` a port of the server on a public network; returns
        the reply headers."""
        req = {'firewallProfile': {'profile': profile, 'nic': port_id}}
        return self.servers_action_post(
            server_id, json_data=req, success=202).headers

    def start_server(self, server_id):
        """Action ``{"start": {}}`` (202); returns the reply headers."""
        return self.servers_action_post(
            server_id, json_data={'start': {}}, success=202).headers

    def shutdown_server(self, server_id):
        """Action ``{"shutdown": {}}`` (202); returns the reply headers."""
        return self.servers_action_post(
            server_id, json_data={'shutdown': {}}, success=202).headers

    def get_server_console(self, server_id, console_type='vnc'):
        """Action ``{"console": {"type": console_type}}`` (200), the type
        being one of ``CONSOLE_TYPES`` (else AssertionError); returns the
        reply's ``console`` (``type``, ``host``, ``port``, ``password``)."""
        assert console_type in self.CONSOLE_TYPES, '%s not in %s' % (
            console_type, self.CONSOLE_TYPES)
        req = {'console': {'type': console_type}}
        r = self.servers_action_post(server_id, json_data=req, success=200)
        return r.json['console']

    def reassign_server(self, server_id, project):
        """Action ``{"reassign": {"project": project}}`` (200): the server's
        resources are charged to ``project``. Returns the reply headers."""
        req = {'reassign': {'project': project}}
        return self.servers_action_post(
            server_id, json_data=req, success=200).headers

    def get_server_stats(self, server_id):
        """GET ``/servers/<server_id>/stats``; returns the reply's ``stats``
        (``serverRef``, ``refresh`` and the graph URLs)."""
        return self.servers_stats_get(server_id).json['stats']

    def get_server_diagnostics(self, server_id):
        """GET ``/servers/<server_id>/diagnostics``; returns the list of
        diagnostic entries."""
        return self.servers_diagnostics_get(server_id).json

    def get_server_status(self, server_id):
        """Deprecated: GET ``/servers/<server_id>``; returns ``(status,
        progress)``, progress being None unless the status is BUILD."""
        details = self.get_server_details(server_id)
        status = details['status']
        return status, (
            details.get('progress') if status in ('BUILD', ) else None)

    def wait_server_while(
            self, server_id, current_status='BUILD', delay=1, max_wait=100,
            wait_cb=None):
        """Polls GET ``/servers/<server_id>`` every ``delay`` seconds, at most
        ``max_wait // delay`` times, calling ``wait_cb(details)`` after each
        poll, while the status is ``current_status``. Returns the last
        details dict, whether or not the status changed (callers check its
        ``status``)."""
        return wait(
            self.get_server_details, (server_id, ),
            lambda details: details['status'] != current_status,
            delay, max_wait, wait_cb)

    def wait_server_until(
            self, server_id, target_status='ACTIVE', delay=1, max_wait=100,
            wait_cb=None):
        """Polls GET ``/servers/<server_id>`` as ``wait_server_while`` does,
        until the status is ``target_status``. Returns the last details
        dict, whether or not the target was reached."""
        return wait(
            self.get_server_details, (server_id, ),
            lambda details: details['status'] == target_status,
            delay, max_wait, wait_cb)

    #: Deprecated name of ``wait_server_while``.
    wait_server = wait_server_while

    # Volume attachments

    def get_volume_attachment(self, server_id, attachment_id):
        """GET ``/servers/<server_id>/os-volume_attachments/<attachment_id>``;
        returns the reply's ``volumeAttachment`` (``id``, ``volumeId``,
        ``serverId``, ``device``)."""
        r = self.volume_attachment_get(server_id, attachment_id)
        return r.json['volumeAttachment']

    def list_volume_attachments(self, server_id):
        """GET ``/servers/<server_id>/os-volume_attachments``; returns the
        list of the server's volume attachments."""
        return self.volume_attachment_get(server_id).json['volumeAttachments']

    def attach_volume(self, server_id, volume_id):
        """POST ``/servers/<server_id>/os-volume_attachments`` with
        ``{"volumeAttachment": {"volumeId": volume_id}}`` (202); returns the
        new attachment's dict."""
        r = self.volume_attachment_post(server_id, volume_id)
        return r.json['volumeAttachment']

    def delete_volume_attachment(self, server_id, attachment_id):
        """DELETE ``/servers/<server_id>/os-volume_attachments/
        <attachment_id>`` (202): detaches the volume, which is kept.
        Returns the reply headers."""
        return self.volume_attachment_delete(server_id, attachment_id).headers

    def detach_volume(self, server_id, volume_id):
        """Lists the server's attachments and DELETEs each one whose
        ``volumeId`` is ``volume_id`` (compared as strings); one request per
        attachment, so not atomic. Returns the list of the attachments
        deleted."""
        wanted = '%s' % volume_id
        attachments = [
            a for a in self.list_volume_attachments(server_id)
            if '%s' % a['volumeId'] == wanted]
        for attachment in attachments:
            self.delete_volume_attachment(server_id, attachment['id'])
        return attachments

    # Flavors and tags, as Cyclades lists them

    def list_flavors(self, detail=None, is_public=None, project_id=None):
        """GET ``/flavors`` (``/flavors/detail`` if ``detail``), with
        ``SNF:is_public=True`` if ``is_public`` and ``SNF:flavor-access=
        <project_id>`` if given; returns the list of flavors."""
        r = self.flavors_get(
            detail=detail, is_public=is_public, project_id=project_id)
        return r.json['flavors']

    def list_tags(self, server_id):
        """GET ``/servers/<server_id>/tags``; returns the whole reply:
        ``{"tags": [...], "statuses": [...]}`` (a tag is PENDADD until the
        backend confirms it, then ACTIVE)."""
        return self.servers_tags_get(server_id).json

    def replace_tags(self, server_id, tags):
        """PUT ``/servers/<server_id>/tags`` with ``{"tags": tags}``;
        returns the whole reply (``{"tags": [...], "statuses": [...]}``)."""
        return self.servers_tags_replace(server_id, tags).json

    def get_tag_status(self, server_id, tag):
        """GET ``/servers/<server_id>/tags/<tag>``, expecting 204 (a missing
        tag raises ClientError 404); returns its ``tag-status`` header."""
        r = self.servers_tag_exists(server_id, tag, success=204)
        return r.headers['tag-status']


#: kamaki's older names.
CycladesRestClient = CycladesComputeRestClient
CycladesClient = CycladesComputeClient
