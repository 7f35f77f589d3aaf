"""Finding a resident's community: names, short names, typos, streets, location pins."""

import pytest

from bot.cases.directory import match_communities, nearest_community, street_named
from bot.storage.directory import communities, district_centre, staff_for, unit_by_code


@pytest.fixture
def session(services):
    with services.db.session() as session:
        yield session


def names(units):
    return [unit.name for unit in units]


def test_sample_directory_is_loaded_with_every_role(session):
    rooms = communities(session)
    assert len(rooms) == 10
    for room in rooms:
        for role in ("lawyer", "mediator", "property_officer"):
            assert staff_for(session, room.id, role), (room.name, role)
    assert district_centre(session).name == "江汉区"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("八古墩社区", ["八古墩社区"]),
        ("八古墩", ["八古墩社区"]),
        ("我住八古墩小区", ["八古墩社区"]),
        ("八古敦", ["八古墩社区"]),
        ("西北湖", ["西北湖社区"]),
        ("北湖社区", ["北湖社区"]),
        ("打同社区", ["打铜社区"]),
    ],
)
def test_names_short_names_and_typos(session, text, expected):
    assert names(match_communities(session, text)) == expected


def test_a_street_name_narrows_the_choice(session):
    assert names(match_communities(session, "唐家墩")) == ["八古墩社区", "青年社区", "东民社区"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("在万松街道这边", "wansong"),
        ("不知道 唐家墩那边", "tangjiadun"),
        ("就在万松园路那边", None),
        ("少数民族的习惯", None),
    ],
)
def test_a_street_is_named_only_as_a_whole_word(session, text, expected):
    street = street_named(session, text)
    assert (street.code if street else None) == expected


def test_nothing_like_a_community(session):
    assert match_communities(session, "火星基地") == []


def test_location_pin_finds_the_nearest_room(session):
    room = unit_by_code(session, "xiqiao")
    assert nearest_community(session, room.latitude + 0.0003, room.longitude).code == "xiqiao"
