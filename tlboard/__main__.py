"""`python -m tlboard --logdir DIR`: the dashboard command line."""

import sys

from tlboard.dashboard.cli import main

sys.exit(main())
