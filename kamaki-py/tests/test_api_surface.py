"""Every public method of every client class of kamaki 0.16 exists here,
takes every argument kamaki's takes, with the same defaults: a kamaki
script's calls bind the same way. kamaki 0.16 is introspected under
Python 2.7 (the ``py2`` fixture), our classes here."""

import importlib
import inspect

import pytest

CLASSES = [
    ('kamaki.clients', 'Client'),
    ('kamaki.clients.astakos', 'AstakosClient'),
    ('kamaki.clients.astakos', 'LoggedAstakosClient'),
    ('kamaki.clients.astakos', 'CachedAstakosClient'),
    ('kamaki.clients.compute', 'ComputeClient'),
    ('kamaki.clients.compute.rest_api', 'ComputeRestClient'),
    ('kamaki.clients.cyclades', 'CycladesComputeClient'),
    ('kamaki.clients.cyclades', 'CycladesNetworkClient'),
    ('kamaki.clients.cyclades', 'CycladesBlockStorageClient'),
    ('kamaki.clients.cyclades.rest_api', 'CycladesComputeRestClient'),
    ('kamaki.clients.cyclades.rest_api', 'CycladesBlockStorageRestClient'),
    ('kamaki.clients.network', 'NetworkClient'),
    ('kamaki.clients.network.rest_api', 'NetworkRestClient'),
    ('kamaki.clients.blockstorage', 'BlockStorageClient'),
    ('kamaki.clients.blockstorage.rest_api', 'BlockStorageRestClient'),
    ('kamaki.clients.image', 'ImageClient'),
    ('kamaki.clients.storage', 'StorageClient'),
    ('kamaki.clients.pithos', 'PithosClient'),
    ('kamaki.clients.pithos.rest_api', 'PithosRestClient'),
]

# Python 2.7: each public method's (args, varargs, keywords, defaults), with
# defaults as their repr. Attributes that are not functions are left out.
INTROSPECT = '''
import importlib, inspect

def unwrapped(function):
    # A decorator's wrapper takes (*args, **kwargs): the function it wraps
    # is in its closure.
    function = getattr(function, '__func__', function)
    while True:
        spec = inspect.getargspec(function)
        inner = [getattr(c.cell_contents, '__func__', c.cell_contents)
                 for c in (function.func_closure or ())
                 if inspect.isfunction(c.cell_contents) or
                 inspect.ismethod(c.cell_contents)]
        wrapper = spec.args in ([], ['self']) and spec.varargs and \
            spec.keywords
        if not wrapper or not inner:
            return function
        function = inner[0]

result = {}
for module, name in classes:
    cls = getattr(importlib.import_module(module), name)
    methods = {}
    for attr in dir(cls):
        if attr.startswith('_'):
            continue
        value = getattr(cls, attr)
        if isinstance(value, property):
            methods[attr] = 'property'
            continue
        if not inspect.ismethod(value) and not inspect.isfunction(value):
            continue
        spec = inspect.getargspec(unwrapped(value))
        defaults = [repr(d) for d in (spec.defaults or ())]
        methods[attr] = [spec.args[1:] if spec.args and spec.args[0] in (
            'self', 'cls') else spec.args, spec.varargs, spec.keywords,
            defaults]
    result['%s.%s' % (module, name)] = methods
'''


def _equivalent(theirs, ours):
    """A default of kamaki's that was a shared mutable placeholder (``{}``,
    ``dict(location=None)``, ``[]``) is None here: nothing is shared
    between calls."""
    return theirs == repr(ours) or (
        theirs[:1] in ('{', '[') and ours is None)


@pytest.fixture(scope='module')
def kamaki016(request):
    from conftest import run_py2
    return run_py2(INTROSPECT, classes=CLASSES)


def _ours(module, name):
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize('module,name', CLASSES)
def test_the_class_has_every_method_of_kamaki_016(kamaki016, module, name):
    theirs = kamaki016['%s.%s' % (module, name)]
    cls = _ours(module, name)
    problems = []
    for attr, spec in sorted(theirs.items()):
        ours = inspect.getattr_static(cls, attr, None)
        if ours is None:
            problems.append('%s: missing' % attr)
            continue
        if spec == 'property':
            if not isinstance(ours, property) and not callable(
                    getattr(cls, attr)):
                problems.append('%s: not a property' % attr)
            continue
        method = getattr(cls, attr)
        if isinstance(ours, property) or not callable(method):
            problems.append('%s: a method in kamaki, not here' % attr)
            continue
        args, varargs, keywords, defaults = spec
        params = inspect.signature(method).parameters
        names = [p for p in params if p not in ('self', 'cls')]
        takes_kwargs = any(p.kind == p.VAR_KEYWORD for p in params.values())
        takes_args = any(p.kind == p.VAR_POSITIONAL for p in params.values())
        positional = [n for n in names if params[n].kind in (
            params[n].POSITIONAL_ONLY, params[n].POSITIONAL_OR_KEYWORD)]
        for i, arg in enumerate(args):
            if arg not in params and not takes_kwargs:
                problems.append('%s: no argument %s' % (attr, arg))
            elif arg in params and i < len(positional) and \
                    positional[i] != arg:
                problems.append('%s: argument %d is %s, kamaki has %s' % (
                    attr, i, positional[i], arg))
        if varargs and not takes_args:
            problems.append('%s: takes no *%s' % (attr, varargs))
        if keywords and not takes_kwargs:
            problems.append('%s: takes no **%s' % (attr, keywords))
        for arg, default in zip(args[len(args) - len(defaults):], defaults):
            if arg not in params:
                continue
            ours_default = params[arg].default
            if ours_default is inspect.Parameter.empty:
                problems.append('%s: %s has no default (kamaki: %s)' % (
                    attr, arg, default))
            elif not _equivalent(default, ours_default):
                problems.append('%s: %s defaults to %r (kamaki: %s)' % (
                    attr, arg, ours_default, default))
    assert not problems, '\n'.join(problems)
