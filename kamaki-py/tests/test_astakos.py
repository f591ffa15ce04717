"""Astakos: AstakosClient, LoggedAstakosClient, CachedAstakosClient."""

import logging
import urllib.parse
import urllib.request

import pytest

from kamaki.clients import ClientError
from kamaki.clients.astakos import (
    AstakosClient, AstakosClientError, CachedAstakosClient,
    LoggedAstakosClient, parse_endpoints)

from conftest import in_threads

PY2_CLIENT = (
    'from kamaki.clients.astakos import AstakosClient, CachedAstakosClient\n'
    'from kamaki.clients import ClientError\n'
    'client = AstakosClient(url, token)\n')

PROJECT = {
    'name': 'myproject.example.org',
    'description': 'a test project',
    'end_date': '2030-01-01T00:00:00Z',
    'join_policy': 'auto',
    'leave_policy': 'auto',
    'max_members': 5,
    'resources': {'cyclades.vm': {
        'member_capacity': 2, 'project_capacity': 4}},
}


def _py2(py2, emu, code, token=None):
    return py2(PY2_CLIENT + code, url=emu.url, token=token or emu.token)


@pytest.fixture
def admin_emu(start_emulator):
    """An emulator where the test user is a project admin."""
    return start_emulator('--project-admin', 'user@example.com')


# ---- identity

def test_authenticate_returns_the_access_dict(emu, py2):
    client = AstakosClient(emu.url, emu.token)
    access = client.authenticate()['access']
    assert access['token']['id'] == emu.token
    assert access['token']['tenant']['id'] == emu.uuid
    assert access['user']['id'] == emu.uuid
    types = set(s['type'] for s in access['serviceCatalog'])
    assert {'identity', 'account', 'compute', 'network', 'volume', 'image',
            'object-store'} <= types
    for service in access['serviceCatalog']:
        assert service['name'] and service['endpoints']
        assert all('publicURL' in e for e in service['endpoints'])
    assert client.authenticate(tenant_name=emu.uuid)['access'] == access
    assert client.authenticate() == _py2(
        py2, emu, 'result = client.authenticate()')


def test_an_unversioned_url_gets_v2_0(emu):
    client = AstakosClient(emu.url.rsplit('/v2.0', 1)[0], emu.token)
    assert client.endpoint_url == emu.url
    assert client.authenticate()['access']['user']['id'] == emu.uuid


def test_get_endpoints_needs_no_valid_token(emu):
    catalog = AstakosClient(emu.url, 'no-such-token').get_endpoints()
    types = [s['type'] for s in catalog['access']['serviceCatalog']]
    assert 'account' in types and 'compute' in types


def test_user_info_is_a_property_as_in_kamaki(emu, py2):
    client = AstakosClient(emu.url, emu.token)
    info = client.user_info
    assert info['id'] == emu.uuid and info['name']
    assert client.user_term('id') == emu.uuid
    assert info == _py2(py2, emu, 'result = client.user_info')


def test_get_endpoint_url_of_every_service_type(emu, py2):
    client = AstakosClient(emu.url, emu.token)
    catalog = client.authenticate()['access']['serviceCatalog']
    types = [s['type'] for s in catalog]
    ours = dict((t, client.get_endpoint_url(t)) for t in types)
    for service in catalog:
        assert ours[service['type']] == service['endpoints'][0]['publicURL']
    for t in ('compute', 'network', 'volume', 'image', 'object-store'):
        assert ours[t] == emu.endpoint(t)
    assert ours['identity'] == emu.url
    assert client.get_endpoint_url('compute', 'v2.0') == ours['compute']
    assert client.get_service_endpoints('account')['versionId'] == 'v1.0'
    theirs = py2(PY2_CLIENT + (
        'result = dict((t, client.get_endpoint_url(t)) for t in types)'),
        url=emu.url, token=emu.token, types=types)
    assert ours == theirs


