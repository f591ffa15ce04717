"""OpenStack compute: ``ComputeClient`` (servers, flavors, images,
keypairs, server tags) over the REST layer ``ComputeRestClient``.

``response_headers`` arguments are output dicts: after the call, each of
their keys is set to the reply header of that (lower-case) name, or keeps
its value if the reply has no such header. kamaki's defaults for them were
dicts shared between calls; here the default is None (nothing to fill)."""

from base64 import b64encode

from kamaki.clients import ClientError, Waiter
from kamaki.clients.compute.rest_api import ComputeRestClient

__all__ = ['ComputeClient', 'ComputeRestClient']


def _fill(response_headers, response):
    """Sets each key of ``response_headers`` from ``response``'s headers."""
    if response_headers:
        for key, value in list(response_headers.items()):
            response_headers[key] = response.headers.get(key, value)


def _b64(data):
    """``data`` (str or bytes) base64-encoded, as a str."""
    if isinstance(data, str):
        data = data.encode('utf-8')
    return b64encode(data).decode('ascii')


def _server_body(name, flavor_id, image_id, metadata=None, personality=None,
                 networks=None, tags=None, user_data=None):
    """The ``server`` of a create request: the given fields, ``user_data``
    base64-encoded; ``networks=[]`` (no network) is kept, unlike None."""
    server = {'name': name, 'flavorRef': flavor_id, 'imageRef': image_id}
    if metadata:
        server['metadata'] = metadata
    if personality:
        server['personality'] = personality
    if networks is not None:
        server['networks'] = networks
    if tags is not None:
        server['tags'] = tags
    if user_data:
        server['user_data'] = _b64(user_data)
    return server


