"""The sandbox's WSGI stack: SigV4 read once, throttling, expiry, answers (see :mod:`.stack`).

Imports point down only: this package uses the console's pages, the moto integration's
``enforcing`` switch and the sandbox's clock and sessions; nothing below imports it.
"""
