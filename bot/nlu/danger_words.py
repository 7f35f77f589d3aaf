"""Who a danger comes from and who is at risk: domestic violence, someone else's life, the danger gone.

The words are data (bot/data/danger_words.yml, one block per concept with the examples it must and
must not match); this module gives them the names the urgent handler reads.
"""

from __future__ import annotations

from bot.config import DATA_DIR
from bot.nlu import answers

DANGER_WORDS_FILE = DATA_DIR / "danger_words.yml"
DANGER_WORDS = answers.load(DANGER_WORDS_FILE)
# The danger comes from the resident's partner or former partner: domestic violence.
DOMESTIC = DANGER_WORDS["domestic"].pattern
# A relative named ("我儿子", "我哥"): domestic too, unless an outsider is named ("邻居打了我爸").
RELATIVE = DANGER_WORDS["relative"].pattern
# No relation named, but the one who threatens is at home with the resident ("我把自己反锁在房里了"),
# unless a neighbour or a stranger is named.
AT_HOME = DANGER_WORDS["at_home"].pattern
NOT_AT_HOME = DANGER_WORDS["not_at_home"].pattern
# A partner harmed by an outsider ("讨债的踹了我男人一脚"): with an outsider named, no violence at home.
FAMILY_HARMED = DANGER_WORDS["family_harmed"].pattern
# Someone else threatens to take their own life ("我老公站在阳台外面说要跳"), not the resident.
SOMEONE_ELSE_AT_RISK = DANGER_WORDS["someone_else_at_risk"].pattern
OWN_LIFE = DANGER_WORDS["own_life"].pattern
# "我怕明天他醒了还会打我": the resident fears it will happen again (a protection order is for this).
FEARS_MORE = DANGER_WORDS["fears_more"].pattern
# "他好像走了": the one who threatened has gone for now.
DANGER_GONE = DANGER_WORDS["danger_gone"].pattern
# Harm done by a person ("又打了我", "我躲进卧室了"): with family named, domestic violence.
HARM_BY_PERSON = DANGER_WORDS["harm_by_person"].pattern
# The kinds of danger (bot/nlu/signals.py) that are violence when family is named.
VIOLENT_KINDS = frozenset({"violence", "child_or_elder"})


def domestic(story: str) -> bool:
    """True when the danger comes from the resident's family or partner, named or at home with them."""
    outsider = NOT_AT_HOME.search(story)
    if outsider and FAMILY_HARMED.search(story):
        return False  # "二房东推搡了我老婆": the partner is the one harmed, from outside
    family = RELATIVE.search(story) or AT_HOME.search(story)
    return bool(DOMESTIC.search(story) or (family and not outsider))


def domestic_violence(story: str, kinds: list[str]) -> bool:
    """True when the story tells of violence (the violence word lists, or harm done by a person)
    from the resident's family or partner."""
    return domestic(story) and (bool(VIOLENT_KINDS & set(kinds)) or harmed(story))


def harmed(story: str) -> bool:
    """True when the story tells of harm done by a person (struck, threatened, hiding, drunk)."""
    return bool(HARM_BY_PERSON.search(story))


def someone_else_at_risk(text: str) -> bool:
    """True when the one at risk of taking their own life is someone else, not the resident."""
    return bool(SOMEONE_ELSE_AT_RISK.search(text)) and not OWN_LIFE.search(text)
