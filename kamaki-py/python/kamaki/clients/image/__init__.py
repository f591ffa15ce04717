"""Synnefo's image registry (Plankton, a Glance v1 style API):
``ImageClient``.

Image metadata travels in ``X-Image-Meta-*`` headers. The name and the
property values are percent-encoded on the way out; the name, location,
description and properties of replies are decoded. Replies made of
headers (``get_meta``, ``register``) are turned into a dict: each
``x-image-meta-property-<k>`` goes to ``properties[<k, '-' -> '_'>]``,
each other ``x-image-meta-<k>`` to ``<k>``.
"""

from urllib.parse import quote, unquote

from kamaki.clients import Client, ClientError  # noqa: F401
from kamaki.clients.utils import path4url

__all__ = ['ImageClient']

_META = 'x-image-meta-'
_PROPERTY = 'x-image-meta-property-'
_QUOTED = ('x-image-meta-name', 'x-image-meta-location',
           'x-image-meta-description')
_PARAMS = ('store', 'disk_format', 'container_format', 'size', 'checksum',
           'is_public', 'owner')


def _decoded(headers):
    """Reply headers with the image name, location, description and
    properties (names and values) percent-decoded."""
    reply = dict()
    for name, value in headers.items():
        name = name.lower()
        if name.startswith(_PROPERTY):
            name, value = unquote(name), unquote(value)
        elif name in _QUOTED:
            value = unquote(value)
        reply[name] = value
    return reply


def _image_meta(headers):
    """The image dict made of (decoded) ``x-image-meta-*`` headers."""
    image = dict(properties=dict())
    for name, value in headers.items():
        if name.startswith(_PROPERTY):
            key = name[len(_PROPERTY):].replace('-', '_')
            image['properties'][key] = value
        elif name.startswith(_META):
            image[name[len(_META):]] = value
    return image


def _quoted(value):
    """A header value percent-encoded as UTF-8 (``/`` kept)."""
    return quote('%s' % value)


def _location(location):
    """``pithos://<uuid>/<container>/<path>`` with each part quoted, from
    such a string or a ``(uuid, container, path)`` sequence."""
    if not isinstance(location, str):
        location = 'pithos://%s' % '/'.join('%s' % p for p in location)
    prefix = 'pithos://'
    if location.startswith(prefix):
        rest = location[len(prefix):]
    else:
        prefix, rest = '', location
    return prefix + '/'.join(quote(part) for part in rest.split('/'))