def test_an_unknown_service_type_raises_as_kamaki_does(emu, py2):
    client = AstakosClient(emu.url, emu.token)
    with pytest.raises(AstakosClientError) as e:
        client.get_endpoint_url('no-such-type')
    assert 'no-such-type' in e.value.message
    with pytest.raises(AstakosClientError):
        client.get_service_endpoints('compute', version='v9')
    theirs = _py2(py2, emu, (
        'try:\n'
        '    client.get_endpoint_url("no-such-type")\n'
        '    result = None\n'
        'except ClientError as e:\n'
        '    result = [type(e).__name__, e.status]\n'))
    assert theirs == ['AstakosClientError', e.value.status]


def test_parse_endpoints_filters_without_changing_the_catalog(emu):
    catalog = AstakosClient(emu.url, emu.token).get_endpoints()
    before = repr(catalog)
    found = parse_endpoints(catalog, ep_name='astakos_account',
                            ep_version_id='v1.0')
    assert [s['type'] for s in found] == ['account']
    assert parse_endpoints(catalog, ep_type='compute', ep_region='default')
    with pytest.raises(AstakosClientError):
        parse_endpoints(catalog, ep_type='compute', ep_version_id='v1.0')
    assert repr(catalog) == before


def test_validate_token_of_an_oauth2_access_token(start_emulator):
    emu = start_emulator()
    client_id, secret = emu.values['OAUTH2_CLIENT'].split(':', 1)
    client = AstakosClient(emu.url, emu.token)
    assert client.oauth2_prefix == '/astakos/oauth2'
    redirect = 'https://app.example.org/callback'
    query = urllib.parse.urlencode({
        'response_type': 'code', 'client_id': client_id,
        'redirect_uri': redirect})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(
        '%s/auth?%s' % (client.oauth2_url, query),
        headers={'X-Auth-Token': emu.token})
    with pytest.raises(urllib.error.HTTPError) as redirect_reply:
        opener.open(request)
    location = redirect_reply.value.headers['Location']
    code = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)[
        'code'][0]
    grant = client.get_token('authorization_code', client_id, secret,
                             code=code, redirect_uri=redirect)
    assert grant['token_type'] == 'Bearer' and grant['access_token']
    info = client.validate_token(grant['access_token'])
    assert info['access']['user']['id'] == emu.uuid
    with pytest.raises(AstakosClientError) as e:
        client.get_token('client_credentials', client_id, secret)
    assert e.value.status == 400
    with pytest.raises(AstakosClientError) as e:
        client.validate_token('no-such-token')
    assert e.value.status == 404


# ---- users

def test_uuids_and_usernames_round_trip(emu, py2):
    client = AstakosClient(emu.url, emu.token)
    names = client.get_usernames([emu.uuid, emu.other_uuid, 'nobody'])
    assert names == {emu.uuid: 'user@example.com',
                     emu.other_uuid: 'other@example.com'}
    uuids = client.get_uuids(list(names.values()) + ['nobody@example.com'])
    assert uuids == dict((v, k) for k, v in names.items())
    assert client.get_username(emu.other_uuid) == 'other@example.com'
    assert client.get_uuid('other@example.com') == emu.other_uuid
    with pytest.raises(AstakosClientError) as e:
        client.get_username('nobody')
    assert 'nobody' in e.value.message
    with pytest.raises(AstakosClientError):
        client.get_uuid('nobody@example.com')
    theirs = py2(PY2_CLIENT + (
        'result = [client.get_usernames(uuids), client.get_uuids(names), '
        'client.get_username(uuids[1]), client.get_uuid(names[1])]'),
        url=emu.url, token=emu.token,
        uuids=[emu.uuid, emu.other_uuid, 'nobody'],
        names=['user@example.com', 'other@example.com', 'nobody@x.org'])
    assert theirs == [names, uuids, 'other@example.com', emu.other_uuid]


def test_service_user_catalogs_need_a_service_token(emu):
    service = AstakosClient(emu.url, emu.service_token)
    assert service.service_get_usernames([emu.uuid]) == {
        emu.uuid: 'user@example.com'}
    assert service.service_get_username(emu.uuid) == 'user@example.com'
    assert service.service_get_uuids(['other@example.com']) == {
        'other@example.com': emu.other_uuid}
    assert service.service_get_uuid('other@example.com') == emu.other_uuid
    with pytest.raises(AstakosClientError) as e:
        AstakosClient(emu.url, emu.token).service_get_usernames([emu.uuid])
    assert e.value.status == 401


