import pytest

from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")

SCRIPTS = {
    "dui": ["楼上那家每天凌晨还在拖椅子，吵得我们整晚睡不着", "对"],
    "enna": ["楼上那家每天凌晨还在拖椅子，吵得我们整晚睡不着", "嗯呐"],
    "haode_phone": ["楼上那家每天凌晨还在拖椅子，吵得我们整晚睡不着", "青年社区", "嗯呐"],
    "en": ["楼上那家每天凌晨还在拖椅子，吵得我们整晚睡不着", "嗯"],
}


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_probe(services, resident, name):
    out = []
    for text in SCRIPTS[name]:
        (reply,) = converse(resident, [(text, "")])
        out.append(f"> {text}\n{reply}\n")
    with open(f"/tmp/probe/{name}.txt", "w") as f:
        f.write("\n".join(out))
