"""The Plan registers (clauses 4-7) built from the shared parts: one module each, found by discovery.
What a module declares is described in aims/plugins.py."""
