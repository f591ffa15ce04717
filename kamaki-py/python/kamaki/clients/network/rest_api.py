"""The REST layer of the OpenStack Network (Neutron) API as Synnefo serves
it: one method per verb and collection, each returning the ``Response``.

Every method accepts the keyword arguments of ``Client.request``
(``success``, ``headers``, ``params``...); ``success`` defaults to 200.
"""

from kamaki.clients import Client
from kamaki.clients.utils import path4url

__all__ = ['NetworkRestClient']


class NetworkRestClient(Client):
    """Requests on ``/networks``, ``/subnets``, ``/ports`` and
    ``/floatingips`` of a network endpoint (``service_type`` 'network',
    version 2.0 unless the URL names one)."""

    service_type = 'network'
    DEFAULT_API_VERSION = '2.0'

    # networks

    def networks_get(self, network_id=None, **kwargs):
        """GET ``/networks``, or ``/networks/<network_id>`` if given."""
        return self.get(path4url('networks', network_id or ''), **kwargs)

    def networks_post(self, json_data, **kwargs):
        """POST ``/networks`` with ``json_data`` as the JSON body."""
        return self.post(path4url('networks'), json=json_data, **kwargs)

    def networks_put(self, network_id, json_data, **kwargs):
        """PUT ``/networks/<network_id>`` with ``json_data`` as the body."""
        return self.put(
            path4url('networks', network_id), json=json_data, **kwargs)

    def networks_delete(self, network_id, **kwargs):
        """DELETE ``/networks/<network_id>``."""
        return self.delete(path4url('networks', network_id), **kwargs)

    # subnets

    def subnets_get(self, subnet_id=None, **kwargs):
        """GET ``/subnets``, or ``/subnets/<subnet_id>`` if given."""
        return self.get(path4url('subnets', subnet_id or ''), **kwargs)

    def subnets_post(self, json_data, **kwargs):
        """POST ``/subnets`` with ``json_data`` as the JSON body."""
        return self.post(path4url('subnets'), json=json_data, **kwargs)

    def subnets_put(self, subnet_id, **kwargs):
        """PUT ``/subnets/<subnet_id>``; the body comes as ``json=`` (or
        ``data=``), as in kamaki."""
        return self.put(path4url('subnets', subnet_id), **kwargs)

    def subnets_delete(self, subnet_id, **kwargs):
        """DELETE ``/subnets/<subnet_id>``."""
        return self.delete(path4url('subnets', subnet_id), **kwargs)

    # ports

    def ports_get(self, port_id=None, **kwargs):
        """GET ``/ports``, or ``/ports/<port_id>`` if given."""
        return self.get(path4url('ports', port_id or ''), **kwargs)

    def ports_post(self, json_data=None, **kwargs):
        """POST ``/ports`` with ``json_data`` as the JSON body."""
        return self.post(path4url('ports'), json=json_data, **kwargs)

    def ports_put(self, port_id, json_data=None, **kwargs):
        """PUT ``/ports/<port_id>`` with ``json_data`` as the JSON body."""
        return self.put(path4url('ports', port_id), json=json_data, **kwargs)

    def ports_delete(self, port_id, **kwargs):
        """DELETE ``/ports/<port_id>``."""
        return self.delete(path4url('ports', port_id), **kwargs)

    # floating IPs (the L3 extension)

    def floatingips_get(self, floatingip_id=None, **kwargs):
        """GET ``/floatingips``, or ``/floatingips/<floatingip_id>``."""
        return self.get(
            path4url('floatingips', floatingip_id or ''), **kwargs)

    def floatingips_post(self, json_data, **kwargs):
        """POST ``/floatingips`` with ``json_data`` as the JSON body."""
        return self.post(path4url('floatingips'), json=json_data, **kwargs)

    def floatingips_put(self, floatingip_id, json_data, **kwargs):
        """PUT ``/floatingips/<floatingip_id>`` with ``json_data``."""
        return self.put(
            path4url('floatingips', floatingip_id), json=json_data, **kwargs)

    def floatingips_delete(self, floatingip_id, **kwargs):
        """DELETE ``/floatingips/<floatingip_id>``."""
        return self.delete(path4url('floatingips', floatingip_id), **kwargs)
