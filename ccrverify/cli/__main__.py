"""``python -m ccrverify.cli``."""

import sys

from ccrverify.cli import main

sys.exit(main())
