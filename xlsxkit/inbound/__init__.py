"""Inbound: what comes back from outside. Finding returned files, reading them in sandboxed
workers, the partner list, and the pure ``resolve`` that gives every file its verdict."""
