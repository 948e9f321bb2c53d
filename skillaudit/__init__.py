"""skillaudit's composition root: the CLI and the wiring that builds the pieces from arguments."""