def test_a_wrong_token_raises_client_error_401(emu, py2):
    client = AstakosClient(emu.url, 'wrong-token')
    for call in (client.authenticate, client.get_quotas,
                 lambda: client.get_usernames([emu.uuid])):
        with pytest.raises(ClientError) as e:
            call()
        assert isinstance(e.value, AstakosClientError)
        assert e.value.status == 401
        assert 'wrong-token' not in str(e.value)
    theirs = _py2(py2, emu, (
        'try:\n'
        '    client.authenticate()\n'
        '    result = None\n'
        'except ClientError as e:\n'
        '    result = [type(e).__name__, e.status]\n'), token='wrong-token')
    assert theirs == ['AstakosClientError', 401]


def test_a_missing_token_or_url_is_refused():
    with pytest.raises(AstakosClientError):
        AstakosClient('http://127.0.0.1:9/identity/v2.0', None)
    with pytest.raises(AstakosClientError):
        AstakosClient('ftp://127.0.0.1/identity/v2.0', 'token')


def test_keyword_construction_and_extra_headers(emu):
    client = AstakosClient(auth_url=emu.url, token=emu.token, retry=2,
                           headers={'X-Test': 'yes'})
    assert client.retry == 2 and client.extra_headers == {'X-Test': 'yes'}
    assert client.user_info['id'] == emu.uuid


# ---- account

def test_get_quotas_shape(emu, py2):
    client = AstakosClient(emu.url, emu.token)
    quotas = client.get_quotas()
    assert emu.uuid in quotas
    for resource, q in quotas[emu.uuid].items():
        assert '.' in resource
        for key in ('limit', 'usage', 'pending', 'project_limit',
                    'project_usage', 'project_pending'):
            assert isinstance(q[key], int)
    assert quotas == _py2(py2, emu, 'result = client.get_quotas()')


def test_resources_and_services(emu):
    client = AstakosClient(emu.url, emu.token)
    resources = client.get_resources()
    assert 'cyclades.vm' in resources and 'pithos.diskspace' in resources
    assert 'description' in resources['cyclades.vm']
    services = client.get_services()
    assert isinstance(services, list) and services
    assert all('name' in s for s in services)


def test_send_feedback(emu):
    client = AstakosClient(emu.url, emu.token)
    assert client.send_feedback('hello & bye', 'some=data') is None
    with pytest.raises(AstakosClientError) as e:
        client.send_feedback('', 'no message')
    assert e.value.status == 400


def test_service_quotas(emu):
    service = AstakosClient(emu.url, emu.service_token)
    quotas = service.service_get_quotas(user=emu.uuid)
    assert list(quotas) == [emu.uuid]
    assert 'cyclades.vm' in quotas[emu.uuid][emu.uuid]
    both = service.service_get_quotas(user=[emu.uuid, emu.other_uuid],
                                      project_id=[emu.uuid])
    assert set(both) <= {emu.uuid, emu.other_uuid}
    projects = service.service_get_project_quotas(project_id=emu.uuid)
    assert list(projects) == [emu.uuid]
    assert 'project_limit' in projects[emu.uuid]['cyclades.vm']
    with pytest.raises(AstakosClientError) as e:
        AstakosClient(emu.url, emu.token).service_get_quotas()
    assert e.value.status == 401


