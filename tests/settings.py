"""The test run's settings: urne's own, plus the captcha test switch.

simple-captcha accepts the answer "PASSED" in test mode (and still refuses any other wrong
answer), so that tests can sign up without reading an image. urne.settings allows the switch
only with debug on (a development convenience), and tests run with debug off like production:
the switch is set here, in a module that exists only in the source tree and that pytest alone
names (pyproject.toml), never in an environment variable a server could inherit.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from urne.settings import *  # noqa: F403 - the test run's settings are urne's, plus one switch
from urne.settings import PRODUCTION

if PRODUCTION:
    raise ImproperlyConfigured("tests/settings.py is the test run's: never in production")

CAPTCHA_TEST_MODE = True

# Tests make hundreds of elections, each cast into once or twice: preparing each (a few tenths of
# a second of tables) would cost more than it saves. The prepared path has its own tests
# (tests/voting/test_ballot_box.py, tests/crypto), which turn it on.
URNE_PREPARED_ELECTIONS = 0

# The ballot box refuses ballots of a campaign without a seal (urne.sealing.gate): the vote's
# tests make elections and cast into them without sealing the campaign each time. The gate has
# its own tests (tests/sealing), which turn it on; the demo's test runs with urne's own settings.
URNE_SEAL_REQUIRED = False
