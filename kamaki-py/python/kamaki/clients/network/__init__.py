"""OpenStack Network API v2.0 (the Neutron subset Synnefo serves):
``NetworkRestClient`` (one method per request) and ``NetworkClient``
(networks, subnets, ports and floating IPs, with the port wait helpers)."""

from kamaki.clients import ClientError, Waiter, wait  # noqa: F401
from kamaki.clients.network.rest_api import NetworkRestClient

__all__ = ['NetworkRestClient', 'NetworkClient']


def _listing(response, key):
    """``response.json[key]``, or ``[]`` for an empty (204) reply."""
    if response.status_code == 204 or not response.content.strip():
        return []
    return response.json[key]


def _check_specs(items, kind, allowed, required):
    """Checks a batch of ``kind`` specifications (dicts with only ``allowed``
    keys, ``required`` ones set); ``ValueError`` otherwise."""
    if not isinstance(items, (list, tuple)):
        raise ValueError('The %ss parameter must be list or tuple' % kind)
    for item in items:
        if not isinstance(item, dict):
            raise ValueError(
                '%s specification %s is not a dict' % (kind.title(), item))
        invalid = set(item).difference(allowed)
        if invalid:
            raise ValueError('Invalid key(s): %s in %s specification %s' % (
                invalid, kind, item))
        for key in required:
            if not item.get(key):
                if kind == 'network':
                    raise ValueError(
                        'Name is missing in network specification: %s' % item)
                raise ValueError(
                    '%s is missing in %s spec: %s' % (key, kind, item))