def test_a_commission_issue_accept_reject_and_resolve(start_emulator):
    emu = start_emulator()
    service = AstakosClient(emu.url, emu.service_token)
    user = AstakosClient(emu.url, emu.token)

    def vm_usage():
        return user.get_quotas()[emu.uuid]['cyclades.vm']

    assert service.get_pending_commissions() == []
    serial = service.issue_one_commission(
        emu.uuid, {(emu.uuid, 'cyclades.vm'): 1}, name='one vm')
    assert isinstance(serial, int)
    assert service.get_pending_commissions() == [serial]
    assert vm_usage()['pending'] == 1
    info = service.get_commission_info(serial)
    assert info['serial'] == serial and info['name'] == 'one vm'
    assert sorted(p['holder'] for p in info['provisions']) == [
        'project:%s' % emu.uuid, 'user:%s' % emu.uuid]
    assert service.accept_commission(serial) is None
    assert service.get_pending_commissions() == []
    assert vm_usage()['usage'] == 1 and vm_usage()['pending'] == 0

    second = service.issue_one_commission(
        emu.uuid, {(emu.uuid, 'cyclades.vm'): 1})
    assert service.reject_commission(second) is None
    assert vm_usage()['usage'] == 1

    third = service.issue_commission_generic(
        {(emu.uuid, emu.uuid, 'cyclades.vm'): -1},
        {(emu.uuid, 'cyclades.vm'): -1})
    fourth = service.issue_one_commission(
        emu.uuid, {(emu.uuid, 'cyclades.cpu'): 2})
    resolved = service.resolve_commissions([third], [fourth, 999999])
    assert resolved['accepted'] == [third]
    assert resolved['rejected'] == [fourth]
    assert [f[0] for f in resolved['failed']] == [999999]
    assert vm_usage()['usage'] == 0

    auto = service.issue_one_commission(
        emu.uuid, {(emu.uuid, 'cyclades.vm'): 1}, auto_accept=True)
    assert auto not in service.get_pending_commissions()
    assert vm_usage()['usage'] == 1

    with pytest.raises(AstakosClientError) as e:
        service.get_commission_info(999999)
    assert e.value.status == 404
    with pytest.raises(AstakosClientError) as e:
        user.issue_one_commission(emu.uuid, {(emu.uuid, 'cyclades.vm'): 1})
    assert e.value.status == 401


def test_an_over_limit_commission_raises_413_with_kamakis_message(emu):
    service = AstakosClient(emu.url, emu.service_token)
    with pytest.raises(AstakosClientError) as e:
        service.issue_one_commission(
            emu.uuid, {(emu.uuid, 'cyclades.vm'): 100000})
    assert e.value.status == 413
    assert e.value.message == 'Resource Limit Exceeded for your account.'
    assert "'Virtual Machine'" in e.value.details[0]
    assert 'Requested: 100000' in e.value.details[0]


def test_mk_provisions_as_astakosclient_builds_them(emu):
    client = AstakosClient(emu.url, emu.token)
    assert client.mk_provisions('u', 'p', 'cyclades.vm', 2) == [
        {'holder': 'user:u', 'source': 'project:p',
         'resource': 'cyclades.vm', 'quantity': 2},
        {'holder': 'project:p', 'source': None,
         'resource': 'cyclades.vm', 'quantity': 2}]


# ---- projects

