"""`python -m server`: the command line of the assembled app.

The shell never imports a room; it finds the composition root (the `afterglow` package, which sets up the shell and
every room in order) by name, exactly as uvicorn finds the app factory.
"""

import importlib

raise SystemExit(importlib.import_module("afterglow").main())
