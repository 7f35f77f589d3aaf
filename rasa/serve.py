"""Run Rasa's own command line (`rasa run …`) with the API token taken from the environment or a
file, never from the arguments: every user on the machine can read any process's arguments (ps).

    .venv-rasa/bin/python rasa/serve.py run --enable-api -i 127.0.0.1 -p 5005 --model models/nlu.tar.gz

The token is RASA_TOKEN, or else the first line of RASA_TOKEN_FILE (default var/rasa_token), a
file only its owner may read. It is handed to Rasa as `--auth-token` inside this process only:
changing sys.argv does not change what ps shows.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

TOKEN_FILE = Path(__file__).resolve().parent.parent / "var" / "rasa_token"


def token() -> str:
    """The API token from RASA_TOKEN or RASA_TOKEN_FILE; exits when neither holds one."""
    value = os.environ.pop("RASA_TOKEN", "").strip()  # popped: Rasa's own children need not see it
    if value:
        return value
    path = Path(os.environ.get("RASA_TOKEN_FILE") or TOKEN_FILE)
    try:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            sys.exit(f"rasa/serve.py: {path} may be read by others; chmod 600 it")
        value = path.read_text().strip()
    except OSError as error:
        sys.exit(f"rasa/serve.py: no token in RASA_TOKEN and {path} unreadable: {error.strerror}")
    if not value:
        sys.exit(f"rasa/serve.py: {path} is empty")
    return value


def main() -> None:
    """Rasa's command line with the token added where only this process sees it."""
    arguments = sys.argv[1:]
    if any(argument in ("-t", "--auth-token") or argument.startswith("--auth-token=") for argument in arguments):
        sys.exit("rasa/serve.py: give the token in RASA_TOKEN or RASA_TOKEN_FILE, not as an argument")
    sys.argv = ["rasa", *arguments, "--auth-token", token()]
    from rasa.__main__ import main as rasa_main  # Rasa's own entry point, as bin/rasa calls it

    sys.exit(rasa_main())


if __name__ == "__main__":
    main()