def test_a_project_create_list_get(admin_emu, py2):
    emu = admin_emu
    owner = AstakosClient(emu.url, emu.token)
    other = AstakosClient(emu.url, emu.other_token)
    ids = owner.create_project(PROJECT)
    pid, app_id = ids['id'], ids['application']
    project = owner.get_project(pid)
    assert project['id'] == pid and project['name'] == PROJECT['name']
    assert project['state'] == 'uninitialized'
    assert project['last_application']['state'] == 'pending'
    assert owner.application_action(pid, app_id, 'approve', 'fine') is None
    project = owner.get_project(pid)
    assert project['state'] == 'active'
    assert project['resources']['cyclades.vm'] == {
        'member_capacity': 2, 'project_capacity': 4}

    listed = owner.get_projects()
    assert pid in [p['id'] for p in listed] and emu.uuid in [
        p['id'] for p in listed]
    assert [p['id'] for p in owner.get_projects(name=PROJECT['name'])] == [
        pid]
    assert [p['id'] for p in owner.get_projects(
        state='active', owner=emu.uuid)] == [pid]
    assert listed == _py2(py2, emu, 'result = client.get_projects()')
    assert owner.get_projects(name=PROJECT['name']) == _py2(
        py2, emu, 'result = client.get_projects(name=%r)' % PROJECT['name'])
    assert project == _py2(py2, emu, 'result = client.get_project(%r)' % pid)

    with pytest.raises(AstakosClientError) as e:
        owner.get_project('no-such-project')
    assert e.value.status == 404
    with pytest.raises(AstakosClientError) as e:
        owner.create_project(dict(PROJECT, name='not a domain'))
    assert e.value.status == 400

    changed = owner.modify_project(pid, dict(PROJECT, max_members=9))
    assert changed['id'] == pid and changed['application'] != app_id
    last = owner.get_project(pid)['last_application']
    assert last['state'] == 'pending'
    assert owner.application_action(
        pid, changed['application'], 'approve') is None
    assert owner.get_project(pid)['max_members'] == 9

    assert owner.project_action(pid, 'suspend', 'a pause') is None
    assert owner.get_project(pid)['state'] == 'suspended'
    assert owner.project_action(pid, 'unsuspend') is None
    assert owner.get_project(pid)['state'] == 'active'

    # memberships: join, enroll, leave
    joined = other.join_project(pid)
    membership = other.get_membership(joined['id'])
    assert membership['project'] == pid
    assert membership['user'] == emu.other_uuid
    assert membership['state'] == 'accepted'
    assert joined['id'] in [m['id'] for m in owner.get_memberships(pid)]
    assert other.set_default_project(pid) is None
    assert other.authenticate()['access']['token']['tenant']['id'] == pid
    assert other.set_default_project(emu.other_uuid) is None
    assert other.membership_action(joined['id'], 'leave', 'bye') is None
    assert other.get_membership(joined['id'])['state'] != 'accepted'
    enrolled = owner.enroll_member(pid, 'other@example.com')
    assert owner.get_membership(enrolled['id'])['user'] == emu.other_uuid
    assert enrolled['id'] in [
        m['id'] for m in owner.get_memberships(project=pid)]
    with pytest.raises(AstakosClientError) as e:
        owner.get_membership(999999)
    assert e.value.status == 404


def test_an_application_can_be_dismissed_or_cancelled(admin_emu):
    owner = AstakosClient(admin_emu.url, admin_emu.token)
    ids = owner.create_project(dict(PROJECT, name='other.example.org'))
    assert owner.application_action(
        ids['id'], ids['application'], 'cancel') is None
    assert owner.get_project(ids['id'])['last_application']['state'] == (
        'cancelled')


# ---- LoggedAstakosClient

def test_logged_client_logs_without_the_token(emu, caplog):
    client = LoggedAstakosClient(emu.url, emu.token)
    client.LOG_DATA = True
    with caplog.at_level(1, logger='kamaki.clients'):
        client.authenticate()
        with pytest.raises(AstakosClientError):
            client.get_project('no-such-project')
    sent = [r.getMessage() for r in caplog.records
            if r.name == 'kamaki.clients.send']
    received = [r.getMessage() for r in caplog.records
                if r.name == 'kamaki.clients.recv']
    assert sent[0] == 'POST %s/tokens' % emu.url
    assert '  X-Auth-Token: ...' in sent
    assert received[0] == '200 OK'
    assert any(m.startswith('GET ') and m.endswith(
        '/projects/no-such-project') for m in sent)
    assert any(m.startswith('404 ') for m in received)
    assert all(emu.token not in m for m in sent + received)
    assert all(r.levelno == logging.DEBUG + 1 for r in caplog.records
               if r.name in ('kamaki.clients.send', 'kamaki.clients.recv'))


# ---- CachedAstakosClient

def test_cached_client_authenticates_once_per_token(emu):
    client = CachedAstakosClient(emu.url.rsplit('/v2.0', 1)[0], [emu.token])
    assert client.endpoint_url == emu.url
    assert client.service_type == 'identity'
    access = client.authenticate()
    assert access['access']['user']['id'] == emu.uuid
    assert client.get_token(emu.uuid) == emu.token
    assert client.get_client().token == emu.token
    assert isinstance(client.get_client(), LoggedAstakosClient)
    info = client.user_info()
    assert info['id'] == emu.uuid and info['default_project'] == emu.uuid
    assert client.user_term('id') == emu.uuid
    assert client.term('no-such-key') is None
    catalog = client.get_services()
    assert catalog == access['access']['serviceCatalog']

    other = client.user_info(emu.other_token)
    assert other['id'] == emu.other_uuid
    users = client.list_users()
    assert sorted(u['id'] for u in users) == sorted([emu.uuid,
                                                     emu.other_uuid])
    assert dict((u['id'], u['auth_token']) for u in users)[
        emu.other_uuid] == emu.other_token
    client.remove_user(emu.other_uuid)
    assert [u['id'] for u in client.list_users()] == [emu.uuid]
    with pytest.raises(AstakosClientError) as e:
        client.authenticate('wrong-token')
    assert e.value.status == 401