class NetworkClient(NetworkRestClient, Waiter):
    """OpenStack Network API 2.0: networks, subnets, ports, floating IPs."""

    # networks

    def list_networks(self):
        """GET ``/networks``: the list of network dicts."""
        return _listing(self.networks_get(success=(200, 204)), 'networks')

    def create_network(self, name, admin_state_up=None, shared=None):
        """POST ``/networks`` with ``{"network": {"name", "admin_state_up"
        (a bool), ["shared"]}}`` (201): the new network's dict.

        Synnefo also needs a network ``type``: use
        ``CycladesNetworkClient.create_network`` there."""
        network = dict(name=name, admin_state_up=bool(admin_state_up))
        if shared is not None:
            network['shared'] = bool(shared)
        r = self.networks_post(dict(network=network), success=201)
        return r.json['network']

    def create_networks(self, networks):
        """POST ``/networks`` with ``{"networks": [...]}`` (201), all or
        nothing: the list of new network dicts.

        Each item is a dict with ``name`` (required), ``admin_state_up``
        (default False) and ``shared``; ``ValueError`` otherwise."""
        _check_specs(
            networks, 'network', ('name', 'admin_state_up', 'shared'),
            ('name', ))
        items = []
        for network in networks:
            network = dict(network)
            network.setdefault('admin_state_up', False)
            items.append(network)
        r = self.networks_post(dict(networks=items), success=201)
        return r.json['networks']

    def get_network_details(self, network_id):
        """GET ``/networks/<network_id>``: the network's dict."""
        return self.networks_get(network_id, success=200).json['network']

    def update_network(
            self, network_id, name=None, admin_state_up=None, shared=None):
        """PUT ``/networks/<network_id>`` with ``{"network": {...}}`` holding
        the given (non-None; a non-empty name) fields: the updated dict."""
        network = dict()
        if name:
            network['name'] = name
        if admin_state_up is not None:
            network['admin_state_up'] = admin_state_up
        if shared is not None:
            network['shared'] = shared
        r = self.networks_put(network_id, dict(network=network), success=200)
        return r.json['network']

    def delete_network(self, network_id):
        """DELETE ``/networks/<network_id>`` (204): the reply's headers."""
        return self.networks_delete(network_id, success=204).headers

    # subnets

    def list_subnets(self):
        """GET ``/subnets``: the list of subnet dicts."""
        return _listing(self.subnets_get(success=(200, 204)), 'subnets')

    def create_subnet(
            self, network_id, cidr,
            name=None, allocation_pools=None, gateway_ip=None,
            subnet_id=None, ipv6=None, enable_dhcp=None):
        """POST ``/subnets`` with ``{"subnet": {"network_id", "cidr",
        "ip_version" (6 if ipv6 else 4), ...}}`` (201): the new subnet.

        ``allocation_pools`` is a list of ``{"start": ..., "end": ...}``;
        ``gateway_ip`` None lets the server choose, an empty value sends
        null (no gateway); ``subnet_id`` is sent as ``id``."""
        subnet = dict(
            network_id=network_id, cidr=cidr, ip_version=6 if ipv6 else 4)
        if name:
            subnet['name'] = name
        if allocation_pools:
            subnet['allocation_pools'] = allocation_pools
        if gateway_ip is not None:
            subnet['gateway_ip'] = gateway_ip or None
        if subnet_id:
            subnet['id'] = subnet_id
        if enable_dhcp is not None:
            subnet['enable_dhcp'] = bool(enable_dhcp)
        r = self.subnets_post(dict(subnet=subnet), success=201)
        return r.json['subnet']

    def create_subnets(self, subnets):
        """POST ``/subnets`` with ``{"subnets": [...]}`` (201), all or
        nothing: the list of new subnet dicts.

        Items take the arguments of ``create_subnet`` (``network_id`` and
        ``cidr`` required; ``ipv6`` becomes ``ip_version``, ``subnet_id``
        becomes ``id``); ``ValueError`` on a malformed item."""
        _check_specs(
            subnets, 'subnet',
            ('network_id', 'cidr', 'name', 'allocation_pools', 'gateway_ip',
             'subnet_id', 'ipv6', 'enable_dhcp'),
            ('network_id', 'cidr'))
        items = []
        for subnet in subnets:
            subnet = dict(subnet)
            subnet['ip_version'] = 6 if subnet.pop('ipv6', None) else 4
            if 'subnet_id' in subnet:
                subnet['id'] = subnet.pop('subnet_id')
            items.append(subnet)
        r = self.subnets_post(dict(subnets=items), success=201)
        return r.json['subnets']

    def get_subnet_details(self, subnet_id):
        """GET ``/subnets/<subnet_id>``: the whole reply, ``{"subnet":
        {...}}`` (kamaki does not unwrap it; kept for compatibility)."""
        return self.subnets_get(subnet_id, success=200).json

    def update_subnet(
            self, subnet_id,
            name=None, allocation_pools=None, gateway_ip=None, ipv6=None,
            enable_dhcp=None):
        """PUT ``/subnets/<subnet_id>`` with ``{"subnet": {...}}`` holding
        the given (non-None) fields; ``ipv6`` is sent as ``ip_version``:
        the updated subnet's dict."""
        subnet = dict()
        if name is not None:
            subnet['name'] = name
        if allocation_pools is not None:
            subnet['allocation_pools'] = allocation_pools
        if gateway_ip is not None:
            subnet['gateway_ip'] = gateway_ip
        if ipv6 is not None:
            subnet['ip_version'] = 6 if ipv6 else 4
        if enable_dhcp is not None:
            subnet['enable_dhcp'] = enable_dhcp
        r = self.subnets_put(subnet_id, json=dict(subnet=subnet), success=200)
        return r.json['subnet']

    def delete_subnet(self, subnet_id):
        """DELETE ``/subnets/<subnet_id>`` (204): the reply's headers."""
        return self.subnets_delete(subnet_id, success=204).headers

    # ports

    def list_ports(self):
        """GET ``/ports``: the list of port dicts."""
        return _listing(self.ports_get(success=(200, 204)), 'ports')

    @staticmethod
    def _port_body(
            network_id, name, status, admin_state_up, mac_address, fixed_ips,
            security_groups):
        port = dict(network_id=network_id)
        if name:
            port['name'] = name
        if status:
            port['status'] = status
        if admin_state_up is not None:
            port['admin_state_up'] = bool(admin_state_up)
        if mac_address:
            port['mac_address'] = mac_address
        if fixed_ips:
            port['fixed_ips'] = fixed_ips
        if security_groups:
            port['security_groups'] = security_groups
        return dict(port=port)

    def create_port(
            self, network_id,
            name=None, status=None, admin_state_up=None, mac_address=None,
            fixed_ips=None, security_groups=None):
        """POST ``/ports`` with ``{"port": {"network_id", ...}}`` holding the
        given fields (201): the new port's dict."""
        body = self._port_body(
            network_id, name, status, admin_state_up, mac_address, fixed_ips,
            security_groups)
        return self.ports_post(body, success=201).json['port']

    def create_ports(self, ports):
        """POST ``/ports`` with ``{"ports": [...]}`` (201), all or nothing:
        the list of new port dicts.

        Items take the arguments of ``create_port`` (``network_id``
        required); ``ValueError`` on a malformed item."""
        _check_specs(
            ports, 'port',
            ('network_id', 'status', 'name', 'admin_state_up', 'mac_address',
             'fixed_ips', 'security_groups'),
            ('network_id', ))
        r = self.ports_post(dict(ports=list(ports)), success=201)
        return r.json['ports']

    def get_port_details(self, port_id):
        """GET ``/ports/<port_id>``: the port's dict."""
        return self.ports_get(port_id, success=200).json['port']

    def update_port(
            self, port_id, network_id,
            name=None, status=None, admin_state_up=None, mac_address=None,
            fixed_ips=None, security_groups=None):
        """PUT ``/ports/<port_id>`` with ``{"port": {"network_id", ...}}``
        holding the given fields: the updated port's dict."""
        body = self._port_body(
            network_id, name, status, admin_state_up, mac_address, fixed_ips,
            security_groups)
        return self.ports_put(port_id, body, success=200).json['port']

    def delete_port(self, port_id):
        """DELETE ``/ports/<port_id>`` (204): the reply's headers."""
        return self.ports_delete(port_id, success=204).headers

    # floating IPs

    def list_floatingips(self):
        """GET ``/floatingips``: the list of floating IP dicts."""
        return _listing(
            self.floatingips_get(success=(200, 204)), 'floatingips')

    def get_floatingip_details(self, floatingip_id):
        """GET ``/floatingips/<floatingip_id>``: the floating IP's dict."""
        r = self.floatingips_get(floatingip_id, success=200)
        return r.json['floatingip']

    def create_floatingip(
            self, floating_network_id,
            floating_ip_address='', port_id='', fixed_ip_address=''):
        """POST ``/floatingips`` with ``{"floatingip":
        {"floating_network_id", ...}}`` holding the other arguments that
        are not empty (200): the new floating IP's dict."""
        floatingip = dict(floating_network_id=floating_network_id)
        if floating_ip_address:
            floatingip['floating_ip_address'] = floating_ip_address
        if port_id:
            floatingip['port_id'] = port_id
        if fixed_ip_address:
            floatingip['fixed_ip_address'] = fixed_ip_address
        r = self.floatingips_post(dict(floatingip=floatingip), success=200)
        return r.json['floatingip']

    def update_floatingip(
            self, floatingip_id,
            floating_ip_address='', port_id='', fixed_ip_address=''):
        """PUT ``/floatingips/<floatingip_id>`` with ``{"floatingip":
        {...}}`` holding the arguments that are not ``''`` (None is sent as
        null, e.g. ``port_id=None`` detaches): the updated dict."""
        floatingip = dict()
        if floating_ip_address != '':
            floatingip['floating_ip_address'] = floating_ip_address
        if port_id != '':
            floatingip['port_id'] = port_id
        if fixed_ip_address != '':
            floatingip['fixed_ip_address'] = fixed_ip_address
        r = self.floatingips_put(
            floatingip_id, dict(floatingip=floatingip), success=200)
        return r.json['floatingip']

    def delete_floatingip(self, floatingip_id):
        """DELETE ``/floatingips/<floatingip_id>`` (204): reply headers."""
        return self.floatingips_delete(floatingip_id, success=204).headers

    # waiting

    def get_port_status(self, port_id):
        """Deprecated: GET the port, return ``(status, None)``."""
        return self.get_port_details(port_id)['status'], None

    def wait_port_while(
            self, port_id,
            current_status='BUILD', delay=1, max_wait=100, wait_cb=None):
        """Polls GET ``/ports/<port_id>`` every ``delay`` seconds, at most
        ``max_wait // delay`` times, while its status is ``current_status``;
        calls ``wait_cb(details)`` after each poll. Returns the last port
        dict, whether or not the status changed (check its ``status``)."""
        return wait(
            self.get_port_details, (port_id, ),
            lambda port: port['status'] != current_status,
            delay, max_wait, wait_cb)

    def wait_port_until(
            self, port_id,
            target_status='BUILD', delay=1, max_wait=100, wait_cb=None):
        """Polls GET ``/ports/<port_id>`` as ``wait_port_while`` does, until
        its status is ``target_status``. Returns the last port dict, whether
        or not the target was reached. (The default target, ``BUILD``, is
        kamaki's; pass ``'ACTIVE'`` to wait for a port to come up.)"""
        return wait(
            self.get_port_details, (port_id, ),
            lambda port: port['status'] == target_status,
            delay, max_wait, wait_cb)

    #: kamaki's older name of ``wait_port_while``.
    wait_port = wait_port_while
