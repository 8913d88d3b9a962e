"""Unit tests of the text-cleaning transforms and the gazetteer, with the tricky negatives."""

from __future__ import annotations

from datetime import datetime

import pytest

from extract.fields import PageFields
from transform.chrome import is_chrome_line, metadata_line, related_list_lines, top_link_lines
from transform.clean import CLEANER_VERSION, clean_article
from transform.gazetteer import CITY, COUNTY, PROVINCE, load_gazetteer, short_name
from transform.headline import clean_headline, original_title_line, split_institution, strip_title_copies
from transform.mojibake import repair_mojibake
from transform.pinyin import strip_pinyin
from transform.punctuation import normalise_punctuation
from transform.removal import CHROME, DUPLICATE_TITLE, METADATA, MOJIBAKE, PINYIN, PRIVATE_USE, SPAM
from transform.script import to_simplified
from transform.spam import strip_spam

# --- gazetteer ---------------------------------------------------------------


def test_gazetteer_short_name_finds_city_before_county() -> None:
    places = load_gazetteer().lookup("长沙")
    assert [p.name for p in places[:2]] == ["长沙市", "长沙县"]
    city = places[0]
    assert (city.adcode, city.level, city.province, city.current) == ("430100", CITY, "湖南省", True)


def test_gazetteer_full_name_gives_hierarchy() -> None:
    (place,) = [p for p in load_gazetteer().lookup("海淀区") if p.current]
    assert (place.adcode, place.level, place.province, place.city, place.county) == (
        "110108",
        COUNTY,
        "北京市",
        "北京市",
        "海淀区",
    )


@pytest.mark.parametrize("name", ["徐水县", "满城县", "江津市", "建阳市", "新建县", "洞头县", "邹平县"])
def test_gazetteer_knows_abolished_names(name: str) -> None:
    places = load_gazetteer().lookup(name)
    assert places, name
    assert not any(p.current for p in places if p.name == name)


@pytest.mark.parametrize(
    ("short", "full"),
    [("化隆", "化隆回族自治县"), ("玉龙", "玉龙纳西族自治县"), ("道真", "道真仡佬族苗族自治县"), ("连山", "连山壮族瑶族自治县"), ("本溪", "本溪市")],
)
def test_gazetteer_short_names_of_autonomous_counties(short: str, full: str) -> None:
    assert full in [p.name for p in load_gazetteer().lookup(short)]


def test_gazetteer_provinces_and_leagues() -> None:
    gazetteer = load_gazetteer()
    assert gazetteer.lookup("广西")[0].level == PROVINCE
    assert gazetteer.lookup("兴安盟")[0].level == CITY
    assert gazetteer.is_place("阿荣旗")
    assert not gazetteer.is_place("客服")
    assert not gazetteer.is_place("明星")


def test_short_name_keeps_one_character_stems() -> None:
    assert short_name("丰县") == "丰县"
    assert short_name("黔东南苗族侗族自治州") == "黔东南"
    assert short_name("内蒙古自治区") == "内蒙古"


# --- pinyin ------------------------------------------------------------------


def test_pinyin_removed_after_han() -> None:
    text, removed = strip_pinyin("長(zhǎng)沙市天心區(qū)，為期2個(gè)月")
    assert text == "長沙市天心區，為期2個月"
    assert removed == ["(zhǎng)", "(qū)", "(gè)"]


@pytest.mark.parametrize("text", ["超2000人(次)", "（一）基本情况", "世界贸易组织(English)", "成立于(2024)", "的(de)", "ǎ(zhǎng)"])
def test_pinyin_keeps_other_parentheses(text: str) -> None:
    assert strip_pinyin(text) == (text, [])


# --- script ------------------------------------------------------------------


def test_script_to_simplified() -> None:
    assert to_simplified("黨員教育工作走深走實") == "党员教育工作走深走实"
    assert to_simplified("Latin 123") == "Latin 123"


# --- punctuation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("以来 , 金山区 , 助力基层治理 。", "以来，金山区，助力基层治理。"),
        ("《 绿水青山就是金山银山》", "《绿水青山就是金山银山》"),
        ("如何建?文源街道", "如何建？文源街道"),
        ("超2000人(次)", "超2000人（次）"),
        ("时间: 2024-01-09 10:30", "时间：2024-01-09 10:30"),
        ("直管党员1,362名", "直管党员1,362名"),
        ("增长3.5个百分点", "增长3.5个百分点"),
        ("Hello, world (2024)", "Hello, world (2024)"),
        ("网址 http://www.hnredstar.gov.cn 查询", "网址 http://www.hnredstar.gov.cn 查询"),
        ("党旗领航促发展 商居聚力美家园", "党旗领航促发展 商居聚力美家园"),
        ("小区党支部建起来 “关键小事”有人管", "小区党支部建起来 “关键小事”有人管"),
        ("“四史” , 接续奋斗", "“四史”，接续奋斗"),
    ],
)
def test_punctuation(raw: str, expected: str) -> None:
    assert normalise_punctuation(raw) == expected


