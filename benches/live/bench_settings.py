"""Production settings for the push-vs-poll bench: every follower polls from 127.0.0.1, so
the per-address limit of the state endpoint (ASSEMBLY_STATE_RATE, default 600 a minute) is
turned off here, and only here; polling then costs the server no rate-limit counter."""

from quitodecide.settings.production import *  # noqa: F403

ASSEMBLY_STATE_RATE = None
