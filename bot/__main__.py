"""`python -m bot`: the command line."""

from bot.app.cli import main

raise SystemExit(main())
