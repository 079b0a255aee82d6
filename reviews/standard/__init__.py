"""The Act registers built from the shared parts: one module each, found by discovery. What a module
declares is described in aims/plugins.py."""
