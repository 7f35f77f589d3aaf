"""What the answers say about the law, checked against the law in force on 2026-12-06: each
corrected FAQ answer (and the mediator's canned answer, and the advice on texting 12110) says what
the law now says, cites the version it rests on, and no longer says what was wrong."""

from __future__ import annotations

from functools import cache

import pytest
import yaml

from bot.config import DATA_DIR
from bot.dialogue.handlers import urgent
from bot.legal.sources import citations_of, render_basis

FAQ_FILE = DATA_DIR / "faq.yml"
CANNED_FILE = DATA_DIR / "canned_answers.yml"
# Answers about the service itself, resting on no law.
NO_LEGAL_BASIS = {"faq_office_hours", "faq_how_it_works"}


@cache
def faq_entries() -> dict[str, dict]:
    """The seed FAQ entries by intent."""
    return {entry["intent"]: entry for entry in yaml.safe_load(FAQ_FILE.read_text(encoding="utf-8"))}


def entry(intent: str) -> dict:
    """One seed FAQ entry."""
    return faq_entries()[intent]


def canned(role: str, title: str) -> dict:
    """One default canned answer of a role."""
    answers = yaml.safe_load(CANNED_FILE.read_text(encoding="utf-8"))["default"][role]
    return next(answer for answer in answers if answer["title"] == title)


def cited(item: dict, law: str, version: str) -> list[str]:
    """The articles `item` cites of that version of the law (empty when it cites the whole law);
    fails when it does not cite that version at all."""
    for citation in item.get("citations") or []:
        if (citation["law"], citation["version"]) == (law, version):
            return [str(article) for article in citation.get("articles", [])]
    pytest.fail(f"{item.get('intent', item.get('title'))} does not cite {law} {version}")


def basis(item: dict) -> str:
    """The 依据 line residents read with `item`, rendered from its citations."""
    return render_basis(citations_of(item.get("citations")))


def cites_articles(item: dict, law: str, version: str, *articles: int | str) -> bool:
    """Whether `item` cites every one of `articles` of that version of the law."""
    return {str(article) for article in articles} <= set(cited(item, law, version))


def test_the_faq_file_is_dated_and_says_how_citations_work():
    header = FAQ_FILE.read_text(encoding="utf-8").split("- intent:", 1)[0]
    assert "依据截至 2026-12-06 的现行法律" in header and "2024" not in header
    assert "citations" in header and "laws/catalogue.yml" in header


def test_every_answer_on_the_law_cites_laws_by_version():
    for intent, item in faq_entries().items():
        citations = item["citations"]
        assert isinstance(citations, list), intent
        assert bool(citations) == (intent not in NO_LEGAL_BASIS), intent
        assert all(citation["law"] and citation["version"] for citation in citations), intent


def test_no_answer_rests_on_the_superseded_public_order_law():
    for intent, item in faq_entries().items():
        versions = {citation["version"] for citation in item["citations"] if citation["law"] == "治安管理处罚法"}
        assert versions <= {"2025"}, intent


def test_night_noise_is_punished_under_the_revised_article_88_after_mediation_failed():
    item = entry("faq_noise_night")
    assert cites_articles(item, "治安管理处罚法", "2025", 88)
    assert cites_articles(item, "噪声污染防治法", "2021", 65, 70, 87, 88)
    assert "5日以下拘留或1000元以下罚款" in item["answer"] and "5至10日拘留" in item["answer"]
    assert "经劝阻、调解和处理仍继续扰民" in item["answer"]
    assert "警告后不改的可以罚款" not in item["answer"] and "警告" not in item["answer"]
    assert "《中华人民共和国治安管理处罚法》（2025年修订，2026年1月1日起施行）第八十八条" in basis(item)
    assert "第五十八条" not in basis(item)


def test_dogs_fall_under_the_revised_article_89():
    item = entry("faq_pet_dog")
    assert cites_articles(item, "治安管理处罚法", "2025", 89)
    assert cites_articles(item, "民法典", "2020", 1245, 1246, 1247)
    assert "1000元以下罚款" in item["answer"] and "没采取安全措施" in item["answer"]
    assert "烈性犬" in item["answer"]
    assert "《中华人民共和国治安管理处罚法》（2025年修订，2026年1月1日起施行）第八十九条" in basis(item)
    assert "第七十五条" not in basis(item)


def test_throwing_things_down_is_punished_even_when_nobody_is_hit_and_the_property_company_shares_the_bill():
    item = entry("faq_falling_objects")
    assert cites_articles(item, "治安管理处罚法", "2025", 43)
    assert cites_articles(item, "侵权责任编解释（一）", "2024", 24, 25)
    assert cites_articles(item, "民法典", "2020", 1254)
    answer = item["answer"]
    assert "即使没砸到人" in answer and "拘留或罚款" in answer
    assert "补充责任" in answer and "先由没尽到安全保障义务的物业按其过错承担责任" in answer
    assert "适当补偿" in answer and "追偿" in answer


def test_divorce_registration_needs_no_household_register_and_any_office_will_do():
    item = entry("faq_divorce")
    assert cited(item, "婚姻登记条例", "2025") == []
    assert cites_articles(item, "民法典", "2020", 1076, 1077)
    answer = item["answer"]
    assert "身份证、结婚证和双方签名的离婚协议书" in answer
    assert "身份证、户口簿" not in answer and "不用带户口簿" in answer
    assert "全国的婚姻登记机关都可以办" in answer


