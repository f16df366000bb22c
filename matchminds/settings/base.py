"""Settings shared by every environment.

`local`, `production` and `test` only override what differs. Every value that varies
between deployments is read from the environment through the single `env` object
(`components/environment.py`). The values live in `components/`, one module per concern;
each imports what it needs from the others, so the order below does not matter. A new
setting goes into the module of its feature (or a new module imported below), with its row
in docs/configuration.md.
"""

from .components.accounts import *
from .components.auth import *
from .components.chat import *
from .components.core import *
from .components.data import *
from .components.environment import *
from .components.events import *
from .components.mail import *
from .components.matching import *
from .components.moderation import *
from .components.observability import *
from .components.operations import *
from .components.realtime import *
from .components.rounds import *
from .components.security import *
from .components.storage import *
from .components.workers import *
