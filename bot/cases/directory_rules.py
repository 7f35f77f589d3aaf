"""What a directory row must be: one check per field, each returning why not (in Chinese, shown
beside the field in the console and against the row of an imported file) or None.

The console's forms and the file import ask the same checks, so a value refused in one is refused
in the other."""

from __future__ import annotations

from bot.cases.office_hours import office_hours_problem
from bot.cases.place_words import place_pattern
from bot.cases.staff import ACCOUNT_ROLES, ADMIN, COORDINATOR, ROLE_NAMES
from bot.storage.directory import UnitLevel

CODE = place_pattern("unit_code")
USERNAME = place_pattern("username")
DIVISION_CODE = place_pattern("division_code")
# Lengths the columns hold (bot.storage.directory.Unit, bot.storage.staff.Staff).
MAX_LENGTH = {"name": 64, "office_name": 128, "address": 256, "phone": 64, "hours": 128, "alias": 32}
# Mainland China, roughly: a point outside is a typo (or latitude and longitude swapped).
LATITUDES, LONGITUDES = (3.0, 54.0), (73.0, 136.0)
LEVEL_WORDS = {"区": UnitLevel.DISTRICT, "街道": UnitLevel.STREET, "社区": UnitLevel.COMMUNITY}
ROLE_WORDS = {name: role for role, name in ROLE_NAMES.items() if role in ACCOUNT_ROLES}
YES, NO = ("是", "在岗", "y", "yes", "true", "1"), ("否", "停用", "n", "no", "false", "0")
# The level an account of these roles must belong to; room roles work at any level.
ROLE_LEVEL = {COORDINATOR: UnitLevel.STREET, ADMIN: UnitLevel.DISTRICT}


def code_problem(code: str) -> str | None:
    """A unit code: lowercase letters, digits and underscores."""
    if not code:
        return "请填写代码"
    return None if CODE.match(code) else f"代码“{code}”只能用小写字母、数字和下划线（2 到 64 个字符）"


def username_problem(username: str) -> str | None:
    """A staff username: letters, digits, dots, underscores and hyphens."""
    if not username:
        return "请填写用户名"
    return None if USERNAME.match(username) else f"用户名“{username}”只能用字母、数字、点、下划线和连字符"


def text_problem(field: str, value: str, required: bool = False) -> str | None:
    """A free-text field: present when required, not longer than its column."""
    if required and not value.strip():
        return "不能为空"
    limit = MAX_LENGTH[field]
    return f"不能超过 {limit} 个字" if len(value) > limit else None


def aliases_problem(aliases: tuple[str, ...]) -> str | None:
    """Each alias short enough to be a name."""
    long = [alias for alias in aliases if len(alias) > MAX_LENGTH["alias"]]
    return f"别名“{long[0]}”太长（不超过 {MAX_LENGTH['alias']} 个字）" if long else None


def hours_problem(hours: str) -> str | None:
    """Office hours as bot.cases.office_hours reads them."""
    return office_hours_problem(hours)


def coordinate_problem(text: str, bounds: tuple[float, float], name: str) -> str | None:
    """A latitude or longitude: blank, or a number in mainland China's range."""
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        return f"{name}要填数字，如 30.5945"
    low, high = bounds
    return None if low <= value <= high else f"{name}应在 {low:g} 到 {high:g} 之间（是不是把经纬度填反了？）"


def location_problem(latitude: str, longitude: str) -> str | None:
    """Both coordinates or neither."""
    if bool(latitude.strip()) != bool(longitude.strip()):
        return "纬度和经度要一起填（或都不填）"
    return None


def division_code_problem(code: str) -> str | None:
    """A public division code: blank, or 6 (district), 9 or 12 (street) digits."""
    if not code:
        return None
    return None if DIVISION_CODE.match(code) else "区划代码是 6、9 或 12 位数字，如 420103009"


def level_of(text: str) -> str | None:
    """The level a cell names (区 / 街道 / 社区, or the stored word), None if none."""
    text = text.strip()
    if text in LEVEL_WORDS:
        return LEVEL_WORDS[text]
    return text if text in set(UnitLevel) else None


def role_of(text: str) -> str | None:
    """The role a cell names (社区律师 …, or the stored word), None if none."""
    text = text.strip()
    if text in ROLE_WORDS:
        return ROLE_WORDS[text]
    return text if text in ACCOUNT_ROLES else None


def role_choices() -> str:
    """The roles one may write, for an error message."""
    return "、".join(ROLE_WORDS)


def active_of(text: str) -> bool | None:
    """Whether a cell says the account is active (是/否), None if it says neither."""
    text = text.strip().lower()
    if not text or text in YES:
        return True
    return False if text in NO else None


def role_level_problem(role: str, level: str) -> str | None:
    """Coordinators belong to a street, admins to the district."""
    expected = ROLE_LEVEL.get(role)
    if expected is None or expected == level:
        return None
    return f"{ROLE_NAMES[role]}的所在单位必须是{UnitLevel(expected).label}级"


def parent_problem(level: str, parent_level: str | None, parent: str) -> str | None:
    """A street under the district, a room under a street, the district under nothing."""
    if level == UnitLevel.DISTRICT:
        return "区级单位没有上级，上级代码请留空" if parent else None
    expected = UnitLevel.DISTRICT if level == UnitLevel.STREET else UnitLevel.STREET
    if not parent:
        return f"请填写上级{expected.label}的代码"
    if parent_level is None:
        return f"上级代码“{parent}”不在目录里" + ("（未知街道）" if expected == UnitLevel.STREET else "")
    if parent_level != expected:
        return f"上级“{parent}”不是{expected.label}级单位"
    return None
