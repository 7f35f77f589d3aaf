"""A small catalogue of laws for the legal-sources tests, written where a test wants it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.legal import sources

SECURITY_2012 = """# 中华人民共和国治安管理处罚法

<!-- INFO END -->

## 第三章 违反治安管理的行为和处罚

第十条 治安管理处罚的种类分为:

（一）警告；

（二）罚款；

对违反治安管理的外国人，可以附加适用限期出境或者驱逐出境。

第五十八条 违反关于社会生活噪声污染防治的法律规定，制造噪声干扰他人正常生活的，处警告；
警告后不改正的，处二百元以上五百元以下罚款。

第七十五条 饲养动物，干扰他人正常生活的，处警告；警告后不改正的，或者放任动物恐吓他人的，处二百元以上五百元以下罚款。

驱使动物伤害他人的，依照本法第四十三条第一款的规定处罚。

## 第四章 处罚程序
"""

CIVIL_CODE = """# 中华人民共和国民法典

# 继承编

## 第二章 法定继承

第一千一百二十八条 被继承人的子女先于被继承人死亡的，由被继承人的子女的直系晚辈血亲代位继承。

被继承人的兄弟姐妹先于被继承人死亡的，由被继承人的兄弟姐妹的子女代位继承。

代位继承人一般只能继承被代位继承人有权继承的遗产份额。
"""

CATALOGUE = """治安管理处罚法:
  title: 中华人民共和国治安管理处罚法
  kind: 法律
  versions:
    "2012":
      label: 2012年修正
      promulgated: 2012-10-26
      effective: 2013-01-01
      text: 治安管理处罚法(2012-10-26).md
{security_2025}
民法典:
  title: 中华人民共和国民法典
  kind: 法律
  versions:
    "2020":
      label: 2020年公布
      promulgated: 2020-05-28
      effective: 2021-01-01
      text: [民法典_继承编.md]

刑法:
  title: 中华人民共和国刑法
  kind: 法律
  versions:
    "2023":
      label: 2023年修正
      promulgated: 2023-12-29
      effective: 2024-03-01
      articles:
        291之二: 从建筑物或者其他高空抛掷物品，情节严重的，处一年以下有期徒刑、拘役或者管制，并处或者单处罚金。

环境噪声污染防治法:
  title: 中华人民共和国环境噪声污染防治法
  kind: 法律
  repealed: 2022-06-05
  replaced_by: 噪声污染防治法
  versions:
    "2018": {{label: 2018年修正, promulgated: 2018-12-29, effective: 2018-12-29}}

噪声污染防治法:
  title: 中华人民共和国噪声污染防治法
  kind: 法律
  versions:
    "2021":
      label: 2021年公布
      promulgated: 2021-12-24
      effective: 2022-06-05
      articles:
        65: 家庭及其成员应当培养形成减少噪声产生的良好习惯。

住房租赁条例:
  title: 住房租赁条例
  kind: 行政法规
  versions:
    "2025": {{label: 2025年公布, promulgated: 2025-07-20, effective: 2025-09-15}}
"""

SECURITY_2025 = """    "2025":
      label: 2025年修订
      promulgated: 2025-06-27
      effective: 2026-01-01
      checked: false
      articles:
        88: |-
          违反关于社会生活噪声污染防治的法律法规规定，产生社会生活噪声，经基层群众性自治组织、业主委员会、物业服务人、有关部门依法劝阻、调解和处理未能制止，继续干扰他人正常生活、工作和学习的，处五日以下拘留或者一千元以下罚款；情节严重的，处五日以上十日以下拘留，可以并处一千元以下罚款。
"""


def write_laws(folder: Path, with_2025: bool = True) -> Path:
    """A catalogue with its texts in `folder`: the 治安管理处罚法 of 2012 (and of 2025), part of the
    民法典, a repealed law and one without texts; returns the catalogue's path."""
    texts = folder / "texts"
    texts.mkdir(parents=True, exist_ok=True)
    (texts / "治安管理处罚法(2012-10-26).md").write_text(SECURITY_2012, encoding="utf-8")
    (texts / "民法典_继承编.md").write_text(CIVIL_CODE, encoding="utf-8")
    path = folder / "catalogue.yml"
    path.write_text(CATALOGUE.format(security_2025=SECURITY_2025 if with_2025 else ""), encoding="utf-8")
    return path


def use_laws(monkeypatch: pytest.MonkeyPatch, folder: Path, with_2025: bool = True) -> Path:
    """Serve and check against the small catalogue written in `folder`."""
    path = write_laws(folder, with_2025)
    monkeypatch.setattr(sources, "CATALOGUE_FILE", path)
    return path