# --- mojibake ----------------------------------------------------------------


def test_mojibake_shifted_run_repaired() -> None:
    result = repair_mojibake("街道黨?!霸凑n堂”主陣地")
    assert result.text == "街道黨“源課堂”主陣地"
    assert result.damaged and result.removed == ["?!霸凑n"]


def test_mojibake_run_ending_in_lost_byte_restores_closing_quote() -> None:
    result = repair_mojibake("基層黨?!叭\ue42f\ue02d恼隆?推動")
    assert result.text == "基層黨“三篇文章”推動"


def test_mojibake_question_mark_folded_from_full_width() -> None:
    assert repair_mojibake("黨??傮w規劃").text == "黨總體規劃"


def test_mojibake_stray_leading_question_mark_removed() -> None:
    result = repair_mojibake("?長沙市")
    assert (result.text, result.removed) == ("長沙市", ["?"])


@pytest.mark.parametrize("text", ["真的吗?!", "如何建?文源街道", "好?! 是的", "中国??", "????_20240105165228.jpg", "What? Yes!"])
def test_mojibake_leaves_real_question_marks(text: str) -> None:
    result = repair_mojibake(text)
    assert (result.text, result.damaged) == (text, False)


def test_private_use_glyphs_dropped_without_damage_flag() -> None:
    result = repair_mojibake("\uf075第一条")
    assert (result.text, result.private_use, result.damaged) == ("第一条", ["\uf075"], False)


# --- chrome ------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "主办单位：中共湖南省委组织部",
        "技术支持：湖南红网新媒体集团",
        "ICP备案号：湘ICP备17016663号-1",
        "湘公网安备 43010502000123号",
        "版权所有 中国共产党新闻网",
        "欢迎您访问红星网",
        "您是第 位来访者",
        "微信“扫一扫”添加“学习大国”",
        "分享到：",
        "【打印本页】【关闭窗口】",
        "????_20240105165228.jpg",
        "ad1 webp",
        "▲滑动查看",
        "展开全文",
        "阅读原文",
        "点击查看全文>>",
        "中国共产党新闻网>>党建>>“全国城市基层党建创新案例”征集评选活动",
    ],
)
def test_chrome_lines(line: str) -> None:
    assert is_chrome_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "依托高校提供技术支持，建成智慧党建平台。",
        "充分利用QQ、微信等新媒体，使党建宣传从单一走向多样。",
        "▲成立美团党支部，组织外卖小哥定期开展学习分享活动。",
        "“红立方”党群服务中心举办党课直播活动",
        "提炼“12580”居民代表联户工作经验",
        "12580",
        "分数a>b>c的规律",
        "请大家阅读全文后提出意见。",
    ],
)
def test_body_lines_are_not_chrome(line: str) -> None:
    assert not is_chrome_line(line)


def test_editor_line_yields_names() -> None:
    meta = metadata_line("（责编：黄瑾、乔业琼）")
    assert meta is not None and meta.editors == ["黄瑾", "乔业琼"]


@pytest.mark.parametrize("line", ["记者：你们的农机大市场在哪？", "记者：首先欢迎你来到新华网，请问你怎样看待这个问题？"])
def test_interview_questions_are_not_bylines(line: str) -> None:
    assert metadata_line(line) is None


def test_dateline_with_source_is_metadata() -> None:
    assert metadata_line("2018年10月31日13:58 来源：人民网-中国共产党新闻网") is not None
    assert metadata_line("2018年10月31日，红山街道召开会议，部署下一阶段工作。") is None


def test_related_list_needs_a_run() -> None:
    lines = ["正文最后一段。", "- 金山报|吕巷镇加大水污染防治力度", "- 东方网|闵行区调研指导工作", "结束"]
    assert related_list_lines(lines) == {1, 2}
    assert related_list_lines(["- 金山报|吕巷镇加大水污染防治力度"]) == set()


