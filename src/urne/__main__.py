from __future__ import annotations

import sys

from urne.cli import main

sys.exit(main())
