"""Institution and evaluation-agency credit (信用评价): scores, grades, repairs, public listing.

``facts`` gathers what a rating reads from the views, ``model`` scores it
(pure), ``service`` records ratings and repairs as events, ``publish`` writes
the public list (公示) without personal data.
"""
