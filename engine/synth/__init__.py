"""The synthetic city: a deterministic 吕梁市 of 2023-2024 in the interchange format.

``generate(persons, seed, out, truth=None, progress=None)`` writes JSON Lines (gzip when
``out`` ends in ``.gz``) and a truth file listing every injected irregularity and
every legitimate look-alike; ``policy`` holds the subsidy rules the city obeys.
"""

from engine.synth.city import GenerateSummary, generate

__all__ = ["GenerateSummary", "generate"]
