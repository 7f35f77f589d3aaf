#!/usr/bin/env bash
# Set up everything on a fresh machine: the app's virtualenv (Python 3.11), Rasa's (Python 3.10),
# a trained NLU model, and the database schema with the directory of rooms and the FAQ.
# Idempotent: a second run only redoes what changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

scripts/venv.sh
scripts/rasa_env.sh
scripts/rasa_train.sh

mkdir -p var
.venv/bin/flask --app webhook setup
