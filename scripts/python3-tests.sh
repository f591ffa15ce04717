#!/usr/bin/env bash
# kamaki for Python 3 (kamaki-py/, the kamaki-rs package): builds and
# installs it the way the README says (pip install ./kamaki-py, a release
# build through maturin) into a virtual environment kept in target/, then
# runs its pytest suite against synnefo-emu. The suite compares answers with
# the Python 2 kamaki 0.16 in target/pykamaki (scripts/pykamaki-compat.sh
# installs it; this script does too when it can).
#
#   scripts/python3-tests.sh [pytest args...]
#
# Exit 2 (skipped) only when PyPI cannot be reached for maturin and pytest.
set -uo pipefail
cd "$(dirname "$0")/.."

VENV="$PWD/target/py3-venv"
if ! "$VENV/bin/python" -c 'import pytest, flake8' 2>/dev/null || [ ! -x "$VENV/bin/maturin" ]; then
  python3 -m venv "$VENV" >/dev/null 2>&1 || { echo "python3-tests: python3 -m venv failed" >&2; exit 2; }
  "$VENV/bin/pip" install -q --disable-pip-version-check 'maturin>=1.5,<2' pytest flake8 >/dev/null 2>&1 || {
    echo "python3-tests: cannot install maturin, pytest and flake8 from PyPI" >&2
    exit 2
  }
fi

PY2="env PYENV_VERSION=2.7.18 python2.7"
if [ ! -d target/pykamaki/kamaki ] && $PY2 -c 'import sys' 2>/dev/null; then
  $PY2 -m pip install -q --disable-pip-version-check --target target/pykamaki kamaki==0.16 >/dev/null 2>&1 ||
    echo "python3-tests: kamaki 0.16 could not be installed: the comparisons with it are skipped" >&2
fi

# The Python half's style (PEP 8, no unused names), as cargo fmt and clippy
# check the Rust half.
"$VENV/bin/python" -m flake8 kamaki-py || exit 1

cargo build -q -p synnefo-emu || exit 1
# maturin is in the venv already (and pip's build hook looks for it on
# PATH): no isolated build environment to fetch.
export PATH="$VENV/bin:$PATH"
"$VENV/bin/pip" install -q --disable-pip-version-check --no-build-isolation --force-reinstall --no-deps ./kamaki-py || exit 1

# From outside the source tree, so that the installed package is tested.
cd kamaki-py/tests && exec "$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@" .
