"""User interfaces: the CLI (and later the web app). Nothing imports these."""
