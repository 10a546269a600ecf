"""Incident commander console: one keyboard-driven screen, offline-first."""

__version__ = "0.1.0"
