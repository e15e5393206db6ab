"""The environment of the test run, set before pytest-django imports the settings.

Loaded as a plugin (`-p tests.environment` in pyproject.toml's addopts), that is before any
conftest.py: pytest-django imports the settings before it reads conftest files, and
django-simple-captcha copies its settings when Django starts, so a switch set later would have
no effect.
"""

from __future__ import annotations

import os

# simple-captcha accepts the answer "PASSED" (and still refuses any other wrong answer).
# Production refuses this switch (settings.py).
os.environ.setdefault("URNE_CAPTCHA_TEST_MODE", "1")
