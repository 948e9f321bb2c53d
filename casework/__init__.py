"""Investigators' cases on findings: every step an event, the state a fold over them.

``commands`` holds the steps (``open_case``, ``assign``, ``confirm``,
``dismiss``, ``note``, ``link_recovery``, ``close``), ``workflow`` their
order, ``status`` each case's derived state (``case_states`` for the findings
listing), ``listing`` the records shown to people. The package imports
nothing itself, so the CLI's parser stays fast to build.
"""
