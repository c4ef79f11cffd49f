"""The root conftest's ``from lifecircle.core.testing.fixtures import *`` skips names starting
with an underscore, so the autouse ``_fast_hashing`` / ``_media_in_tmp`` fixtures never reach
the tests (every PIN check then costs the production argon2 parameters, ~20 ms). Import them
by name here so the wallet tests get them."""

from lifecircle.core.testing.fixtures import _fast_hashing, _media_in_tmp  # noqa: F401
