"""Reply text rules: byte limits, CDATA safety, masking."""

import re

from bot.wechat.text import clean_reply, find_phone, mask_personal_numbers, split_for_wechat


def strip_part_mark(part: str) -> str:
    return re.sub(r"^（\d+/\d+）", "", part)


def test_short_text_is_one_part():
    assert split_for_wechat("你好") == ["你好"]


def test_long_text_splits_within_2048_bytes_on_line_breaks():
    text = "\n".join(f"第{i}行：" + "内容" * 40 for i in range(60))
    parts = split_for_wechat(text)
    assert len(parts) > 1
    assert all(len(part.encode("utf-8")) <= 2048 for part in parts)
    assert "\n".join(strip_part_mark(part) for part in parts) == text


def test_one_huge_line_is_cut_on_character_boundaries():
    parts = split_for_wechat("字" * 2000)
    assert all(len(part.encode("utf-8")) <= 2048 for part in parts)
    assert "".join(strip_part_mark(part) for part in parts) == "字" * 2000


def test_a_long_reply_is_cut_after_a_sentence_and_its_parts_are_numbered():
    sentence = "根据劳动合同法第三十条，用人单位应当按照劳动合同约定和国家规定，向劳动者及时足额支付劳动报酬。"
    parts = split_for_wechat(sentence * 40)
    assert [part[:5] for part in parts] == [f"（{n}/{len(parts)}）" for n in range(1, len(parts) + 1)]
    assert all(part.endswith("。") for part in parts)
    assert all(len(part.encode("utf-8")) <= 2048 for part in parts)
    assert "".join(strip_part_mark(part) for part in parts) == sentence * 40


def test_cdata_terminator_is_removed():
    assert split_for_wechat("a]]>b") == ["ab"]


def test_phone_found_inside_chinese_text():
    assert find_phone("我的电话13912345678谢谢") == "13912345678"
    assert find_phone("订单号213912345678901") is None
    assert find_phone("电话１３９１２３４５６７８") == "13912345678"


def test_masking_phone_and_id_numbers():
    masked = mask_personal_numbers("电话13912345678，身份证42010619900101123X")
    assert "13912345678" not in masked and "139****5678" in masked
    assert "42010619900101123X" not in masked and "4201**********123X" in masked


def test_a_cdata_end_hidden_inside_another_is_removed_too():
    # One pass over "]]]]]]>>>>" leaves "]]>" behind; nothing of it may reach the reply.
    assert "]]>" not in clean_reply("没有找到'小区]]]]]]>>>>'对应的社区")
    assert "]]>" not in "".join(split_for_wechat("确认]]]]>>" * 400))


def test_characters_xml_forbids_are_dropped():
    assert clean_reply("a\x00b\x08c\ufffed") == "abcd"


def test_landlines_are_found_as_people_write_them():
    from bot.wechat.text import find_landline

    for written in ("027-85551234", "027 8555 1234", "（027）85551234", "０２７-８５５５１２３４"):
        assert find_landline(f"打这个 {written} 就行") == "02785551234", written
    assert find_landline("我家3栋2单元") is None and find_landline("13912345678") is None


def test_a_number_read_out_in_chinese_digits_is_a_phone_and_is_masked():
    from bot.wechat.text import find_phone, mask_personal_numbers

    assert find_phone("我电话一三八零七一二三四五六") == "13807123456"
    assert find_phone("幺三五零七一二三四五六") == "13507123456"
    assert find_phone("住三楼一二三室") is None  # short runs of numerals stay words
    assert mask_personal_numbers("我电话一三八零七一二三四五六") == "我电话138****3456"


def test_digits_read_out_count_as_digits():
    from bot.wechat.text import digit_count

    assert digit_count("电话就是幺三八零七一二三四五六七") == 12
    assert digit_count("住三楼一二三室") == 0
