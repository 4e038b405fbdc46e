"""The one place that reads the process environment.

Every setting that varies between machines comes from here, so that `.env.example`
and the README's configuration table can list them exhaustively.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# A local `.env` is optional; real deployments set variables in the process environment.
_dotenv = BASE_DIR / ".env"
if _dotenv.exists():
    environ.Env.read_env(str(_dotenv))
