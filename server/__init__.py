"""The Afterglow shell: app factory, settings, accounts, sessions, security and audit. No clinical nouns."""
