"""The protocol core loads alone: no Django, no Celery, no kombu.

Checked in a fresh interpreter (`loaded_frameworks`).
"""

from __future__ import annotations

import pkgutil

import urne.crypto

from .fresh import loaded_frameworks


def test_importing_every_crypto_module_loads_no_framework():
    modules = [info.name for info in pkgutil.iter_modules(urne.crypto.__path__, "urne.crypto.")]
    assert "urne.crypto.verifier" in modules
    imports = "\n".join(f"import {name}" for name in modules)
    assert loaded_frameworks(imports) == []


def test_the_protocol_commands_load_no_framework():
    assert loaded_frameworks("import urne.cli, urne.cli.protocol") == []