def test_top_link_lines_only_above_body() -> None:
    lines = ["《 绿水青山就是金山银山》", "《 红色瞬间|柴云振：英雄 》", "近年来，党员教育不断加强。", "《 红色瞬间|柴云振 》"]
    assert top_link_lines(lines) == {0, 1}
    assert top_link_lines(["《中国共产党纪律处分条例》"]) == set()


# --- spam --------------------------------------------------------------------

SPAM_RUN = "砚山县| 泰安市| 嘉黎县| 本溪| 化隆| 徐水县| 兴安盟| 客服| 阿荣旗| 明星| 江津市|"


def test_spam_run_removed_whole() -> None:
    result = strip_spam(SPAM_RUN)
    assert result.text == ""
    assert len(result.removed) == 1 and "徐水县" in result.removed[0] and "客服" in result.removed[0]


def test_spam_glued_to_prose_keeps_the_prose() -> None:
    result = strip_spam("受益群众3000余户。" + SPAM_RUN)
    assert result.text == "受益群众3000余户。"


@pytest.mark.parametrize(
    "line",
    [
        "长沙市天心区文源街道党工委所辖基层党组织55个，直管党员1362名。",
        "与中南大学铁道学院、中南林科大、省林科院等12家辖区单位达成党建共建协议",
        "覆盖长沙市、株洲市、湘潭市、衡阳市、邵阳市、岳阳市、常德市等地",
        "- 金山报|金山特设“夜间镇长”，更好服务“夜经济”",
        "红色瞬间|柴云振|志愿军|英雄|故事|传承",
        "长沙市|株洲市|湘潭市|衡阳市",
    ],
)
def test_spam_negatives(line: str) -> None:
    assert strip_spam(line).text == line


# --- headline ----------------------------------------------------------------


def test_institution_prefix_split() -> None:
    split = split_institution("金山区委组织部|金山区石化街道：构建基层党群服务圈")
    assert (split.title, split.institution) == ("金山区石化街道：构建基层党群服务圈", "金山区委组织部")
    assert split_institution("红色瞬间|柴云振：隐姓埋名的志愿军英雄").institution is None


def test_original_title_line_and_bracketed_copy() -> None:
    assert original_title_line("：原题为_金山区石化街道：构建服务圈。") == "金山区石化街道：构建服务圈"
    assert original_title_line("原题目设计得很好。") is None
    line, removed = strip_title_copies("【金山区石化街道：构建服务圈】在金山区委组织部统一部署下", ["金山区石化街道:构建服务圈"])
    assert line == "在金山区委组织部统一部署下" and len(removed) == 1
    assert strip_title_copies("【背景】近年来", ["金山区石化街道：构建服务圈"])[0] == "【背景】近年来"


def test_clean_headline_steps() -> None:
    head = clean_headline("?長(zhǎng)沙市天心區(qū):做實(shí)基層黨建")
    assert head.title == "长沙市天心区：做实基层党建"
    assert head.damaged
    assert {r.kind for r in head.removed} == {MOJIBAKE, PINYIN}


# --- the whole cleaner -----------------------------------------------------------


def test_clean_article_records_every_cut() -> None:
    fields = PageFields(
        url=None,
        title="金山区委组织部|金山区石化街道：构建服务圈",
        published_at=datetime(2020, 9, 1),
        blocks=[
            "：原题为_金山区委组织部|金山区石化街道：构建服务圈。",
            "（上海基层党建网）自学习教育启动以来 , 石化街道建设阵地 。",
            "【金山区委组织部|金山区石化街道：构建服务圈】在金山区委组织部统一部署下，推行亮牌工程。",
            "\uf075党員(yuán)志願者參加服務。",
            "（责编：黄瑾）",
            "1",
            "主办单位：中共湖南省委组织部",
            SPAM_RUN,
        ],
        metadata_lines=["来源：上海基层党建网"],
    )
    cleaned = clean_article(fields)
    assert cleaned.title == "金山区石化街道：构建服务圈"
    assert cleaned.source == "金山区委组织部"
    assert cleaned.editors == ["黄瑾"]
    assert cleaned.body.split("\n") == [
        "自学习教育启动以来，石化街道建设阵地。",
        "在金山区委组织部统一部署下，推行亮牌工程。",
        "党员志愿者参加服务。",
    ]
    kinds = [r.kind for r in cleaned.removed]
    assert kinds == [METADATA, DUPLICATE_TITLE, METADATA, DUPLICATE_TITLE, PRIVATE_USE, PINYIN, METADATA, CHROME, CHROME, SPAM]
    assert cleaned.flags == []
    assert CLEANER_VERSION
