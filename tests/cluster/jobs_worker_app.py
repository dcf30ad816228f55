"""What the cluster's job workers run: the production app, with each member's matching slowed
down a little so a worker can be killed while it is in the middle of one."""

import time

from community import create_app
from community.trials import matching_runs
from config import config_from_env

_refresh = matching_runs.refresh


def _slow_refresh(user, consent, **kwargs):
    time.sleep(0.25)
    return _refresh(user, consent, **kwargs)


matching_runs.refresh = _slow_refresh
app = create_app({"_base": config_from_env()})
