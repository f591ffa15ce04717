"""Astakos, Synnefo's identity and account service: authentication, the
service catalog, user names, quotas, commissions and projects.

``AstakosClient(endpoint_url, token)`` offers the methods of Synnefo's
``astakosclient.AstakosClient`` (which kamaki's class extends) and kamaki's
additions; ``LoggedAstakosClient`` logs its calls as kamaki logs its own;
``CachedAstakosClient(endpoint_url, token=None)`` keeps one authentication
per token, as the kamaki CLI uses it.

As ``astakosclient`` does, the identity calls go to the authentication URL
(``.../identity/v2.0/tokens``) and the account calls to the *path* of the
``astakos_account`` (``v1.0``) endpoint of the service catalog, on the host
of the authentication URL; the catalog is fetched (without authentication)
the first time an account path is needed.
"""

import base64
import json
import logging
import threading
from urllib.parse import urlencode, urlparse

from kamaki.clients import (
    DEBUGV, Client, ClientError, KamakiSSLError, recvlog, sendlog)
from kamaki.clients.utils import escape_ctrl_chars, path4url

__all__ = [
    'AstakosClientError', 'AstakosClient', 'LoggedAstakosClient',
    'CachedAstakosClient', 'parse_endpoints']

log = logging.getLogger(__name__)

# astakosclient accepts any 2xx reply.
_OK = tuple(range(200, 300))
# Status of the errors astakosclient raises without a reply status
# (AstakosClientException's default).
_NO_STATUS = 500


class AstakosClientError(ClientError):
    """What every failed Astakos call raises (kamaki turns each of
    astakosclient's exceptions into one): ``message``, ``status``,
    ``details``."""


def _bad_value(message):
    """astakosclient's BadValue: a client-side validation error."""
    return AstakosClientError(message, _NO_STATUS)


def _check_input(function_name, **values):
    for name, value in values.items():
        if value is None:
            raise _bad_value(
                'in %s: %s parameter not given' % (function_name, name))


def _no_endpoints(ep_name, ep_type, ep_region, ep_version_id):
    criteria = [
        '%s = %s' % (key, value) for key, value in (
            ('name', ep_name), ('type', ep_type), ('region', ep_region),
            ('version_id', ep_version_id)) if value is not None]
    return AstakosClientError(
        'No endpoints found matching %s' % ', '.join(criteria) if criteria
        else 'No endpoints found', _NO_STATUS)


def parse_endpoints(endpoints, ep_name=None, ep_type=None, ep_region=None,
                    ep_version_id=None):
    """The entries of ``endpoints['access']['serviceCatalog']`` whose
    ``name`` and ``type`` equal the given ones, each keeping the endpoints
    whose ``region`` and ``versionId`` equal the given ones (entries left
    with no endpoint are dropped). Criteria that are None are not checked.

    Raises ``AstakosClientError`` when nothing matches. Unlike
    astakosclient, the given catalog is not modified."""
    try:
        catalog = endpoints['access']['serviceCatalog']
        matches = []
        for entry in catalog:
            if ep_name is not None and entry['name'] != ep_name:
                continue
            if ep_type is not None and entry['type'] != ep_type:
                continue
            kept = [e for e in entry['endpoints'] if (
                ep_region is None or e['region'] == ep_region) and (
                ep_version_id is None or e['versionId'] == ep_version_id)]
            if kept:
                entry = dict(entry)
                entry['endpoints'] = kept
                matches.append(entry)
    except (KeyError, TypeError):
        raise _no_endpoints(ep_name, ep_type, ep_region, ep_version_id)
    if not matches:
        raise _no_endpoints(ep_name, ep_type, ep_region, ep_version_id)
    return matches


class _Host(Client):
    """The scheme and host of the authentication URL, with no path: every
    Astakos call names its whole path, as astakosclient's calls do."""

    DEFAULT_API_VERSION = '2.0'
    # Astakos logs its calls itself (LoggedAstakosClient), as kamaki did.
    _log_exchanges = False

    def __init__(self, url, token):
        super(_Host, self).__init__(url, token)
        self.endpoint_url = url


