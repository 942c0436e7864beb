"""``python -m nprl`` runs the ``nprl`` command."""

import sys

from nprl.cli import main

sys.exit(main())
