"""The three kinds of case, written once: intent, label, the role that handles it, and a hint.

Every module that names a triage category, a staff role or their Chinese labels reads them here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    """One kind of case and who in a community legal room handles it."""

    intent: str  # the NLU intent name: a contract with the model, evaluation and admin screens
    label: str  # what residents and staff read
    role: str  # the staff role a case of this kind is routed to
    hint: str  # one line that tells a resident which problems belong here
    menu_key: str  # the official account's custom-menu key that starts this kind of case
    resolution_days: int  # days to resolve a case of this kind (民呼我应); the sweep sends it up after
    first_response_hours: int = 24  # hours to a first response when neither urgent nor a group case


ROLE_LABELS = {"lawyer": "社区律师", "mediator": "人民调解员", "property_officer": "物业房管员"}

CATEGORIES: dict[str, Category] = {
    category.intent: category
    for category in (
        Category(
            "legal_consultation",
            "法律咨询",
            "lawyer",
            "法律咨询，转社区律师（劳动、婚姻、借贷、交通事故等）",
            "LEGAL_CONSULTATION",
            resolution_days=3,
        ),
        Category(
            "neighbor_dispute",
            "邻里纠纷",
            "mediator",
            "邻里纠纷（和邻居之间的矛盾）",
            "NEIGHBOR_DISPUTE",
            resolution_days=15,
        ),
        Category(
            "property_complaint",
            "物业问题",
            "property_officer",
            "物业问题（物业公司、电梯、物业费、公共维修等）",
            "PROPERTY_COMPLAINT",
            resolution_days=7,
        ),
    )
}
TRIAGE_INTENTS = tuple(CATEGORIES)
# When nothing else tells us the kind, a person who can answer anything legal takes the case.
GENERAL_CATEGORY = "legal_consultation"

# Fire and gas are the building's emergencies: the property officer reaches its management and
# shut-offs, whatever story comes with them.
BUILDING_DANGERS = ("fire", "gas")
# The danger kind of a child or an elder at risk (bot/nlu/signals.py).
CHILD_OR_ELDER = "child_or_elder"

# Expected first response, in hours, of urgent cases (within the hour) and group disputes (the
# same half-day); every other case within its category's first_response_hours.
RESPONSE_HOURS = {"urgent": 1, "collective": 4}


def role_title(role: str, level: str) -> str:
    """What residents call this role's staff in a unit of this level: the district centre's or a
    workstation's lawyer is no community lawyer."""
    return "律师" if role == "lawyer" and level != "community" else ROLE_LABELS[role]


def category_of_role(role: str) -> str:
    """The kind of case a staff role handles (one each)."""
    return next(intent for intent, category in CATEGORIES.items() if category.role == role)


def role_label(intent: str) -> str:
    """The Chinese name of the staff role that handles this kind of case."""
    return ROLE_LABELS[CATEGORIES[intent].role]


def urgent_category(kinds: list[str], classified: str | None) -> str:
    """The kind of case a new urgent case opens as: the building's dangers go to the property
    officer; a child or an elder at risk, and anyone at risk next door with no fight, to the general
    one (no quarrel to mediate); others to the classified kind, a fight to the mediator, the rest to
    the general one."""
    if any(kind in BUILDING_DANGERS for kind in kinds):
        return "property_complaint"
    if CHILD_OR_ELDER in kinds or (classified == "neighbor_dispute" and "violence" not in kinds):
        # "隔壁天天打伢", "对门婆婆摔倒了起不来": protection and help, the lawyer's work, not mediation.
        return GENERAL_CATEGORY
    if classified in CATEGORIES:
        return classified
    return "neighbor_dispute" if "violence" in kinds else GENERAL_CATEGORY
