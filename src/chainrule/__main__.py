"""Run the command line: ``python -m chainrule``."""

from chainrule.cli import main

raise SystemExit(main())