class AstakosClient(Client):
    """kamaki's ``AstakosClient``: ``AstakosClient(endpoint_url, token,
    retry=0, use_pool=False, pool_size=8, logger=None, headers=None)``.

    ``endpoint_url`` is the authentication URL (``.../identity/v2.0``; a URL
    with no version gets ``/v2.0``). ``headers`` are sent with every call.
    ``retry``, ``use_pool`` and ``pool_size`` are kept as attributes only:
    the core pools connections and retries what is safe to retry (it never
    repeats a commission POST, which astakosclient's ``retry`` would).
    Every failure raises ``AstakosClientError`` (``KamakiSSLError`` for
    TLS); an HTTP failure has kamaki's message form (``Not Found
    itemNotFound (...)``) and the HTTP status."""

    service_type = 'identity'
    DEFAULT_API_VERSION = '2.0'

    def __init__(self, endpoint_url=None, token=None, retry=0,
                 use_pool=False, pool_size=8, logger=None, headers=None,
                 auth_url=None):
        endpoint_url = endpoint_url or auth_url
        _check_input('__init__', token=token, auth_url=endpoint_url)
        parsed = urlparse('%s' % endpoint_url)
        if parsed.scheme not in ('http', 'https'):
            raise _bad_value('Unsupported scheme: %s' % parsed.scheme)
        super(AstakosClient, self).__init__(endpoint_url, token)
        self.retry = retry
        self.use_pool = use_pool
        self.pool_size = pool_size
        if logger is None:
            # astakosclient's own logger, at its level (INFO)
            logger = logging.getLogger('astakosclient')
            if logger.level == logging.NOTSET:
                logger.setLevel(logging.INFO)
        self.logger = logger
        self.extra_headers = dict(headers) if headers else {}
        self.scheme = parsed.scheme
        self.astakos_base_url = parsed.netloc
        self.auth_prefix = urlparse(self.endpoint_url).path
        self.api_tokens = path4url(self.auth_prefix, 'tokens')
        self._host = _Host('%s://%s' % (self.scheme, parsed.netloc), token)

    # ---- the one path every call takes

    def _log_call(self, method, path, params, headers, data, reply):
        """Hook for ``LoggedAstakosClient``; ``reply`` is the Response or
        the raised error."""

    def _call_astakos(self, request_path, headers=None, body=None,
                      method='GET', params=None, success=_OK):
        """Sends ``method request_path`` (a whole path on the Astakos host)
        with the client's headers, ``headers``, ``params`` and ``body`` (a
        str or bytes); returns the ``Response`` if its status is in
        ``success`` (any 2xx), else raises ``AstakosClientError``."""
        request_headers = dict(self.extra_headers)
        request_headers.update(headers or {})
        if body is None and method.upper() != 'GET':
            request_headers.setdefault('Content-Length', '0')
        params = dict(params or {})
        self.logger.debug('Make a %s request to %s', method, request_path)
        try:
            reply = self._host.request(
                method, request_path, headers=request_headers, params=params,
                data=body, success=success, token=self.token)
        except KamakiSSLError as e:
            self._log_call(method, request_path, params, request_headers,
                           body, e)
            raise
        except ClientError as e:
            self._log_call(method, request_path, params, request_headers,
                           body, e)
            if isinstance(e, AstakosClientError):
                raise
            raise AstakosClientError(e.message, e.status, e.details) from None
        self._log_call(method, request_path, params, request_headers, body,
                       reply)
        return reply

    def _json_call(self, request_path, method='GET', body=None, params=None):
        """``_call_astakos`` with ``body`` sent as JSON; the reply's JSON or
        None."""
        headers = {'Content-Type': 'application/json'}
        data = None if body is None else _dumps(body)
        return _reply_json(self._call_astakos(
            request_path, headers=headers, body=data, method=method,
            params=params))

    # ---- the catalog paths, taken once from the service catalog

    def _fill_endpoints(self, endpoints, extra=False):
        """Records the account and UI URLs (of the catalog's
        ``astakos_account`` v1.0) and the OAuth2 URL (``astakos_oauth2``)
        found in ``endpoints``. What is missing is looked for again when it
        is needed (astakosclient fails the whole call at once)."""
        try:
            account = parse_endpoints(
                endpoints, ep_name='astakos_account', ep_version_id='v1.0')
            endpoint = account[0]['endpoints'][0]
            self._account_url = endpoint['publicURL']
            self._account_prefix = urlparse(self._account_url).path
            if endpoint.get('SNF:uiURL'):
                self._ui_url = endpoint['SNF:uiURL']
                self._ui_prefix = urlparse(self._ui_url).path
        except (AstakosClientError, KeyError, TypeError):
            pass
        try:
            oauth2 = parse_endpoints(endpoints, ep_name='astakos_oauth2')
            self._oauth2_url = oauth2[0]['endpoints'][0]['publicURL']
            self._oauth2_prefix = urlparse(self._oauth2_url).path
        except (AstakosClientError, KeyError, TypeError):
            pass

    def _get_value(self, name, extra=False):
        try:
            return getattr(self, name)
        except AttributeError:
            self.get_endpoints(extra=extra)
        try:
            return getattr(self, name)
        except AttributeError:
            raise _no_endpoints(
                'astakos_oauth2' if 'oauth2' in name else 'astakos_account',
                None, None, None if 'oauth2' in name else 'v1.0')

    @property
    def account_url(self):
        """The ``publicURL`` of the catalog's ``astakos_account`` v1.0."""
        return self._get_value('_account_url')

    @property
    def account_prefix(self):
        """The path of ``account_url``."""
        return self._get_value('_account_prefix')

    @property
    def ui_url(self):
        """The ``SNF:uiURL`` of the catalog's ``astakos_account`` v1.0."""
        return self._get_value('_ui_url')

    @property
    def ui_prefix(self):
        """The path of ``ui_url``."""
        return self._get_value('_ui_prefix')

    @property
    def oauth2_url(self):
        """The ``publicURL`` of the catalog's ``astakos_oauth2``."""
        return self._get_value('_oauth2_url', extra=True)

    @property
    def oauth2_prefix(self):
        """The path of ``oauth2_url``."""
        return self._get_value('_oauth2_prefix', extra=True)

    @property
    def api_usercatalogs(self):
        """The path ``<account_prefix>/user_catalogs``."""
        return path4url(self.account_prefix, 'user_catalogs')

    @property
    def api_service_usercatalogs(self):
        """The path ``<account_prefix>/service/user_catalogs``."""
        return path4url(self.account_prefix, 'service', 'user_catalogs')

    @property
    def api_resources(self):
        """The path ``<account_prefix>/resources``."""
        return path4url(self.account_prefix, 'resources')

    @property
    def api_quotas(self):
        """The path ``<account_prefix>/quotas``."""
        return path4url(self.account_prefix, 'quotas')

    @property
    def api_service_quotas(self):
        """The path ``<account_prefix>/service_quotas``."""
        return path4url(self.account_prefix, 'service_quotas')

    @property
    def api_service_project_quotas(self):
        """The path ``<account_prefix>/service_project_quotas``."""
        return path4url(self.account_prefix, 'service_project_quotas')

    @property
    def api_commissions(self):
        """The path ``<account_prefix>/commissions``."""
        return path4url(self.account_prefix, 'commissions')

    @property
    def api_commissions_action(self):
        """The path ``<api_commissions>/action``."""
        return path4url(self.api_commissions, 'action')

    @property
    def api_feedback(self):
        """The path ``<account_prefix>/feedback``."""
        return path4url(self.account_prefix, 'feedback')

    @property
    def api_projects(self):
        """The path ``<account_prefix>/projects``."""
        return path4url(self.account_prefix, 'projects')

    @property
    def api_memberships(self):
        """The path ``<api_projects>/memberships``."""
        return path4url(self.api_projects, 'memberships')

    @property
    def api_getservices(self):
        """The path ``<ui_prefix>/get_services``."""
        return path4url(self.ui_prefix, 'get_services')

    @property
    def api_oauth2_auth(self):
        """The path ``<oauth2_prefix>/auth``."""
        return path4url(self.oauth2_prefix, 'auth')

    @property
    def api_oauth2_token(self):
        """The path ``<oauth2_prefix>/token``."""
        return path4url(self.oauth2_prefix, 'token')

    # ---- identity

    def get_endpoints(self, extra=False):
        """POST ``<auth>/tokens`` with no body (no authentication needed):
        the catalog, ``{"access": {"serviceCatalog": [...], ...}}``."""
        r = _reply_json(self._call_astakos(
            self.api_tokens, headers={'Content-Type': 'application/json'},
            method='POST'))
        self._fill_endpoints(r, extra=extra)
        return r

    def authenticate(self, tenant_name=None):
        """POST ``<auth>/tokens`` with ``{"auth": {"token": {"id": <token>}
        [, "tenantName": tenant_name]}}``: the whole access dict,
        ``{"access": {"token": {...}, "user": {...}, "serviceCatalog":
        [...]}}``. ``tenant_name``, if given, must be the user's uuid."""
        body = {'auth': {'token': {'id': self.token}}}
        if tenant_name is not None:
            body['auth']['tenantName'] = tenant_name
        r = self._json_call(self.api_tokens, 'POST', body)
        if not isinstance(r, dict):
            raise AstakosClientError(
                'The reply to POST %s is not an access document' %
                self.api_tokens, _NO_STATUS)
        self._fill_endpoints(r)
        return r

    def validate_token(self, token_id, belongs_to=None):
        """GET ``<auth>/tokens/<token_id>[?belongsTo=...]``: the token's
        info (an OAuth2 access token, checked against a scope)."""
        params = {'belongsTo': belongs_to} if belongs_to is not None else {}
        return _reply_json(self._call_astakos(
            path4url(self.api_tokens, token_id), params=params))

    def get_service_endpoints(self, service_type, version=None):
        """The first endpoint (a dict with ``publicURL`` ...) of the first
        catalog entry of type ``service_type`` (exact match) with an
        endpoint of ``versionId`` ``version`` if given; the catalog is
        fetched (POST tokens) on each call.

        Raises ``AstakosClientError`` if nothing matches, as kamaki 0.16
        really does (its code means to return ``{}`` but astakosclient's
        ``parse_endpoints`` raises first)."""
        services = parse_endpoints(
            self.get_endpoints(), ep_type=service_type, ep_version_id=version)
        return services[0]['endpoints'][0] if services else {}

    def get_endpoint_url(self, service_type, version=None):
        """The ``publicURL`` of ``get_service_endpoints(service_type,
        version)``."""
        return self.get_service_endpoints(service_type, version)['publicURL']

    @property
    def user_info(self):
        """``authenticate()['access']['user']`` (a request each time)."""
        return self.authenticate()['access']['user']

    def user_term(self, term):
        """``user_info[term]``."""
        return self.user_info[term]

    # ---- user names and uuids

    def _uuid_catalog(self, uuids, path):
        data = self._json_call(path, 'POST', {'uuids': uuids})
        if not isinstance(data, dict) or 'uuid_catalog' not in data:
            raise AstakosClientError(
                'user catalogs request returned %r. No uuid_catalog found'
                % (data, ), _NO_STATUS)
        return data['uuid_catalog']

    def _displayname_catalog(self, names, path):
        data = self._json_call(path, 'POST', {'displaynames': names})
        if not isinstance(data, dict) or 'displayname_catalog' not in data:
            raise AstakosClientError(
                'user catalogs request returned %r. No displayname_catalog '
                'found' % (data, ), _NO_STATUS)
        return data['displayname_catalog']

    def get_usernames(self, uuids):
        """POST ``<account>/user_catalogs`` with ``{"uuids": uuids}``: the
        ``uuid_catalog``, ``{uuid: username}`` (unknown uuids left out)."""
        return self._uuid_catalog(uuids, self.api_usercatalogs)

    def get_username(self, uuid):
        """The username of ``uuid`` (``get_usernames``);
        ``AstakosClientError`` if there is none."""
        _check_input('get_username', uuid=uuid)
        names = self.get_usernames([uuid])
        if uuid not in names:
            raise AstakosClientError(
                'No display name for the given uuid: %s' % uuid, _NO_STATUS)
        return names[uuid]

    def service_get_usernames(self, uuids):
        """``get_usernames`` at ``<account>/service/user_catalogs`` (a
        service's token)."""
        return self._uuid_catalog(uuids, self.api_service_usercatalogs)

    def service_get_username(self, uuid):
        """``get_username`` with a service's token."""
        _check_input('service_get_username', uuid=uuid)
        names = self.service_get_usernames([uuid])
        if uuid not in names:
            raise AstakosClientError(
                'No display name for the given uuid: %s' % uuid, _NO_STATUS)
        return names[uuid]

    def get_uuids(self, display_names):
        """POST ``<account>/user_catalogs`` with ``{"displaynames":
        display_names}``: the ``displayname_catalog``, ``{username:
        uuid}`` (unknown names left out)."""
        return self._displayname_catalog(
            display_names, self.api_usercatalogs)

    def get_uuid(self, display_name):
        """The uuid of ``display_name`` (``get_uuids``);
        ``AstakosClientError`` if there is none."""
        _check_input('get_uuid', display_name=display_name)
        uuids = self.get_uuids([display_name])
        if display_name not in uuids:
            raise AstakosClientError(
                'No uuid for the given display name: %s' % display_name,
                _NO_STATUS)
        return uuids[display_name]

    def service_get_uuids(self, display_names):
        """``get_uuids`` at ``<account>/service/user_catalogs`` (a service's
        token)."""
        return self._displayname_catalog(
            display_names, self.api_service_usercatalogs)

    def service_get_uuid(self, display_name):
        """``get_uuid`` with a service's token."""
        _check_input('service_get_uuid', display_name=display_name)
        uuids = self.service_get_uuids([display_name])
        if display_name not in uuids:
            raise AstakosClientError(
                'No uuid for the given display name: %s' % display_name,
                _NO_STATUS)
        return uuids[display_name]

    # ---- account

    def get_services(self):
        """GET ``<ui>/get_services``: the list of registered services
        (``[{"id", "name", "url"}, ...]``)."""
        return _reply_json(self._call_astakos(self.api_getservices))

    def get_resources(self):
        """GET ``<account>/resources``: ``{resource: {"description",
        "unit", "service", ...}}``."""
        return _reply_json(self._call_astakos(self.api_resources))

    def send_feedback(self, message, data):
        """POST ``<account>/feedback`` with the form fields ``feedback_msg``
        and ``feedback_data``; returns None. The form is sent as
        ``application/x-www-form-urlencoded`` (astakosclient labels it
        ``application/octet-stream``, which a form parser ignores)."""
        _check_input('send_feedback', message=message, data=data)
        body = urlencode({'feedback_msg': message, 'feedback_data': data})
        self._call_astakos(
            self.api_feedback, method='POST', body=body,
            headers={'Content-Type': 'application/x-www-form-urlencoded'})

    def set_default_project(self, project_id):
        """POST ``<account>/myaccount/default_project`` with
        ``{"project_id": project_id}``; returns None."""
        self._json_call(
            path4url(self.account_prefix, 'myaccount', 'default_project'),
            'POST', {'project_id': project_id})

    # ---- quotas

    def get_quotas(self):
        """GET ``<account>/quotas``: ``{project_id: {resource: {"limit",
        "usage", "pending", "project_limit", "project_usage",
        "project_pending"}}}`` of the user."""
        return _reply_json(self._call_astakos(self.api_quotas))

    def service_get_quotas(self, user=None, project_id=None, project=None):
        """GET ``<account>/service_quotas[?user=..&project=..]`` (a service's
        token; a list is sent comma-joined; ``project`` is the old name of
        ``project_id``): ``{user: {project: {resource: {...}}}}``."""
        project_id = project if project_id is None else project_id
        params = {}
        if user is not None:
            params['user'] = _join_if_list(user)
        if project_id is not None:
            params['project'] = _join_if_list(project_id)
        return _reply_json(self._call_astakos(
            self.api_service_quotas, params=params))

    def service_get_project_quotas(self, project_id=None, project=None):
        """GET ``<account>/service_project_quotas[?project=..]`` (a service's
        token): ``{project: {resource: {"project_limit", "project_usage",
        "project_pending"}}}``."""
        project_id = project if project_id is None else project_id
        params = {}
        if project_id is not None:
            params['project'] = _join_if_list(project_id)
        return _reply_json(self._call_astakos(
            self.api_service_project_quotas, params=params))

    # ---- commissions (a service's token)

    def _issue_commission(self, request):
        """POST ``<account>/commissions`` with ``request``: the new
        commission's serial. A 413 raises ``AstakosClientError`` (status
        413) with astakosclient's "Resource Limit Exceeded for your account."
        and the limit, usage and request in ``details``."""
        reply = self._call_astakos(
            self.api_commissions, method='POST', body=_dumps(request),
            headers={'Content-Type': 'application/json'},
            success=_OK + (413, ))
        if reply.status_code == 413:
            raise _quota_limit(reply)
        response = _reply_json(reply)
        if not isinstance(response, dict) or 'serial' not in response:
            raise AstakosClientError(
                'issue_commission request returned %r. No serial found' % (
                    response, ), _NO_STATUS)
        return response['serial']

    def _mk_user_provision(self, holder, source, resource, quantity):
        return {'holder': 'user:%s' % holder, 'source': 'project:%s' % source,
                'resource': resource, 'quantity': quantity}

    def _mk_project_provision(self, holder, resource, quantity):
        return {'holder': 'project:%s' % holder, 'source': None,
                'resource': resource, 'quantity': quantity}

    def mk_provisions(self, holder, source, resource, quantity):
        """The two provisions of charging ``quantity`` of ``resource`` to
        user ``holder`` in project ``source``: the user's, and the
        project's."""
        return [self._mk_user_provision(holder, source, resource, quantity),
                self._mk_project_provision(source, resource, quantity)]

    def issue_commission_generic(self, user_provisions, project_provisions,
                                 name='', force=False, auto_accept=False):
        """Issues a commission of ``user_provisions`` (``{(user, project,
        resource): quantity}``) and ``project_provisions`` (``{(project,
        resource): quantity}``): POST ``<account>/commissions``; the
        serial."""
        try:
            provisions = [
                self._mk_user_provision(holder, source, resource, quantity)
                for (holder, source, resource), quantity in
                user_provisions.items()]
            provisions += [
                self._mk_project_provision(holder, resource, quantity)
                for (holder, resource), quantity in
                project_provisions.items()]
        except (AttributeError, TypeError, ValueError) as e:
            raise _bad_value('%s' % e)
        return self._issue_commission(_commission(
            provisions, name, force, auto_accept))

    def issue_one_commission(self, holder, provisions, name='', force=False,
                             auto_accept=False):
        """Issues a commission for user ``holder``: ``provisions`` is
        ``{(project, resource): quantity}``; each becomes the user's and
        the project's provision (``mk_provisions``). POST
        ``<account>/commissions`` with ``{"force", "auto_accept", "name",
        "provisions"}``; returns the serial (int)."""
        _check_input('issue_one_commission', holder=holder,
                     provisions=provisions)
        try:
            request_provisions = []
            for (source, resource), quantity in provisions.items():
                request_provisions += self.mk_provisions(
                    holder, source, resource, quantity)
        except (AttributeError, TypeError, ValueError) as e:
            raise _bad_value('%s' % e)
        return self._issue_commission(_commission(
            request_provisions, name, force, auto_accept))

    def issue_resource_reassignment(self, holder, provisions, name='',
                                    force=False, auto_accept=False):
        """Moves resources of user ``holder`` between projects:
        ``provisions`` is ``{(from_project, to_project, resource):
        quantity}``, released from the first and charged to the second.
        POST ``<account>/commissions``; the serial."""
        try:
            request_provisions = []
            for key, quantity in provisions.items():
                from_source, to_source, resource = key
                request_provisions += self.mk_provisions(
                    holder, from_source, resource, -quantity)
                request_provisions += self.mk_provisions(
                    holder, to_source, resource, quantity)
        except (AttributeError, TypeError, ValueError) as e:
            raise _bad_value('%s' % e)
        return self._issue_commission(_commission(
            request_provisions, name, force, auto_accept))

    def get_pending_commissions(self):
        """GET ``<account>/commissions``: the serials (ints) of the
        service's pending commissions."""
        return _reply_json(self._call_astakos(self.api_commissions))

    def get_commission_info(self, serial):
        """GET ``<account>/commissions/<serial>``: ``{"serial", "issue_time",
        "name", "provisions": [...]}``."""
        _check_input('get_commission_info', serial=serial)
        return _reply_json(self._call_astakos(
            path4url(self.api_commissions, serial)))

    def commission_action(self, serial, action):
        """POST ``<account>/commissions/<serial>/action`` with ``{action:
        ""}`` (``accept`` or ``reject``); returns None."""
        _check_input('commission_action', serial=serial, action=action)
        self._json_call(path4url(self.api_commissions, serial, 'action'),
                        'POST', {'%s' % action: ''})

    def accept_commission(self, serial):
        """``commission_action(serial, 'accept')``."""
        self.commission_action(serial, 'accept')

    def reject_commission(self, serial):
        """``commission_action(serial, 'reject')``."""
        self.commission_action(serial, 'reject')

    def resolve_commissions(self, accept_serials, reject_serials):
        """POST ``<account>/commissions/action`` with ``{"accept": [...],
        "reject": [...]}``: ``{"accepted": [...], "rejected": [...],
        "failed": [...]}``."""
        _check_input('resolve_commissions', accept_serials=accept_serials,
                     reject_serials=reject_serials)
        return self._json_call(self.api_commissions_action, 'POST', {
            'accept': accept_serials, 'reject': reject_serials})

    # ---- projects

    def get_projects(self, name=None, state=None, owner=None, mode=None):
        """GET ``<account>/projects`` with the filters given (``mode=
        'member'``: active projects the user is a member of): a list of
        project dicts."""
        params = dict((k, v) for k, v in (
            ('name', name), ('state', state), ('owner', owner),
            ('mode', mode)) if v is not None)
        return _reply_json(self._call_astakos(
            self.api_projects, params=params))

    def get_project(self, project_id):
        """GET ``<account>/projects/<project_id>``: the project dict."""
        return _reply_json(self._call_astakos(
            path4url(self.api_projects, project_id)))

    def create_project(self, specs):
        """POST ``<account>/projects`` with ``specs`` (``name``,
        ``end_date``, ``resources``, policies ...): an application, answered
        with ``{"id": project_id, "application": application_id}``."""
        return self._json_call(self.api_projects, 'POST', specs)

    def modify_project(self, project_id, specs):
        """PUT ``<account>/projects/<project_id>`` with ``specs``: a
        modification application, ``{"id", "application"}``."""
        return self._json_call(
            path4url(self.api_projects, project_id), 'PUT', specs)

    def project_action(self, project_id, action, reason=''):
        """POST ``<account>/projects/<project_id>/action`` with ``{action:
        {"reason": reason}}`` (``suspend``, ``unsuspend``, ``terminate``,
        ``reinstate``); returns None."""
        self._json_call(
            path4url(self.api_projects, project_id, 'action'), 'POST',
            {action: {'reason': reason}})

    def application_action(self, project_id, app_id, action, reason=''):
        """POST ``<account>/projects/<project_id>/action`` with ``{action:
        {"reason": reason, "app_id": app_id}}`` (``approve``, ``deny``,
        ``dismiss``, ``cancel`` the project's last application); returns
        None. The reason goes in ``reason``, the key of Synnefo's API guide
        (astakosclient writes ``reasons``, which the server ignores)."""
        self._json_call(
            path4url(self.api_projects, project_id, 'action'), 'POST',
            {action: {'reason': reason, 'app_id': app_id}})

    def get_memberships(self, project_id=None, project=None):
        """GET ``<account>/projects/memberships[?project=..]`` (``project``
        is the old name of ``project_id``): a list of membership dicts."""
        project_id = project if project_id is None else project_id
        params = {'project': project_id} if project_id is not None else {}
        return _reply_json(self._call_astakos(
            self.api_memberships, params=params))

    def get_membership(self, memb_id):
        """GET ``<account>/projects/memberships/<memb_id>``: the membership
        dict."""
        return _reply_json(self._call_astakos(
            path4url(self.api_memberships, memb_id)))

    def membership_action(self, memb_id, action, reason=''):
        """POST ``<account>/projects/memberships/<memb_id>/action`` with
        ``{action: reason}`` (``leave``, ``cancel``, ``accept``, ``reject``,
        ``remove``); returns None."""
        self._json_call(
            path4url(self.api_memberships, memb_id, 'action'), 'POST',
            {action: reason})

    def join_project(self, project_id):
        """POST ``<account>/projects/memberships`` with ``{"join":
        {"project": project_id}}``: ``{"id": membership_id}``."""
        return self._json_call(
            self.api_memberships, 'POST', {'join': {'project': project_id}})

    def enroll_member(self, project_id, email):
        """POST ``<account>/projects/memberships`` with ``{"enroll":
        {"project": project_id, "user": email}}``: ``{"id":
        membership_id}``."""
        return self._json_call(self.api_memberships, 'POST', {
            'enroll': {'project': project_id, 'user': email}})

    # ---- OAuth2

    def get_token(self, grant_type, client_id, client_secret, **body_params):
        """POST ``<oauth2>/token``, a form of ``grant_type`` and
        ``body_params`` (e.g. ``code``, ``redirect_uri``) with HTTP Basic
        ``client_id:client_secret``: ``{"access_token", "token_type",
        "expires_in"}``."""
        credentials = base64.b64encode(
            ('%s:%s' % (client_id, client_secret)).encode('utf-8'))
        body_params['grant_type'] = grant_type
        return _reply_json(self._call_astakos(
            self.api_oauth2_token, method='POST', body=urlencode(body_params),
            headers={
                'Content-Type': 'application/x-www-form-urlencoded',
                'Authorization': 'Basic %s' % credentials.decode('ascii')}))


