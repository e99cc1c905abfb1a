"""Settings for the test run: the app's own settings with test-only environment defaults.

Set here rather than in ``conftest.py`` because pytest-django imports the settings before it
loads any conftest.
"""

import os
import tempfile

# A fixed key, cookies usable over the live server's plain HTTP, and a var folder that is not
# the developer's own.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("SECURE_COOKIES", "false")
# A fresh folder per run, so runs side by side (or leftovers of an old run) never share files.
os.environ.setdefault("SOCIALVALUE_VAR_DIR", tempfile.mkdtemp(prefix="socialvalue-test-"))
# pytest-xdist workers inherit the controller's folder: give each its own inside it, so two
# workers loading the demo's spend files never write the same dataset folder.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["SOCIALVALUE_VAR_DIR"] = os.path.join(os.environ["SOCIALVALUE_VAR_DIR"], worker)

from socialvalue.web.settings import *  # noqa: F403

# Tests run background jobs at once, in the request that enqueues them.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
