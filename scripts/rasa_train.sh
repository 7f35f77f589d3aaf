#!/usr/bin/env bash
# Train the NLU model into models/$RASA_MODEL_NAME.tar.gz (default models/nlu.tar.gz).
#
#   scripts/rasa_train.sh          train only when config.yml, nlu_data/ or the custom components changed
#   scripts/rasa_train.sh --force  train anyway
#
# A running server keeps its old model: restart it (scripts/rasa_stop.sh && scripts/rasa_serve.sh)
# or load the new one with PUT /model.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/rasa_env_vars.sh

STAMP="$ROOT/models/.$RASA_MODEL_NAME.inputs-sha256"

inputs_hash() {
    # Everything that shapes the model: pipeline, training data (YAML and Jieba dictionary),
    # the tokenizer component and the locked library versions.
    find config.yml nlu_data rasa/components rasa/constraints.txt -type f \
        ! -name '*.pyc' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}

scripts/rasa_env.sh >/dev/null

if [[ ! -d nlu_data/jieba ]]; then
    echo "rasa_train: nlu_data/jieba/ (the Jieba user dictionary named in config.yml) is missing" >&2
    exit 1
fi

current="$(inputs_hash)"
if [[ "${1:-}" != "--force" && -f "$RASA_MODEL" && -f "$STAMP" && "$(cat "$STAMP")" == "$current" ]]; then
    echo "rasa_train: $RASA_MODEL is up to date"
    exit 0
fi

mkdir -p models
started=$(date +%s)
"$RASA_BIN" train nlu --config config.yml --nlu nlu_data --out models \
    --fixed-model-name "$RASA_MODEL_NAME"
echo "$current" >"$STAMP"
echo "rasa_train: trained $RASA_MODEL in $(( $(date +%s) - started )) s"
