"""The synthetic city: a deterministic prefecture of 2023-2024 in the interchange format.

``generate(persons, seed, out, truth=None, progress=None, rules=None)`` writes JSON Lines
(gzip when ``out`` ends in ``.gz``), a truth file listing every injected irregularity and
every legitimate look-alike, and the rules file a user would write from the city's
published policy. Each seed draws its own city: prefecture, counties, subsidy amounts,
class schedules and ways of faking (``policy.draw_policy``).
"""

from synth.city import GenerateSummary, generate

__all__ = ["GenerateSummary", "generate"]
