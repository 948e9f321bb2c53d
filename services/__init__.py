"""The application layer: every use case, as one function taking a workbench and an actor.

The command line, the stream follower and the web workbench call these and
nothing below them, so each rule about who may see and do what lives here
once (``services.actor``). A use case takes the ``Workbench`` (the store, its
read models and the rules) and the ``Actor`` (who acts, in which role), checks
the role, does the work through the packages below, and returns data: never
printed text, never an argument namespace.
"""
