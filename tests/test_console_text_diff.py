"""A change to a text as staff read it: kept, removed and added runs, numbers and Latin words whole."""

from __future__ import annotations

from webhook.console.text_diff import Edit, Part, inline_diff, tokens


def test_the_same_text_is_one_kept_run():
    assert inline_diff("先沟通，再报警。", "先沟通，再报警。") == [Part(Edit.SAME, "先沟通，再报警。")]


def test_removed_and_added_runs_in_reading_order():
    assert inline_diff("处警告；警告后不改正的，处罚款。", "处拘留；情节严重的，处罚款。") == [
        Part(Edit.SAME, "处"),
        Part(Edit.REMOVED, "警告；警告后不改正"),
        Part(Edit.ADDED, "拘留；情节严重"),
        Part(Edit.SAME, "的，处罚款。"),
    ]


def test_a_lone_character_kept_between_two_changes_joins_them():
    assert inline_diff("控制台改过的回答。", "新的种子回答。") == [
        Part(Edit.REMOVED, "控制台改过的"),
        Part(Edit.ADDED, "新的种子"),
        Part(Edit.SAME, "回答。"),
    ]


def test_an_empty_side():
    assert inline_diff("", "新的回答") == [Part(Edit.ADDED, "新的回答")]
    assert inline_diff("旧的回答", "") == [Part(Edit.REMOVED, "旧的回答")]


def test_an_amount_is_replaced_whole_not_digit_by_digit():
    assert inline_diff("警告或500元以下", "200元以上1000元以下") == [
        Part(Edit.REMOVED, "警告或500"),
        Part(Edit.ADDED, "200元以上1000"),
        Part(Edit.SAME, "元以下"),
    ]
    assert inline_diff("拨打12345", "拨打12110") == [
        Part(Edit.SAME, "拨打"),
        Part(Edit.REMOVED, "12345"),
        Part(Edit.ADDED, "12110"),
    ]


def test_numbers_and_latin_words_are_compared_whole():
    assert tokens("处5日以下拘留，APP上1.5倍") == [*"处", "5", *"日以下拘留，", "APP", "上", "1.5", "倍"]
