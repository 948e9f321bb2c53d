"""Detectors: one module per rule, pure functions from projection frames to findings."""
