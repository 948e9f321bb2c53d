"""The web workbench: the JSON API (``web.api``) and, beside it, the pages.

An adapter like the command line: it logs accounts in (``web.auth``), turns each
request into a use case of ``services`` called with the logged-in ``Actor``,
and records what was seen and done (``web.access``). It holds no rule about
who may see or do what; ``services.actor`` does.
"""
