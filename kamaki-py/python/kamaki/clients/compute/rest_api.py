"""The REST layer of the OpenStack compute API as Cyclades serves it: one
method per request, each returning the ``Response``.

Every method takes ``success`` (the status or statuses that do not raise
``ClientError``) and passes its other keyword arguments to ``request``
(``headers=`` and ``params=`` dicts are merged with the ones the method
builds)."""

from kamaki.clients import Client
from kamaki.clients.utils import path4url

__all__ = ['ComputeRestClient']


def _merged(kwargs, params=None, headers=None, json=None):
    """``kwargs`` for ``request`` with this method's ``params``/``headers``
    under the caller's own, and ``json`` as the body if it is not None."""
    kwargs = dict(kwargs)
    if params:
        params = dict(params)
        params.update(kwargs.get('params') or {})
        kwargs['params'] = params
    if headers:
        headers = dict(headers)
        headers.update(kwargs.get('headers') or {})
        kwargs['headers'] = headers
    if json is not None:
        kwargs['json'] = json
    return kwargs


def _filters(**values):
    """The query parameters among ``values`` that are set (truthy), as
    kamaki sends filters; underscores in names are given by the caller."""
    return dict((k, v) for k, v in values.items() if v)


class ComputeRestClient(Client):
    """OpenStack compute (``/servers``, ``/images``, ``/flavors``,
    ``/os-keypairs``, ``/os-floating-ips``) at the REST level."""

    service_type = 'compute'
    DEFAULT_API_VERSION = '2.0'

    def limits_get(self, success=200, **kwargs):
        """GET ``/limits``; returns the Response. (Synnefo does not serve
        limits: it answers 400.)"""
        return self.get(path4url('limits'), success=success, **kwargs)

    def servers_get(
            self, server_id='', detail=False,
            changes_since=None, image=None, flavor=None, name=None,
            marker=None, limit=None, status=None, host=None,
            success=200, **kwargs):
        """GET ``/servers/detail`` if ``detail``, else ``/servers/<server_id>``
        (or ``/servers`` without an id). Listings send the filters that are
        set: ``changes-since``, ``image``, ``flavor``, ``name``, ``marker``,
        ``limit``, ``status``, ``host``. Returns the Response."""
        params = {}
        if not server_id:
            params = _filters(**{
                'changes-since': changes_since, 'image': image,
                'flavor': flavor, 'name': name, 'marker': marker,
                'limit': limit, 'status': status, 'host': host})
        path = path4url('servers', 'detail' if detail else (server_id or ''))
        return self.get(path, success=success, **_merged(kwargs, params))

    def servers_post(
            self, security_group=None, user_data=None,
            availability_zone=None, json_data=None, success=202, **kwargs):
        """POST ``/servers`` with ``json_data`` as the JSON body (none if it
        is empty) and the query parameters ``security_group``, ``user_data``
        and ``availability_zone`` when set. Returns the Response (202)."""
        params = _filters(
            security_group=security_group, user_data=user_data,
            availability_zone=availability_zone)
        return self.post(
            path4url('servers'), success=success,
            **_merged(kwargs, params, json=json_data or None))

    def servers_put(
            self, server_id, server_name=None, json_data=None, success=204,
            **kwargs):
        """PUT ``/servers/<server_id>`` with ``json_data`` as the JSON body
        (and ``?server=<server_name>`` if given). Returns the Response
        (204)."""
        params = _filters(server=server_name)
        return self.put(
            path4url('servers', server_id), success=success,
            **_merged(kwargs, params, json=json_data or None))

    def servers_delete(self, server_id, success=204, **kwargs):
        """DELETE ``/servers/<server_id>``; returns the Response (204)."""
        return self.delete(
            path4url('servers', server_id), success=success, **kwargs)

    def servers_metadata_get(self, server_id, key=None, success=200, **kwargs):
        """GET ``/servers/<server_id>/metadata`` or ``.../metadata/<key>``;
        returns the Response."""
        path = path4url('servers', server_id, 'metadata', key or '')
        return self.get(path, success=success, **kwargs)

    def servers_metadata_post(
            self, server_id, json_data=None, success=202, **kwargs):
        """POST ``/servers/<server_id>/metadata`` with ``json_data`` as the
        JSON body (``{"metadata": {...}}`` merges items). Returns the
        Response."""
        path = path4url('servers', server_id, 'metadata')
        return self.post(
            path, success=success, **_merged(kwargs, json=json_data or None))

    def servers_metadata_put(
            self, server_id, key=None, json_data=None, success=204, **kwargs):
        """PUT ``/servers/<server_id>/metadata[/<key>]`` with ``json_data``
        as the JSON body. Returns the Response."""
        path = path4url('servers', server_id, 'metadata', key or '')
        return self.put(
            path, success=success, **_merged(kwargs, json=json_data or None))

    def servers_metadata_delete(self, server_id, key, success=204, **kwargs):
        """DELETE ``/servers/<server_id>/metadata/<key>``; returns the
        Response (204)."""
        path = path4url('servers', server_id, 'metadata', key)
        return self.delete(path, success=success, **kwargs)

    def servers_action_post(
            self, server_id, json_data=None, success=202, **kwargs):
        """POST ``/servers/<server_id>/action`` with ``json_data`` (one
        ``{"<action>": {...}}``) as the JSON body. Returns the Response."""
        path = path4url('servers', server_id, 'action')
        return self.post(
            path, success=success, **_merged(kwargs, json=json_data or None))

    def servers_ips_get(
            self, server_id, network_id=None, changes_since=None,
            success=(304, 200), **kwargs):
        """GET ``/servers/<server_id>/ips[/<network_id>]``, with
        ``changes-since`` if given. Returns the Response (200, or 304 when
        nothing changed)."""
        params = _filters(**{'changes-since': changes_since})
        path = path4url('servers', server_id, 'ips', network_id or '')
        return self.get(path, success=success, **_merged(kwargs, params))

    def images_get(
            self, image_id='', detail=False,
            changes_since=None, server_name=None, name=None, status=None,
            marker=None, limit=None, type=None, success=200, **kwargs):
        """GET ``/images/detail`` if ``detail``, else ``/images/<image_id>``
        (or ``/images``). Listings send the filters that are set:
        ``changes-since``, ``server`` (``server_name``), ``name``,
        ``status``, ``marker``, ``limit``, ``type``. Returns the Response."""
        params = {}
        if not image_id:
            params = _filters(**{
                'changes-since': changes_since, 'name': name,
                'status': status, 'marker': marker, 'limit': limit,
                'type': type, 'server': server_name})
        path = path4url('images', 'detail' if detail else (image_id or ''))
        return self.get(path, success=success, **_merged(kwargs, params))

    def images_delete(self, image_id='', success=204, **kwargs):
        """DELETE ``/images/<image_id>``; returns the Response (204)."""
        return self.delete(
            path4url('images', image_id), success=success, **kwargs)

    def images_metadata_get(self, image_id, key=None, success=200, **kwargs):
        """GET ``/images/<image_id>/metadata[/<key>]``; returns the
        Response."""
        path = path4url('images', image_id, 'metadata', key or '')
        return self.get(path, success=success, **kwargs)

    def images_metadata_post(
            self, image_id, json_data=None, success=201, **kwargs):
        """POST ``/images/<image_id>/metadata`` with ``json_data`` as the
        JSON body (``{"metadata": {...}}``). Returns the Response (201)."""
        path = path4url('images', image_id, 'metadata')
        return self.post(
            path, success=success, **_merged(kwargs, json=json_data))

    def images_metadata_put(
            self, image_id, key=None, json_data=None, success=201, **kwargs):
        """PUT ``/images/<image_id>/metadata/<key>`` (``.../metadata``
        without a key) with ``json_data`` as the JSON body. Returns the
        Response (201).

        kamaki ignored ``key`` and always PUT ``.../metadata``; the key is
        used here, as the argument means."""
        path = path4url('images', image_id, 'metadata', key or '')
        return self.put(
            path, success=success, **_merged(kwargs, json=json_data))

    def images_metadata_delete(self, image_id, key, success=204, **kwargs):
        """DELETE ``/images/<image_id>/metadata/<key>``; returns the
        Response (204)."""
        path = path4url('images', image_id, 'metadata', key)
        return self.delete(path, success=success, **kwargs)

    def flavors_get(
            self, flavor_id='', detail=False,
            changes_since=None, minDisk=None, minRam=None, marker=None,
            limit=None, success=200, **kwargs):
        """GET ``/flavors/detail`` if ``detail``, else ``/flavors/<flavor_id>``
        (or ``/flavors``). Listings send the filters that are set:
        ``changes-since``, ``minDisk``, ``minRam``, ``marker``, ``limit``.
        Returns the Response."""
        params = {}
        if not flavor_id:
            params = _filters(**{
                'changes-since': changes_since, 'minDisk': minDisk,
                'minRam': minRam, 'marker': marker, 'limit': limit})
        path = path4url('flavors', 'detail' if detail else (flavor_id or ''))
        return self.get(path, success=success, **_merged(kwargs, params))

    def floating_ip_pools_get(self, success=200, **kwargs):
        """GET ``/os-floating-ip-pools``; returns the Response."""
        return self.get(
            path4url('os-floating-ip-pools'), success=success, **kwargs)

    def floating_ips_get(self, ip='', success=200, **kwargs):
        """GET ``/os-floating-ips[/<ip>]``; returns the Response."""
        return self.get(
            path4url('os-floating-ips', ip or ''), success=success, **kwargs)

    def floating_ips_post(self, json_data, ip='', success=200, **kwargs):
        """POST ``/os-floating-ips[/<ip>]`` with ``json_data`` as the JSON
        body; returns the Response."""
        return self.post(
            path4url('os-floating-ips', ip or ''), success=success,
            **_merged(kwargs, json=json_data))

    def floating_ips_delete(self, ip='', success=204, **kwargs):
        """DELETE ``/os-floating-ips[/<ip>]``; returns the Response."""
        return self.delete(
            path4url('os-floating-ips', ip or ''), success=success, **kwargs)

    def keypairs_get(self, key_name=None, success=200, **kwargs):
        """GET ``/os-keypairs`` or ``/os-keypairs/<key_name>``; returns the
        Response."""
        return self.get(
            path4url('os-keypairs', key_name or ''), success=success, **kwargs)

    def keypairs_post(self, json_data, success=200, **kwargs):
        """POST ``/os-keypairs`` with ``json_data`` (``{"keypair": {...}}``)
        as the JSON body; returns the Response. (Synnefo answers 201: the
        high-level ``create_key`` passes ``success=201``.)"""
        return self.post(
            path4url('os-keypairs'), success=success,
            **_merged(kwargs, json=json_data))

    def keypairs_delete(self, key_name, success=200, **kwargs):
        """DELETE ``/os-keypairs/<key_name>``; returns the Response. (Synnefo
        answers 204: ``delete_keypair`` passes ``success=204``.)"""
        return self.delete(
            path4url('os-keypairs', key_name), success=success, **kwargs)

    def servers_tag_exists(self, server_id, tag, success=(204, 404), **kwargs):
        """GET ``/servers/<server_id>/tags/<tag>``; returns the Response: 204
        (with a ``tag-status`` header) if the server has the tag, 404 if
        not."""
        path = path4url('servers', server_id, 'tags', tag)
        return self.get(path, success=success, **kwargs)

    def servers_tag_add(self, server_id, tag, success=201, **kwargs):
        """PUT ``/servers/<server_id>/tags/<tag>``; returns the Response
        (201; the server answers 204 if the tag was there already)."""
        path = path4url('servers', server_id, 'tags', tag)
        return self.put(path, success=success, **kwargs)

    def servers_tag_delete(self, server_id, tag, success=204, **kwargs):
        """DELETE ``/servers/<server_id>/tags/<tag>``; returns the Response
        (204)."""
        path = path4url('servers', server_id, 'tags', tag)
        return self.delete(path, success=success, **kwargs)

    def servers_tags_get(self, server_id, success=200, **kwargs):
        """GET ``/servers/<server_id>/tags``; returns the Response
        (``{"tags": [...], ...}``)."""
        path = path4url('servers', server_id, 'tags')
        return self.get(path, success=success, **kwargs)

    def servers_tags_replace(self, server_id, tags, success=200, **kwargs):
        """PUT ``/servers/<server_id>/tags`` with ``{"tags": tags}``;
        returns the Response."""
        path = path4url('servers', server_id, 'tags')
        return self.put(
            path, success=success, **_merged(kwargs, json={'tags': tags}))

    def servers_tags_delete(self, server_id, success=204, **kwargs):
        """DELETE ``/servers/<server_id>/tags``; returns the Response
        (204)."""
        path = path4url('servers', server_id, 'tags')
        return self.delete(path, success=success, **kwargs)
