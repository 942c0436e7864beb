"""Sub-commands of the ``nprl`` command, one module each (see ``nprl/cli.py``)."""
