"""Findings as a service: run the detectors, record what they raised, list and export it."""
