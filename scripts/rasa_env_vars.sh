# Environment shared by the Rasa scripts (sourced, not run). Expects ROOT to be the repo root.
export RASA_TELEMETRY_ENABLED=false
# Custom components (the whitespace-free Jieba tokenizer) are imported from here.
export PYTHONPATH="$ROOT/rasa/components${PYTHONPATH:+:$PYTHONPATH}"
# Reproducible training: deterministic TF kernels and a fixed hash seed.
export TF_DETERMINISTIC_OPS=1
export PYTHONHASHSEED=0
# Rasa's training cache does not notice a changed Jieba dictionary; the stamp in rasa_train.sh does.
export RASA_MAX_CACHE_SIZE=0
export TF_CPP_MIN_LOG_LEVEL=2
export SQLALCHEMY_SILENCE_UBER_WARNING=1
RASA_BIN="$ROOT/.venv-rasa/bin/rasa"
# `rasa run` goes through rasa/serve.py, which gives Rasa its API token off the command line.
RASA_PYTHON="$ROOT/.venv-rasa/bin/python"
RASA_MODEL_NAME="${RASA_MODEL_NAME:-nlu}"
# RASA_MODEL_FILE names any model file (a registered version, a candidate being evaluated).
RASA_MODEL="${RASA_MODEL_FILE:-$ROOT/models/$RASA_MODEL_NAME.tar.gz}"
export PYTHONWARNINGS="ignore::DeprecationWarning"