def test_double_wages_without_a_contract_have_their_exceptions_and_the_time_limit_needs_a_lawyer():
    item = entry("faq_no_labor_contract")
    assert cites_articles(item, "劳动争议解释（二）", "2025", 7, 8)
    answer = item["answer"]
    assert "不可抗力" in answer and "本人故意或重大过失" in answer and "依法顺延" in answer
    assert "各地仲裁委和法院的做法不一样" in answer and "咨询律师" in answer
    assert "一般适用一年仲裁时效" not in answer


def test_unpaid_wages_let_the_worker_resign_at_once_with_economic_compensation():
    item = entry("faq_unpaid_wages")
    assert cites_articles(item, "劳动合同法", "2012", 38, 46, 47)
    answer = item["answer"]
    assert "随时书面通知单位解除劳动合同" in answer and "不用提前30天" in answer
    assert "经济补偿" in answer and "每满一年付一个月工资" in answer


def test_the_rent_deposit_follows_the_housing_rental_regulation():
    item = entry("faq_rent_deposit")
    assert cited(item, "住房租赁条例", "2025") == []
    answer = item["answer"]
    assert "押金数额、退还时间和扣押金的情形" in answer and "合同约定以外不能随意扣" in answer
    assert "不得用暴力、威胁等方式逼您退租" in answer


def test_legal_aid_lists_the_injuries_of_the_law_and_who_is_spared_the_means_test():
    item = entry("faq_legal_aid")
    assert cites_articles(item, "法律援助法", "2021", 31, 32, 42)
    answer = item["answer"]
    assert "产品质量" not in answer
    for injury in ("工伤", "交通事故", "食品药品安全事故", "医疗事故"):
        assert injury in answer
    assert "无固定生活来源的未成年人、老年人、残疾人" in answer and "免予核查经济困难状况" in answer


def test_abused_or_abandoned_elders_get_legal_aid_without_a_means_test():
    item = entry("faq_elder_support")
    assert cites_articles(item, "法律援助法", "2021", 32, 42)
    assert cites_articles(item, "老年人权益保障法", "2018", "75.3")
    answer = item["answer"]
    assert "经济困难的可申请法律援助" not in answer
    assert "遭受虐待、遗弃的老人不受经济困难条件限制" in answer and "先予执行" in answer


def test_a_will_keeps_the_necessary_share_of_an_heir_who_cannot_work():
    item = entry("faq_will")
    assert cites_articles(item, "民法典", "2020", 1141)
    assert cites_articles(item, "继承编解释（一）", "2020", 25)
    assert "缺乏劳动能力又没有生活来源的继承人留下必要的份额" in item["answer"]


def test_representation_in_inheritance_reaches_all_descendants_and_siblings_children():
    item = entry("faq_inheritance")
    assert cites_articles(item, "民法典", "2020", 1128)
    answer = item["answer"]
    assert "由其子女代位继承" not in answer
    assert "子女、孙子女等直系晚辈代位继承" in answer and "由兄弟姐妹的子女代位继承" in answer


def test_the_decoration_deposit_rests_on_article_945_and_the_decoration_rules():
    item = entry("faq_decoration_deposit")
    assert cites_articles(item, "民法典", "2020", 945)
    assert cites_articles(item, "住宅室内装饰装修管理办法", "2011", 13, 16)
    assert "《中华人民共和国民法典》第九百四十五条" in basis(item) and "合同编" not in basis(item)
    assert "事先告知物业并申报登记" in item["answer"] and "装修管理服务协议" in item["answer"]


def test_a_notarisation_on_property_by_power_of_attorney_gift_or_will_may_go_to_any_usual_office():
    item = entry("faq_notary")
    assert cites_articles(item, "公证法", "2017", 25)
    assert "房产的委托、声明、赠与、遗嘱公证的，也可以按前面的一般规定选公证处" in item["answer"]


def test_a_power_of_attorney_gift_or_declaration_is_notarised_in_person():
    """公证程序规则 art. 11: a resident asking whether their mother can notarise their power of attorney may not."""
    item = entry("faq_notary")
    assert cites_articles(item, "公证程序规则", "2020", 11)
    assert "委托" in item["answer"] and "必须本人亲自到公证处办" in item["answer"]
    assert "遗嘱、生存、收养关系等公证须本人办理，其他事项可以委托他人" not in item["answer"]


def test_economic_compensation_counts_part_of_a_year():
    """劳动合同法 art. 47: six months or more count as a year, less than six months as half a month."""
    answer = entry("faq_unpaid_wages")["answer"]
    assert "六个月以上不满一年的按一年算" in answer and "不满六个月的付半个月工资" in answer


def test_a_mediation_agreement_takes_effect_when_both_parties_the_mediator_and_the_committee_sign():
    item = canned("mediator", "调解原则")
    assert cites_articles(item, "人民调解法", "2010", 28, "29.2", 30, 31)
    text = item["text"]
    assert "双方签字后具有法律约束力" not in text
    assert "签名、盖章或按指印" in text and "调解员签名" in text and "调解委员会盖章" in text
    assert "口头协议自双方达成时生效" in text


@pytest.mark.parametrize("advice", [urgent.SMS_HOW, urgent.NO_CALLS_ADVICE], ids=["sms_how", "no_calls"])
def test_texting_12110_says_to_silence_the_phone_and_that_a_text_may_be_late(advice):
    assert "12110" in advice and "静音" in advice and "短信可能延迟" in advice
    # by_sms adds SMS_HOW to a reply about 12110 unless it already says the police answer by SMS
    assert "短信回复" in advice