class ComputeClient(ComputeRestClient, Waiter):
    """OpenStack compute API client (kamaki's ``ComputeClient``)."""

    # Servers

    def list_servers(
            self, detail=False, changes_since=None, image=None, flavor=None,
            name=None, marker=None, limit=None, status=None, host=None,
            response_headers=None):
        """GET ``/servers`` (``/servers/detail`` if ``detail``) with the
        filters that are set; returns the list of servers (``id``, ``name``
        and ``links``; full details with ``detail``)."""
        r = self.servers_get(
            detail=bool(detail), changes_since=changes_since, image=image,
            flavor=flavor, name=name, marker=marker, limit=limit,
            status=status, host=host)
        _fill(response_headers, r)
        return r.json['servers']

    def get_server_details(
            self, server_id, changes_since=None, image=None, flavor=None,
            name=None, marker=None, limit=None, status=None, host=None,
            response_headers=None, **kwargs):
        """GET ``/servers/<server_id>``; returns the server's details dict
        (the listing filters are accepted and, as in kamaki, not sent)."""
        r = self.servers_get(
            server_id, changes_since=changes_since, image=image,
            flavor=flavor, name=name, marker=marker, limit=limit,
            status=status, host=host, **kwargs)
        _fill(response_headers, r)
        return r.json['server']

    def create_server(
            self, name, flavor_id, image_id, security_group=None,
            user_data=None, availability_zone=None, metadata=None,
            personality=None, networks=None, response_headers=None,
            tags=None):
        """POST ``/servers`` with ``{"server": {"name", "flavorRef",
        "imageRef"[, "metadata"][, "personality"][, "networks"][, "tags"]
        [, "user_data"]}}`` (``security_group`` and ``availability_zone`` as
        query parameters); returns the new server's dict (202).

        ``networks=[]`` (no network) differs from None (the cloud's
        default). ``user_data`` (str or bytes) is sent base64-encoded in the
        body, where the API reads it (kamaki sent it as a query
        parameter)."""
        server = _server_body(name, flavor_id, image_id, metadata,
                              personality, networks, tags, user_data)
        r = self.servers_post(
            json_data={'server': server}, security_group=security_group,
            availability_zone=availability_zone)
        _fill(response_headers, r)
        return r.json['server']

    def update_server_name(self, server_id, new_name):
        """PUT ``/servers/<server_id>`` with ``{"server": {"name":
        new_name}}`` (204); returns the reply headers."""
        r = self.servers_put(
            server_id, json_data={'server': {'name': new_name}})
        return r.headers

    def delete_server(self, server_id):
        """DELETE ``/servers/<server_id>`` (204); returns the reply
        headers."""
        return self.servers_delete(server_id).headers

    def change_admin_password(self, server_id, new_password):
        """Action ``{"changePassword": {"adminPass": new_password}}`` (202);
        returns the reply headers. (Synnefo does not offer it: 400.)"""
        req = {'changePassword': {'adminPass': new_password}}
        return self.servers_action_post(server_id, json_data=req).headers

    def rebuild_server(self, server_id, response_headers=None):
        """Reads the server's details, then sends action ``{"rebuild":
        <those details>}`` (202); returns the ``server`` of the reply.

        kamaki looked up a ``server`` key in the details dict and failed
        with a KeyError before sending anything; this sends the details it
        meant to send. (Synnefo does not offer rebuild: 400.)"""
        server = self.get_server_details(server_id)
        r = self.servers_action_post(server_id, json_data={'rebuild': server})
        _fill(response_headers, r)
        return r.json['server']

    def reboot_server(self, server_id, hard=False):
        """Action ``{"reboot": {"type": "HARD"}}`` (``"SOFT"`` unless
        ``hard``) (202); returns the reply headers."""
        req = {'reboot': {'type': 'HARD' if hard else 'SOFT'}}
        return self.servers_action_post(server_id, json_data=req).headers

    def resize_server(self, server_id, flavor_id):
        """Action ``{"resize": {"flavorRef": flavor_id}}`` (202); returns
        the reply headers. (Cyclades resizes stopped servers only.)"""
        req = {'resize': {'flavorRef': flavor_id}}
        return self.servers_action_post(server_id, json_data=req).headers

    def confirm_resize_server(self, server_id):
        """Action ``{"confirmResize": null}`` (202); returns the reply
        headers."""
        return self.servers_action_post(
            server_id, json_data={'confirmResize': None}).headers

    def revert_resize_server(self, server_id):
        """Action ``{"revertResize": null}`` (202); returns the reply
        headers."""
        return self.servers_action_post(
            server_id, json_data={'revertResize': None}).headers

    def create_server_image(self, server_id, image_name, **metadata):
        """Action ``{"createImage": {"name": image_name, "metadata":
        metadata}}`` (202); returns the ``location`` reply header (the new
        image's URL)."""
        req = {'createImage': {'name': image_name, 'metadata': metadata}}
        r = self.servers_action_post(server_id, json_data=req)
        return r.headers['location']

    def start_server(self, server_id):
        """Action ``{"os-start": null}`` (202); returns the reply
        headers."""
        return self.servers_action_post(
            server_id, json_data={'os-start': None}, success=202).headers

    def shutdown_server(self, server_id):
        """Action ``{"os-stop": null}`` (202); returns the reply headers."""
        return self.servers_action_post(
            server_id, json_data={'os-stop': None}, success=202).headers

    def rescue_server(self, server_id, rescue_image_ref=None):
        """Action ``{"rescue": {}}``, or ``{"rescue": {"rescue_image_ref":
        rescue_image_ref}}`` if given (202); returns the reply headers.

        kamaki put ``rescue_image_ref`` beside ``rescue``; the API reads it
        inside, where it is sent here."""
        rescue = {}
        if rescue_image_ref is not None:
            rescue['rescue_image_ref'] = rescue_image_ref
        return self.servers_action_post(
            server_id, json_data={'rescue': rescue}, success=202).headers

    def unrescue_server(self, server_id):
        """Action ``{"unrescue": {}}`` (202); returns the reply headers."""
        return self.servers_action_post(
            server_id, json_data={'unrescue': {}}, success=202).headers

    # Server metadata

    def get_server_metadata(self, server_id, key='', response_headers=None):
        """GET ``/servers/<server_id>/metadata[/<key>]``; returns the
        metadata dict, or ``{key: value}`` with a ``key``."""
        r = self.servers_metadata_get(server_id, key)
        _fill(response_headers, r)
        return r.json['meta' if key else 'metadata']

    def create_server_metadata(self, server_id, key, val):
        """PUT ``/servers/<server_id>/metadata/<key>`` with ``{"meta": {key:
        val}}`` (201); returns ``{key: val}`` as the server stored it."""
        r = self.servers_metadata_put(
            server_id, key, json_data={'meta': {key: val}}, success=201)
        return r.json['meta']

    def update_server_metadata(
            self, server_id, response_headers=None, **metadata):
        """POST ``/servers/<server_id>/metadata`` with ``{"metadata":
        metadata}`` (201); returns all the server's metadata."""
        r = self.servers_metadata_post(
            server_id, json_data={'metadata': metadata}, success=201)
        _fill(response_headers, r)
        return r.json['metadata']

    def delete_server_metadata(self, server_id, key):
        """DELETE ``/servers/<server_id>/metadata/<key>`` (204); returns the
        reply headers."""
        return self.servers_metadata_delete(server_id, key).headers

    # Server addresses

    def get_server_nics(self, server_id, changes_since=None):
        """GET ``/servers/<server_id>/ips`` (with ``changes-since`` if
        given); returns the whole reply (``{"addresses": {...}}``), or
        ``{}`` when the server answers 304 (nothing changed; kamaki failed
        to parse the empty body)."""
        r = self.servers_ips_get(server_id, changes_since=changes_since)
        return {} if r.status_code == 304 else r.json

    def get_server_network_nics(
            self, server_id, network_id, changes_since=None):
        """GET ``/servers/<server_id>/ips/<network_id>``; returns the
        reply's ``network`` (``{<network id>: [addresses]}``), or ``{}`` on
        304."""
        r = self.servers_ips_get(
            server_id, network_id=network_id, changes_since=changes_since)
        return {} if r.status_code == 304 else r.json['network']

    # Flavors

    def list_flavors(self, detail=None, is_public=None):
        """GET ``/flavors`` (``/flavors/detail`` if ``detail``, with
        ``?is_public=<is_public>`` when given: kamaki 0.16 took the argument
        and dropped it); returns the list of flavors."""
        params = {} if is_public is None else {'is_public': is_public}
        return self.flavors_get(detail=detail, params=params).json['flavors']

    def get_flavor_details(self, flavor_id):
        """GET ``/flavors/<flavor_id>``; returns the flavor's dict."""
        return self.flavors_get(flavor_id=flavor_id).json['flavor']

    # Images

    def list_images(self, detail=False, response_headers=None):
        """GET ``/images`` (``/images/detail`` if ``detail``); returns the
        list of images."""
        r = self.images_get(detail=bool(detail))
        _fill(response_headers, r)
        return r.json['images']

    def get_image_details(self, image_id, **kwargs):
        """GET ``/images/<image_id>``; returns the image's dict. A reply
        without an ``image`` raises ``ClientError('Image not available',
        404)``."""
        r = self.images_get(image_id, **kwargs)
        try:
            return r.json['image']
        except (KeyError, TypeError):
            raise ClientError('Image not available', 404, details=[
                'Image %s not found or not accessible' % image_id])

    def delete_image(self, image_id):
        """DELETE ``/images/<image_id>`` (204); returns the reply
        headers."""
        return self.images_delete(image_id).headers

    def get_image_metadata(self, image_id, key='', response_headers=None):
        """GET ``/images/<image_id>/metadata[/<key>]``; returns the metadata
        dict, or ``{key: value}`` with a ``key``."""
        r = self.images_metadata_get(image_id, key)
        _fill(response_headers, r)
        return r.json['meta' if key else 'metadata']

    def update_image_metadata(
            self, image_id, response_headers=None, **metadata):
        """POST ``/images/<image_id>/metadata`` with ``{"metadata":
        metadata}`` (201); returns all the image's metadata."""
        r = self.images_metadata_post(
            image_id, json_data={'metadata': metadata})
        _fill(response_headers, r)
        return r.json['metadata']

    def delete_image_metadata(self, image_id, key):
        """DELETE ``/images/<image_id>/metadata/<key>`` (204); returns the
        reply headers."""
        return self.images_metadata_delete(image_id, key).headers

    # Floating IPs (OpenStack extension). kamaki passed the tenant id into
    # the ``ip``/``success`` arguments of the REST calls; the tenant is part
    # of the endpoint URL, so ``tenant_id`` is accepted and not sent.

    def get_floating_ip_pools(self, tenant_id):
        """GET ``/os-floating-ip-pools``; returns the whole reply
        (``{"floating_ip_pools": [...]}``). ``tenant_id`` is not sent."""
        return self.floating_ip_pools_get().json

    def get_floating_ips(self, tenant_id):
        """GET ``/os-floating-ips``; returns the whole reply
        (``{"floating_ips": [...]}``). ``tenant_id`` is not sent."""
        return self.floating_ips_get().json

    def alloc_floating_ip(self, tenant_id, pool=None):
        """POST ``/os-floating-ips`` with ``{"pool": pool}`` (``{}`` without
        a pool); returns the reply's ``floating_ip``."""
        json_data = {'pool': pool} if pool else {}
        return self.floating_ips_post(json_data).json['floating_ip']

    def get_floating_ip(self, tenant_id, fip_id=None):
        """GET ``/os-floating-ips/<fip_id>``: returns that floating IP's
        dict (Synnefo answers it as ``floatingip``, OpenStack as
        ``floating_ip``; either is returned). Without ``fip_id``: GET
        ``/os-floating-ips`` and returns the list of floating IPs."""
        body = self.floating_ips_get(fip_id or '').json
        if not fip_id:
            return body['floating_ips']
        for key in ('floating_ip', 'floatingip'):
            if key in body:
                return body[key]
        return body

    def delete_floating_ip(self, tenant_id, fip_id=None):
        """DELETE ``/os-floating-ips/<fip_id>`` (204); returns the reply
        headers."""
        return self.floating_ips_delete(fip_id or '').headers

    # Keypairs

    def list_keypairs(self):
        """GET ``/os-keypairs``; returns the list of keypairs, each item
        ``{"keypair": {"name", "public_key", "fingerprint", ...}}``."""
        return self.keypairs_get().json['keypairs']

    def get_keypair_details(self, key_name):
        """GET ``/os-keypairs/<key_name>``; returns the keypair's dict."""
        return self.keypairs_get(key_name=key_name).json['keypair']

    def create_key(self, key_name=None, public_key=None):
        """POST ``/os-keypairs`` with ``{"keypair": {["name"][,
        "public_key"]}}`` (201); returns the new keypair's dict. Without a
        ``public_key`` the server generates a pair and the reply holds its
        ``private_key``."""
        keypair = {}
        if key_name is not None:
            keypair['name'] = key_name
        if public_key is not None:
            keypair['public_key'] = public_key
        r = self.keypairs_post(json_data={'keypair': keypair}, success=201)
        return r.json['keypair']

    def delete_keypair(self, key_name=None):
        """DELETE ``/os-keypairs/<key_name>`` (204); returns the reply
        headers."""
        return self.keypairs_delete(key_name, success=204).headers

    # Server tags

    def check_tag_exists(self, server_id, tag):
        """GET ``/servers/<server_id>/tags/<tag>``; returns True if the
        server answers 204, False on 404."""
        return self.servers_tag_exists(server_id, tag).status_code == 204

    def add_tag(self, server_id, tag):
        """PUT ``/servers/<server_id>/tags/<tag>`` (201); returns the reply
        headers (``location`` is the tag's URL)."""
        return self.servers_tag_add(server_id, tag).headers

    def delete_tag(self, server_id, tag):
        """DELETE ``/servers/<server_id>/tags/<tag>``; returns the HTTP
        status (204)."""
        return self.servers_tag_delete(server_id, tag).status_code

    def list_tags(self, server_id):
        """GET ``/servers/<server_id>/tags``; returns the list of tags."""
        return self.servers_tags_get(server_id).json['tags']

    def replace_tags(self, server_id, tags):
        """PUT ``/servers/<server_id>/tags`` with ``{"tags": tags}``;
        returns the reply's list of tags."""
        return self.servers_tags_replace(server_id, tags).json['tags']

    def delete_tags(self, server_id):
        """DELETE ``/servers/<server_id>/tags``; returns the HTTP status
        (204)."""
        return self.servers_tags_delete(server_id).status_code