class LoggedAstakosClient(AstakosClient):
    """``AstakosClient`` whose calls are logged as kamaki logs its own: the
    request on ``kamaki.clients.send`` and the reply on
    ``kamaki.clients.recv``, at level ``DEBUGV``. The token is shown as
    ``...`` (in headers and logged bodies) unless ``LOG_TOKEN``; bodies are
    logged only with ``LOG_DATA``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault('logger', log)
        super(LoggedAstakosClient, self).__init__(*args, **kwargs)

    def _hide_token(self, text):
        token = self.token
        if token and not self.LOG_TOKEN:
            text = text.replace(token, '...')
        return escape_ctrl_chars(text)

    def _log_call(self, method, path, params, headers, data, reply):
        try:
            pid = ('\t[%s]' % self) if self.LOG_PID else ''
            query = ('?%s' % urlencode(params)) if params else ''
            sendlog.log(DEBUGV, '%s %s://%s%s%s%s' % (
                method.upper(), self.scheme, self.astakos_base_url, path,
                query, pid))
            shown = dict(headers)
            shown['X-Auth-Token'] = self.token if self.LOG_TOKEN else '...'
            for name, value in shown.items():
                sendlog.log(DEBUGV, '  %s: %s%s' % (name, value, pid))
            sendlog.log(DEBUGV, 'data size: %s%s' % (len(data or ''), pid))
            if data and self.LOG_DATA:
                if isinstance(data, bytes):
                    data = data.decode('utf-8', 'replace')
                sendlog.log(DEBUGV, self._hide_token(data))
            if isinstance(reply, ClientError):
                recvlog.log(DEBUGV, '%s %s%s' % (
                    reply.status, self._hide_token(reply.message), pid))
                return
            recvlog.log(DEBUGV, '%d %s%s' % (
                reply.status_code, reply.status, pid))
            recvlog.log(DEBUGV, 'data size: %s%s' % (len(reply.content), pid))
            if self.LOG_DATA and reply.content:
                recvlog.log(DEBUGV, self._hide_token(reply.text))
        except Exception:  # logging never breaks a call
            recvlog.debug('Kamaki failed to log an AstakosClient call')


class CachedAstakosClient(Client):
    """The Astakos client the kamaki CLI uses: ``CachedAstakosClient(
    endpoint_url, token=None)``. It authenticates each token once and keeps
    the result, indexed by user uuid; ``token`` may be a list (the first
    one is the session's). Every ``token=None`` argument means the
    client's token."""

    service_type = 'identity'
    DEFAULT_API_VERSION = '2.0'

    def __init__(self, endpoint_url, token=None):
        super(CachedAstakosClient, self).__init__(endpoint_url, token)
        self._cache_lock = threading.RLock()
        self._astakos = {}
        self._uuids = {}
        self._cache = {}
        self._uuids2usernames = {}
        self._usernames2uuids = {}

    def _resolve_token(self, token):
        token = token or self.token
        assert token, 'No token provided'
        return token[0] if isinstance(token, (list, tuple)) else token

    def _validate_token(self, token):
        with self._cache_lock:
            uuid = self._uuids.get(token)
            if uuid is not None and uuid in self._cache and (
                    self.get_token(uuid) == token):
                return uuid
            self._uuids.pop(token, None)
        self.authenticate(token)
        return self._uuids[token]

    def get_client(self, token=None):
        """The ``LoggedAstakosClient`` of the token (authenticating it if it
        is not cached)."""
        token = self._resolve_token(token)
        return self._astakos[self._validate_token(token)]

    def authenticate(self, token=None):
        """POST ``<auth>/tokens`` (through a ``LoggedAstakosClient``): the
        access dict, which is cached under the user's uuid (the user's
        uuid/name caches start empty)."""
        token = self._resolve_token(token)
        astakos = LoggedAstakosClient(self.endpoint_url, token, logger=log)
        astakos.LOG_TOKEN = self.LOG_TOKEN
        astakos.LOG_DATA = self.LOG_DATA
        astakos.LOG_PID = self.LOG_PID
        r = astakos.authenticate()
        uuid = r['access']['user']['id']
        with self._cache_lock:
            self._uuids[token] = uuid
            self._cache[uuid] = r
            self._astakos[uuid] = astakos
            self._uuids2usernames[uuid] = {}
            self._usernames2uuids[uuid] = {}
        return r

    def remove_user(self, uuid):
        """Forgets the user's authentication and caches (``KeyError`` if the
        user is not cached)."""
        with self._cache_lock:
            self._uuids.pop(self.get_token(uuid))
            self._cache.pop(uuid)
            self._astakos.pop(uuid)
            self._uuids2usernames.pop(uuid)
            self._usernames2uuids.pop(uuid)

    def get_token(self, uuid):
        """The cached token of user ``uuid``."""
        return self._cache[uuid]['access']['token']['id']

    def get_services(self, token=None):
        """The cached service catalog: ``[{"name", "type", "endpoints":
        [...]}, ...]``."""
        token = self._resolve_token(token)
        return self._cache[self._validate_token(token)]['access'][
            'serviceCatalog']

    def get_service_details(self, service_type, token=None):
        """The catalog entry whose type is ``service_type`` (case does not
        matter); ``AstakosClientError`` if there is none."""
        for service in self.get_services(token):
            try:
                if service['type'].lower() == service_type.lower():
                    return service
            except (KeyError, AttributeError):
                log.warning('Misformated service %s' % service)
        raise AstakosClientError(
            'Service type "%s" not in service catalog' % service_type)

    def get_service_endpoints(self, service_type, version=None, token=None):
        """The one endpoint (``{"publicURL", "versionId", ...}``) of type
        ``service_type`` and, if given, ``versionId`` ``version`` (case does
        not matter); ``AstakosClientError`` unless exactly one matches."""
        service = self.get_service_details(service_type, token)
        matches = [e for e in service['endpoints'] if not version or (
            '%s' % e.get('versionId', '')).lower() == version.lower()]
        if len(matches) != 1:
            raise AstakosClientError('%s endpoints match type %s %s' % (
                len(matches), service_type,
                ('and versionId %s' % version) if version else ''))
        return matches[0]

    def get_endpoint_url(self, service_type, version=None, token=None):
        """The ``publicURL`` of ``get_service_endpoints``."""
        return self.get_service_endpoints(
            service_type, version, token)['publicURL']

    def list_users(self):
        """The cached users (authenticating the client's token if none is
        cached): their ``user`` dicts, each with its ``auth_token``."""
        if not self._cache:
            self.authenticate()
        users = []
        with self._cache_lock:
            for uuid, access in self._cache.items():
                user = dict(access['access']['user'])
                user['auth_token'] = self.get_token(uuid)
                users.append(user)
        return users

    def user_info(self, token=None):
        """The cached ``access.user`` dict, with ``default_project`` set to
        the token's tenant id (as kamaki 0.17 does)."""
        token = self._resolve_token(token)
        access = self._cache[self._validate_token(token)]['access']
        user = access['user']
        tenant = access.get('token', {}).get('tenant') or {}
        if 'id' in tenant:
            user['default_project'] = tenant['id']
        return user

    def term(self, key, token=None):
        """``user_term(key, token)``."""
        return self.user_term(key, token)

    def user_term(self, key, token=None):
        """``user_info(token)[key]``, None if missing."""
        return self.user_info(token).get(key, None)

    def user_set_default_project(self, project_id, token=None):
        """POST ``<account>/myaccount/default_project`` with ``{"project_id":
        project_id}``; returns None. The cached authentication keeps the
        old tenant until the token is authenticated again."""
        return self.get_client(token).set_default_project(project_id)

    def post_user_catalogs(self, uuids=None, displaynames=None, token=None):
        """``uuids2usernames(uuids)`` if ``uuids`` else
        ``usernames2uuids(displaynames)``."""
        if uuids:
            return self.uuids2usernames(uuids, token)
        return self.usernames2uuids(displaynames, token)

    def uuids2usernames(self, uuids, token=None):
        """``{uuid: username}`` of every uuid resolved so far for this
        user; POSTs ``<account>/user_catalogs`` only if some of ``uuids``
        are not cached."""
        token = self._resolve_token(token)
        uuid = self._validate_token(token)
        cache = self._uuids2usernames[uuid]
        if set(uuids or []).difference(cache):
            names = self._astakos[uuid].get_usernames(uuids)
            with self._cache_lock:
                cache.update(names)
        return cache

    def usernames2uuids(self, usernames, token=None):
        """``{username: uuid}`` of every name resolved so far for this
        user; POSTs ``<account>/user_catalogs`` only if some of
        ``usernames`` are not cached."""
        token = self._resolve_token(token)
        uuid = self._validate_token(token)
        cache = self._usernames2uuids[uuid]
        if set(usernames or []).difference(cache):
            uuids = self._astakos[uuid].get_uuids(usernames)
            with self._cache_lock:
                cache.update(uuids)
        return cache


# ---- helpers

def _dumps(obj):
    return json.dumps(obj)


def _reply_json(reply):
    """The reply's JSON, None for an empty body."""
    if not reply.content:
        return None
    try:
        return reply.json
    except ClientError as e:
        raise AstakosClientError(
            'Cannot parse response with json: %s' % e.message, _NO_STATUS)


def _join_if_list(value):
    return ','.join('%s' % v for v in value) if isinstance(
        value, (list, tuple)) else value


def _commission(provisions, name, force, auto_accept):
    return {'force': force, 'auto_accept': auto_accept, 'name': name,
            'provisions': provisions}


_RESOURCE_NAMES = {
    'cyclades.disk': 'Disk',
    'cyclades.vm': 'Virtual Machine',
    'cyclades.cpu': 'CPU',
    'cyclades.ram': 'RAM',
    'cyclades.floating_ip': 'Floating IP address',
    'cyclades.network.private': 'Private Network',
    'pithos.diskspace': 'Storage space',
    'astakos.pending_app': 'Pending Applications',
}


def _quota_limit(reply):
    """astakosclient's QuotaLimit for a 413 reply to a commission."""
    try:
        data = reply.json['overLimit']['data']
        provision = data['provision']
        resource = _RESOURCE_NAMES.get(
            provision['resource'], provision['resource'])
        details = (
            "Limit for resource '%s' exceeded for your account. "
            "Available: %s, Requested: %s" % (
                resource, data['limit'] - data['usage'],
                provision['quantity']))
        return AstakosClientError(
            'Resource Limit Exceeded for your account.', 413, [details])
    except (ClientError, KeyError, TypeError, ValueError):
        return AstakosClientError(
            '%s %s' % (reply.status, reply.text), 413)