def test_cached_client_endpoints(emu, py2):
    client = CachedAstakosClient(emu.url, emu.token)
    for service in client.get_services():
        t = service['type']
        assert client.get_service_details(t.upper()) == service
        if len(service['endpoints']) == 1:
            assert client.get_endpoint_url(t) == (
                service['endpoints'][0]['publicURL'])
    for t in ('compute', 'network', 'volume', 'image', 'object-store'):
        assert client.get_endpoint_url(t) == emu.endpoint(t)
    assert client.get_endpoint_url('COMPUTE', 'V2.0') == emu.endpoint(
        'compute')
    assert client.get_service_endpoints('account')['versionId'] == 'v1.0'
    with pytest.raises(AstakosClientError) as e:
        client.get_service_details('no-such-type')
    assert 'no-such-type' in e.value.message
    with pytest.raises(AstakosClientError) as e:
        client.get_service_endpoints('compute', 'v9')
    assert e.value.message.startswith('0 endpoints match type compute')
    theirs = py2(
        'from kamaki.clients.astakos import CachedAstakosClient\n'
        'client = CachedAstakosClient(url, token)\n'
        'result = [client.get_endpoint_url(t) for t in types]',
        url=emu.url, token=emu.token,
        types=['compute', 'network', 'volume', 'image', 'object-store'])
    assert theirs == [emu.endpoint(t) for t in (
        'compute', 'network', 'volume', 'image', 'object-store')]


def test_cached_client_name_caches(emu, py2, caplog):
    client = CachedAstakosClient(emu.url, emu.token)
    names = client.uuids2usernames([emu.uuid, emu.other_uuid])
    assert names == {emu.uuid: 'user@example.com',
                     emu.other_uuid: 'other@example.com'}
    with caplog.at_level(1, logger='kamaki.clients.send'):
        assert client.uuids2usernames([emu.uuid]) is names
    assert not [r for r in caplog.records
                if r.name == 'kamaki.clients.send']  # from the cache
    names = dict(names)
    uuids = dict(client.usernames2uuids(['other@example.com']))
    assert uuids == {'other@example.com': emu.other_uuid}
    assert client.post_user_catalogs(uuids=[emu.uuid]) == names
    assert client.post_user_catalogs(displaynames=['user@example.com']) == {
        'other@example.com': emu.other_uuid, 'user@example.com': emu.uuid}
    theirs = py2(
        'from kamaki.clients.astakos import CachedAstakosClient\n'
        'client = CachedAstakosClient(url, token)\n'
        'result = [client.uuids2usernames(uuids), '
        'client.usernames2uuids(["other@example.com"])]',
        url=emu.url, token=emu.token, uuids=[emu.uuid, emu.other_uuid])
    assert theirs == [names, uuids]


def test_cached_client_sets_the_default_project(admin_emu):
    emu = admin_emu
    owner = AstakosClient(emu.url, emu.token)
    ids = owner.create_project(dict(PROJECT, name='default.example.org'))
    owner.application_action(ids['id'], ids['application'], 'approve')
    client = CachedAstakosClient(emu.url, emu.other_token)
    client.get_client().join_project(ids['id'])
    assert client.user_set_default_project(ids['id']) is None
    assert client.user_info()['default_project'] == emu.other_uuid
    client.authenticate()
    assert client.user_info()['default_project'] == ids['id']


def test_threads_share_a_client(emu):
    client = AstakosClient(emu.url, emu.token)
    results = in_threads(
        lambda: client.get_usernames([emu.uuid]), [()] * 8)
    assert results == [{emu.uuid: 'user@example.com'}] * 8
