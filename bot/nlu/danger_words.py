"""Who a danger comes from and who is at risk: domestic violence, someone else's life, the danger gone.

The words are data (bot/data/danger_words.yml, one block per concept with the examples it must and
must not match); this module gives them the names the urgent handler reads.
"""

from __future__ import annotations

from bot.config import DATA_DIR
from bot.nlu import answers

DANGER_WORDS_FILE = DATA_DIR / "danger_words.yml"
DANGER_WORDS = answers.load(DANGER_WORDS_FILE)
# The danger comes from the resident's own family or partner: domestic violence.
DOMESTIC = DANGER_WORDS["domestic"].pattern
# No relation named, but the one who threatens is at home with the resident ("我把自己反锁在房里了"),
# unless a neighbour or a stranger is named.
AT_HOME = DANGER_WORDS["at_home"].pattern
NOT_AT_HOME = DANGER_WORDS["not_at_home"].pattern
# Someone else threatens to take their own life ("我老公站在阳台外面说要跳"), not the resident.
SOMEONE_ELSE_AT_RISK = DANGER_WORDS["someone_else_at_risk"].pattern
OWN_LIFE = DANGER_WORDS["own_life"].pattern
# "我怕明天他醒了还会打我": the resident fears it will happen again (a protection order is for this).
FEARS_MORE = DANGER_WORDS["fears_more"].pattern
# "他好像走了": the one who threatened has gone for now.
DANGER_GONE = DANGER_WORDS["danger_gone"].pattern


def domestic(story: str) -> bool:
    """True when the danger comes from the resident's family or partner, named or at home with them."""
    return bool(DOMESTIC.search(story) or (AT_HOME.search(story) and not NOT_AT_HOME.search(story)))


def someone_else_at_risk(text: str) -> bool:
    """True when the one at risk of taking their own life is someone else, not the resident."""
    return bool(SOMEONE_ELSE_AT_RISK.search(text)) and not OWN_LIFE.search(text)
