"""Authentication: passwords, sessions, API tokens, login throttling, the viewer's grants."""
