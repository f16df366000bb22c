"""The one `env` object every setting is read through (docs/configuration.md lists them all)."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[3]

env = environ.Env()
# A `.env` file in the project folder fills in what the environment leaves unset.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
