"""Masking personal data before an admin reads a message: every way people write the numbers."""

from __future__ import annotations

import pytest

from bot.training.masking import ADDRESS, ID_NUMBER, LANDLINE, NAME, PHONE, PLATE, mask_personal, normalise


@pytest.mark.parametrize(
    "written",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "1380 013 8000",
        "１３８００１３８０００",
        "１３８－００１３－８０００",
        "１３８　００１３　８０００",
        "+86 138 0013 8000",
        "+8613800138000",
        "86-138-0013-8000",
        "1 3 8 0 0 1 3 8 0 0 0",
    ],
)
def test_mobile_numbers_in_every_spelling(written):
    assert mask_personal(f"我的电话是{written}，晚上打") == f"我的电话是{PHONE}，晚上打"


@pytest.mark.parametrize(
    "written",
    [
        "420106199001011234",
        "42010619900101123X",
        "42010619900101123x",
        "4201 0619 9001 0112 34",
        "420106-19900101-1234",
        "４２０１０６１９９００１０１１２３Ｘ",
        "420106900101123",  # the old 15-digit number
    ],
)
def test_id_numbers_in_every_spelling(written):
    assert mask_personal(f"身份证号{written}。") == f"身份证号{ID_NUMBER}。"


@pytest.mark.parametrize(
    "written",
    [
        "鄂A12345",
        "鄂A·12345",
        "鄂A 12345",
        "鄂a12345",
        "鄂A-1234D",
        "鄂AD12345",
        "鄂Ａ１２３４５",
        "京 N 8 8 8 8 8",
    ],
)
def test_plate_numbers_in_every_spelling(written):
    assert mask_personal(f"车牌{written}的车堵了消防通道") == f"车牌{PLATE}的车堵了消防通道"


@pytest.mark.parametrize(
    "written, expected",
    [
        ("住在3栋2单元502室", f"住在{ADDRESS}"),
        ("5号楼1201", f"{ADDRESS}"),
        ("我家在解放大道123号", f"我家在解放大道{ADDRESS}"),
        ("楼上1502房天天跺脚", f"楼上{ADDRESS}天天跺脚"),
        ("座机027-85551234", f"座机{LANDLINE}"),
        ("座机(027)85551234", f"座机{LANDLINE}"),
    ],
)
def test_addresses_and_landlines(written, expected):
    assert mask_personal(written) == expected


def test_names_the_directory_knows_and_several_kinds_at_once():
    text = "张律师让我把身份证420106199001011234和电话138 0013 8000发过来，车是鄂A12345"
    assert mask_personal(text, ["张律师", "李调解员"]) == (
        f"{NAME}让我把身份证{ID_NUMBER}和电话{PHONE}发过来，车是{PLATE}"
    )


@pytest.mark.parametrize(
    "text",
    [
        "公司拖欠我三个月工资8000块",
        "2023年5月签的合同，下个月3号开庭",
        "楼上装修天天早上七点开电钻",
        "物业费一年2400元合理吗",
        "被罚了200块钱",
    ],
)
def test_ordinary_numbers_and_words_stay(text):
    assert mask_personal(text, ["张律师"]) == text


def test_normalising_keeps_every_position():
    text = "电话１３８－００１３－８０００，ＡＢ"
    assert len(normalise(text)) == len(text)
    assert normalise(text) == "电话138-0013-8000，AB"
