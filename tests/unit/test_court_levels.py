"""The level of the confirming court by amount (CPL Art. 205(2); 法发〔2021〕27号)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from app.rules.court_levels import (
    DEFAULT_CSV,
    SOURCE_NOTICE,
    Level,
    LevelThreshold,
    courts_at_level,
    party_provinces,
    required_level,
    threshold_from_values,
    thresholds_from_csv,
)
from app.rules.courts import CourtDirectory, Domicile, competent_courts

DIRECTORY = CourtDirectory.default()
THRESHOLDS = thresholds_from_csv()
YI = Decimal("100000000")  # 1亿元
NATIONWIDE = LevelThreshold("北京市", 5 * YI, YI, date(2021, 10, 1), SOURCE_NOTICE)
BEIJING_CHAOYANG_ID = "11010519850612123X"
SHANGHAI_XUHUI_ID = "310104199003054560"


def test_the_shipped_table_holds_the_2021_notice_for_every_province_with_its_source() -> None:
    """法发〔2021〕27号 items 1, 2 and 6: one figure nationwide since 2021-10-01 (5亿元 when
    the parties are all in or all outside the province, 1亿元 when one is outside)."""
    assert len(THRESHOLDS) == 31
    for item in THRESHOLDS.values():
        assert (item.same_province_min, item.cross_province_min) == (5 * YI, YI)
        assert item.effective_from == date(2021, 10, 1)
        assert "法发〔2021〕27号" in item.source
    assert DEFAULT_CSV.name == "court_level_thresholds.csv"


def test_every_province_of_the_court_directory_has_a_threshold() -> None:
    """CPL Art. 205(2): no directory court may be left without a level rule."""
    assert {c.province for c in DIRECTORY.courts} <= set(THRESHOLDS)


@pytest.mark.parametrize(
    ("amount", "court_province", "parties", "expected"),
    [
        # 法发〔2021〕27号 item 1: both parties in the court's province: 5亿元 and above.
        (Decimal("499999999.99"), "北京市", ("北京市", "北京市"), Level.BASIC),
        (5 * YI, "北京市", ("北京市", "北京市"), Level.INTERMEDIATE),
        # item 1: both parties outside the court's province count like both inside.
        (2 * YI, "北京市", ("上海市", "广东省"), Level.BASIC),
        # item 2: one party outside the province: 1亿元 and above.
        (Decimal("99999999.99"), "北京市", ("北京市", "上海市"), Level.BASIC),
        (YI, "北京市", ("北京市", "上海市"), Level.INTERMEDIATE),
        # a party's province unknown: between the two figures it cannot be decided.
        (2 * YI, "北京市", ("北京市", None), Level.EITHER),
        # ...below the lower figure and from the higher one it can.
        (Decimal("12000.00"), "北京市", ("北京市", None), Level.BASIC),
        (6 * YI, "北京市", (None, None), Level.INTERMEDIATE),
    ],
)
def test_level_by_amount_follows_fafa_2021_27_items_1_and_2(
    amount: Decimal, court_province: str, parties: tuple[str | None, ...], expected: Level
) -> None:
    """法发〔2021〕27号 items 1-2; CPL Art. 205(2)."""
    assert required_level(amount, court_province, parties, NATIONWIDE) is expected


def test_without_a_threshold_for_the_province_both_levels_are_offered_cpl_205() -> None:
    """CPL Art. 205(2): with no figure on file the level cannot be decided, never guessed."""
    assert required_level(Decimal("1"), "西藏自治区", ("西藏自治区",), None) is Level.EITHER


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("", "1", "1", "2021-10-01", "src"), "required"),
        (("北京市", "x", "1", "2021-10-01", "src"), "numbers"),
        (("北京市", "1", "1", "2021-13-01", "src"), "numbers"),
        (("北京市", "0", "1", "2021-10-01", "src"), "positive"),
        (("北京市", "NaN", "1", "2021-10-01", "src"), "positive"),
        (("北京市", "1", "1", "2021-10-01", " "), "required"),
    ],
)
def test_a_bad_threshold_row_is_refused(row: tuple[str, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        threshold_from_values(*row)


def test_a_threshold_csv_with_a_province_twice_is_refused() -> None:
    text = (
        "province,same_province_min_yuan,cross_province_min_yuan,effective_from,source\n"
        "北京市,1,1,2021-10-01,a\n北京市,2,2,2021-10-01,b\n"
    )
    with pytest.raises(ValueError, match="line 3"):
        thresholds_from_csv(text)


def _competent(debtor_id: str | None, creditor_address: str) -> object:
    return competent_courts(
        party_domiciles=(
            Domicile("debtor", id_number=debtor_id),
            Domicile("creditor", address=creditor_address),
        ),
        subject_matter_address=None,
        organisation_address=None,
        inviting_court=None,
        directory=DIRECTORY,
    )


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("12000"), ["北京市朝阳区人民法院", "北京市西城区人民法院"]),
        (5 * YI, ["北京市第三中级人民法院", "北京市第二中级人民法院"]),
    ],
)
def test_the_intermediate_court_above_each_basic_court_replaces_it_cpl_205_2(
    amount: Decimal, expected: list[str]
) -> None:
    """CPL Art. 205(2): "向相应的中级人民法院提出" — the intermediate court above each
    basic-level court with territorial competence, grounds kept (法发〔2021〕27号 item 1:
    both parties in Beijing, 5亿元)."""
    basic = _competent(BEIJING_CHAOYANG_ID, "北京市西城区金融大街 1 号")
    found = courts_at_level(basic, amount=amount, thresholds=THRESHOLDS, directory=DIRECTORY)
    assert [c.court.name for c in found] == expected
    assert [c.grounds for c in found] == [("debtor_domicile",), ("creditor_domicile",)]


def test_one_party_outside_the_province_lowers_the_line_to_one_yi_fafa_2021_27_item_2() -> None:
    """法发〔2021〕27号 item 2: a Shanghai debtor and a Beijing creditor, 2亿元: each court's
    province has a party outside it, so every competent court is intermediate."""
    basic = _competent(SHANGHAI_XUHUI_ID, "北京市西城区金融大街 1 号")
    assert party_provinces(basic) == ("上海市", "北京市")
    found = courts_at_level(basic, amount=2 * YI, thresholds=THRESHOLDS, directory=DIRECTORY)
    assert [c.court.name for c in found] == ["上海市第一中级人民法院", "北京市第二中级人民法院"]
    assert all(c.court.level == "intermediate" for c in found)


def test_an_undecidable_level_offers_both_courts_and_a_missing_one_is_unresolved() -> None:
    """CPL Art. 205(2): a creditor address that names no court leaves its province unknown;
    at 2亿元 both levels are offered. A basic court whose intermediate court is not on file
    is reported, not silently kept."""
    basic = _competent(BEIJING_CHAOYANG_ID, "某地某路 1 号")
    found = courts_at_level(basic, amount=2 * YI, thresholds=THRESHOLDS, directory=DIRECTORY)
    assert [c.court.name for c in found] == ["北京市朝阳区人民法院", "北京市第三中级人民法院"]
    stripped = CourtDirectory(
        [replace(c, intermediate="") for c in DIRECTORY.courts if c.level == "basic"]
    )
    found = courts_at_level(
        _competent(BEIJING_CHAOYANG_ID, "北京市西城区金融大街 1 号"),
        amount=6 * YI,
        thresholds=THRESHOLDS,
        directory=stripped,
    )
    assert found.courts == ()
    assert {(u.kind, u.value) for u in found.unresolved} == {
        ("intermediate_court", "北京市朝阳区人民法院"),
        ("intermediate_court", "北京市西城区人民法院"),
    }


def test_a_directory_naming_an_unknown_intermediate_court_is_refused() -> None:
    text = (
        "division_code,province,city,district,court_name,court_level,intermediate_court\n"
        "110105,北京市,北京市,朝阳区,北京市朝阳区人民法院,basic,北京市第九中级人民法院\n"
    )
    with pytest.raises(ValueError, match="第九中级"):
        CourtDirectory.from_csv(text)


def test_every_basic_court_of_the_shipped_directory_has_its_intermediate_court() -> None:
    """CPL Art. 205(2): every directory city has its intermediate court on file."""
    for court in DIRECTORY.courts:
        if court.level == "basic":
            above = DIRECTORY.intermediate_of(court)
            assert above is not None and above.province == court.province, court.name


def test_an_inviting_court_is_kept_whatever_the_amount_cpl_205_1() -> None:
    """CPL Art. 205(1): a court that invited the mediation hears the application itself."""
    invited = competent_courts(
        party_domiciles=(),
        subject_matter_address=None,
        organisation_address=None,
        inviting_court="北京市朝阳区人民法院",
        directory=DIRECTORY,
    )
    found = courts_at_level(invited, amount=6 * YI, thresholds=THRESHOLDS, directory=DIRECTORY)
    assert [(c.court.name, c.grounds) for c in found] == [
        ("北京市朝阳区人民法院", ("inviting_court",))
    ]
