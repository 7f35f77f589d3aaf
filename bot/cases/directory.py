"""Finding a resident's community in the directory of rooms (loaded by bot.cases.directory_seed)."""

from __future__ import annotations

import math
from difflib import SequenceMatcher

from sqlalchemy.orm import Session

from bot.cases.place_words import place_pattern
from bot.config import DATA_DIR
from bot.nlu.answers import clauses
from bot.storage.directory import Unit, UnitLevel, all_units, communities

DEFAULT_DIRECTORY = DATA_DIR / "directory.yml"
FUZZY_THRESHOLD = 0.6
_SUFFIXES = ("社区", "小区", "街道", "街")


def community_rooms(session: Session) -> list[Unit]:
    """Every community room, read once a transaction."""
    # A turn may look for a place several times (the story, each clause, the street): the rooms
    # are read once a transaction. Only the dialogue reads through here; the console's edits read
    # the directory afresh.
    if "rooms" not in session.info:
        session.info["rooms"] = communities(session)
    return session.info["rooms"]


def _streets(session: Session) -> list[Unit]:
    if "streets" not in session.info:
        session.info["streets"] = [unit for unit in all_units(session) if unit.level == UnitLevel.STREET]
    return session.info["streets"]


def normalize_place(text: str) -> str:
    """Text with punctuation and spaces removed, for matching place names."""
    return place_pattern("place_noise").sub("", text)


def _names(unit: Unit) -> list[str]:
    names = [unit.name, *unit.aliases]
    for suffix in _SUFFIXES:
        if unit.name.endswith(suffix) and len(unit.name) > len(suffix) + 1:
            names.append(unit.name[: -len(suffix)])
    return names


def match_communities(session: Session, text: str) -> list[Unit]:
    """Communities the text may name: exact names first, then a street's rooms, then near misses."""
    text = normalize_place(text)
    if not text:
        return []
    rooms = community_rooms(session)
    exact = _longest_matches(rooms, text)
    if exact:
        return exact
    streets = {room.parent_id: room.parent for room in rooms if room.parent is not None}
    named_streets = _longest_matches(list(streets.values()), text)
    if named_streets:
        street_ids = {street.id for street in named_streets}
        return [room for room in rooms if room.parent_id in street_ids]
    return _fuzzy_matches(rooms, text)


def street_named(session: Session, text: str) -> Unit | None:
    """The one street workstation the text names as a whole word ("万松街道这边", "唐家墩那边",
    "在民意街这附近"; not "万松园路", a road the directory does not know), if any — a street with
    community rooms of its own or not."""
    said = [normalize_place(clause) for clause in clauses(text)]
    streets = _streets(session)
    named = [street for street in streets if any(_names_whole(street, clause) for clause in said)]
    return named[0] if len(named) == 1 else None


def _names_whole(unit: Unit, clause: str) -> bool:
    """True when the clause names the unit followed by nothing, or by words of a place ("那边")."""
    ends = place_pattern("near_a_place")
    for name in _names(unit):
        start = clause.find(name)
        while start != -1:
            if ends.match(clause[start + len(name) :]):
                return True
            start = clause.find(name, start + 1)
    return False


def communities_named(session: Session, text: str) -> list[Unit]:
    """Communities whose name or alias the text contains (the longest found), without guessing."""
    return _longest_matches(community_rooms(session), normalize_place(text))


def _longest_matches(units: list[Unit], text: str) -> list[Unit]:
    # "西北湖社区" also contains "北湖": the longest name found wins.
    best_length, best = 0, []
    for unit in units:
        length = max((len(name) for name in _names(unit) if name in text), default=0)
        if length > best_length:
            best_length, best = length, [unit]
        elif length and length == best_length:
            best.append(unit)
    return best


def _fuzzy_matches(rooms: list[Unit], text: str) -> list[Unit]:
    scored = []
    for room in rooms:
        score = max(SequenceMatcher(None, text, name).ratio() for name in _names(room))
        if score >= FUZZY_THRESHOLD:
            scored.append((score, room))
    scored.sort(key=lambda pair: -pair[0])
    return [room for _, room in scored[:5]]


# A pin farther than this from every room is outside the district: no room is "nearest".
NEAREST_MAX_KM = 3.0


def nearest_community(session: Session, latitude: float, longitude: float) -> Unit | None:
    """The community room nearest to a location pin, if one is near enough to be the resident's."""
    distances = [
        (distance_km(latitude, longitude, room.latitude, room.longitude), room)
        for room in community_rooms(session)
        if room.latitude is not None and room.longitude is not None
    ]
    if not distances:
        return None
    distance, nearest = min(distances, key=lambda pair: pair[0])
    return nearest if distance <= NEAREST_MAX_KM else None


def distance_km(latitude: float, longitude: float, other_latitude: float, other_longitude: float) -> float:
    """Great-circle distance between two points, in kilometres."""
    lat1, lat2 = math.radians(latitude), math.radians(other_latitude)
    dlat = lat2 - lat1
    dlng = math.radians(other_longitude - longitude)
    a = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))