class ImageClient(Client):
    """The Plankton image registry (``service_type`` 'image', version 1.0
    unless the URL names one)."""

    service_type = 'image'
    DEFAULT_API_VERSION = '1.0'

    def list_public(self, detail=False, filters={}, order=''):
        """GET ``/images/`` (``/images/detail`` if ``detail``) with every
        truthy item of ``filters`` as a query parameter (``name``,
        ``container_format``, ``disk_format``, ``status``, ``size_min``,
        ``size_max``...), ``sort_dir`` (``desc`` if ``order`` starts with
        ``-``, else ``asc``) and ``sort_key=<order>`` if given.

        Returns the list of image dicts, whether the service wraps it
        (``{"images": [...]}``, Synnefo 0.20 on) or not (older Plankton,
        which kamaki 0.16 expects)."""
        path = path4url('images', 'detail') if detail else (
            '%s/' % path4url('images'))
        params = dict()
        if isinstance(filters, dict):
            for key, value in filters.items():
                if value:
                    params[key] = value
        if order and order.startswith('-'):
            params['sort_dir'], order = 'desc', order[1:]
        else:
            params['sort_dir'] = 'asc'
        if order:
            params['sort_key'] = order
        r = self.get(path, params=params, success=(200, 204))
        if r.status_code == 204 or not r.content.strip():
            return []
        images = r.json
        if isinstance(images, dict) and 'images' in images:
            return images['images']
        return images

    def get_meta(self, image_id):
        """HEAD ``/images/<image_id>``: the image's metadata as a dict
        (``id``, ``name``, ``status``, ``location``... strings, and a
        ``properties`` dict)."""
        r = self.head(path4url('images', image_id), success=200)
        return _image_meta(_decoded(r.headers))

    def register(self, name, location, params={}, properties={}):
        """POST ``/images/`` with ``X-Image-Meta-Name``,
        ``X-Image-Meta-Location`` (``pithos://<uuid>/<container>/<path>``,
        each part percent-encoded; ``location`` is such a string or a
        ``(uuid, container, path)`` tuple), ``X-Image-Meta-<Param>`` for
        each truthy ``params`` item among ``store``, ``disk_format``,
        ``container_format``, ``size``, ``checksum``, ``is_public``,
        ``owner`` (underscores sent as hyphens) and
        ``X-Image-Meta-Property-<k>`` for each property.

        Returns the new image's metadata as ``get_meta`` does.

        kamaki turned a location without ``pithos://`` into nonsense (its
        parts joined with dots); here it is sent as given (parts quoted),
        for the service to accept or refuse."""
        headers = {
            'X-Image-Meta-Name': _quoted(name),
            'X-Image-Meta-Location': _location(location),
        }
        for key, value in params.items():
            if key in _PARAMS and value:
                headers['X-Image-Meta-%s' % key.replace('_', '-')] = value
        for key, value in properties.items():
            headers['X-Image-Meta-Property-%s' % key] = _quoted(value)
        r = self.post(
            '%s/' % path4url('images'), headers=headers, success=200)
        return _image_meta(_decoded(r.headers))

    def unregister(self, image_id):
        """DELETE ``/images/<image_id>`` (204): the reply's headers."""
        r = self.delete(path4url('images', image_id), success=204)
        return _decoded(r.headers)

    def list_members(self, image_id):
        """GET ``/images/<image_id>/members``: the list of members
        (``{"member_id": ..., "can_share": ...}`` dicts)."""
        r = self.get(path4url('images', image_id, 'members'), success=200)
        return r.json['members']

    def list_shared(self, member):
        """GET ``/shared-images/<member>``: the images shared with
        ``member`` (``{"image_id": ..., "can_share": ...}`` dicts)."""
        r = self.get(path4url('shared-images', member), success=200)
        return r.json['shared_images']

    def add_member(self, image_id, member):
        """PUT ``/images/<image_id>/members/<member>`` with an empty body
        (204): shares the image with ``member``. Returns the headers."""
        # No body: the core sends Content-Length: 0 itself (an explicit
        # empty body would go without it).
        r = self.put(
            path4url('images', image_id, 'members', member), success=204)
        return _decoded(r.headers)

    def remove_member(self, image_id, member):
        """DELETE ``/images/<image_id>/members/<member>`` (204): stops
        sharing the image with ``member``. Returns the headers."""
        r = self.delete(
            path4url('images', image_id, 'members', member), success=204)
        return _decoded(r.headers)

    def set_members(self, image_id, members):
        """PUT ``/images/<image_id>/members`` with ``{"memberships":
        [{"member_id": m}, ...]}`` (204): replaces the image's members.
        Returns the headers."""
        body = {'memberships': [{'member_id': m} for m in members]}
        r = self.put(
            path4url('images', image_id, 'members'), json=body, success=204)
        return _decoded(r.headers)

    def update_image(
            self, image_id,
            name=None, disk_format=None, container_format=None,
            status=None, public=None, owner_id=None, **properties):
        """PUT ``/images/<image_id>`` with an empty body and, for each
        argument that is not None, ``X-Image-Meta-Name``, ``-Disk-Format``,
        ``-Container-Format``, ``-Status``, ``-Is-Public`` (``True`` or
        ``False``), ``-Owner`` and ``X-Image-Meta-Property-<k>`` per keyword
        property (200). Returns the reply's headers (the image's metadata,
        decoded)."""
        headers = dict()
        if name is not None:
            headers['X-Image-Meta-Name'] = _quoted(name)
        if disk_format is not None:
            headers['X-Image-Meta-Disk-Format'] = disk_format
        if container_format is not None:
            headers['X-Image-Meta-Container-Format'] = container_format
        if status is not None:
            headers['X-Image-Meta-Status'] = status
        if public is not None:
            headers['X-Image-Meta-Is-Public'] = '%s' % bool(public)
        if owner_id is not None:
            headers['X-Image-Meta-Owner'] = owner_id
        for key, value in properties.items():
            if value is not None:
                headers['X-Image-Meta-Property-%s' % key] = _quoted(value)
        # No body: the core sends Content-Length: 0 itself.
        r = self.put(
            path4url('images', image_id), headers=headers, success=200)
        return _decoded(r.headers)
