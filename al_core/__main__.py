"""`python -m al_core`: the command line (see al_core/cli.py)."""

from al_core.cli import main

raise SystemExit(main())
