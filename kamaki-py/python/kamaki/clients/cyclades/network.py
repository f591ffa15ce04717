"""Cyclades' extensions to the OpenStack Network API:
``CycladesNetworkClient``."""

from kamaki.clients.network import NetworkClient, _listing
from kamaki.clients.utils import path4url

__all__ = ['CycladesNetworkClient']


class CycladesNetworkClient(NetworkClient):
    """The network API of Synnefo's Cyclades: typed networks, detailed
    listings, project reassignment, ports on servers, floating IPs picked
    by the service."""

    #: The network types Cyclades knows (users may create the last three).
    network_types = (
        'CUSTOM', 'MAC_FILTERED', 'IP_LESS_ROUTED', 'PHYSICAL_VLAN')

    def list_networks(self, detail=None):
        """GET ``/networks`` (or ``/networks/detail`` if ``detail``): the
        list of network dicts."""
        path = path4url('networks', 'detail' if detail else '')
        return _listing(self.get(path, success=(200, 204)), 'networks')

    def create_network(self, type, name=None, shared=None, project_id=None):
        """POST ``/networks`` with ``{"network": {"type", "admin_state_up":
        true[, "name"][, "shared"][, "project"]}}`` (201): the new network.

        ``type`` is one of ``network_types``; ``project_id`` is the project
        the network is charged to."""
        network = dict(type=type, admin_state_up=True)
        if name:
            network['name'] = name
        if shared is not None:
            network['shared'] = bool(shared)
        if project_id is not None:
            network['project'] = project_id
        r = self.networks_post(dict(network=network), success=201)
        return r.json['network']

    def reassign_network(self, network_id, project_id, **kwargs):
        """POST ``/networks/<network_id>/action`` with ``{"reassign":
        {"project": project_id}}`` (200): the reply's headers."""
        path = path4url('networks', network_id, 'action')
        kwargs.setdefault('success', 200)
        r = self.post(
            path, json={'reassign': {'project': project_id}}, **kwargs)
        return r.headers

    def list_ports(self, detail=None):
        """GET ``/ports`` (or ``/ports/detail`` if ``detail``): the list of
        port dicts."""
        path = path4url('ports', 'detail' if detail else '')
        return _listing(self.get(path, success=(200, 204)), 'ports')

    def create_port(
            self, network_id,
            device_id=None, security_groups=None, name=None, fixed_ips=None):
        """POST ``/ports`` with ``{"port": {"network_id"[, "device_id"]
        [, "security_groups"][, "name"][, "fixed_ips"]}}`` (201): the new
        port's dict.

        ``device_id`` is the server to plug the port into; ``fixed_ips`` is
        a list of ``{"ip_address": ...[, "subnet_id": ...]}`` (an item
        without ``ip_address`` raises ``ValueError``)."""
        port = dict(network_id=network_id)
        if device_id:
            port['device_id'] = device_id
        if security_groups:
            port['security_groups'] = security_groups
        if name:
            port['name'] = name
        if fixed_ips:
            for fixed_ip in fixed_ips:
                if 'ip_address' not in fixed_ip:
                    raise ValueError('Invalid fixed_ip [%s]' % fixed_ip)
            port['fixed_ips'] = fixed_ips
        return self.ports_post(dict(port=port), success=201).json['port']

    def create_floatingip(
            self,
            floating_network_id=None, floating_ip_address='',
            project_id=None):
        """POST ``/floatingips`` with ``{"floatingip": {[
        "floating_network_id"][, "floating_ip_address"][, "project"]}}``
        (200): the new floating IP's dict. Without a network the service
        picks one of its floating IP pools."""
        floatingip = dict()
        if floating_network_id:
            floatingip['floating_network_id'] = floating_network_id
        if floating_ip_address:
            floatingip['floating_ip_address'] = floating_ip_address
        if project_id is not None:
            floatingip['project'] = project_id
        r = self.floatingips_post(dict(floatingip=floatingip), success=200)
        return r.json['floatingip']

    def reassign_floating_ip(self, floating_network_id, project_id):
        """POST ``/floatingips/<floating_network_id>/action`` with
        ``{"reassign": {"project": project_id}}`` (200): charges the
        floating IP to another project. Returns None.

        ``floating_network_id`` is the floating IP's id (kamaki's argument
        name)."""
        path = path4url('floatingips', floating_network_id, 'action')
        self.post(
            path, json={'reassign': {'project': project_id}}, success=200)
