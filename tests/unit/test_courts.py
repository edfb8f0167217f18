"""Competent courts for judicial confirmation (CPL Art. 205): the basic-level courts of the
parties' domiciles (resident ID division and address), the subject matter and the
organisation, merged and ordered; the inviting court alone when a court invited the
mediation; nothing guessed, and whatever cannot be placed is reported."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.rules.courts import (
    COLUMNS,
    DEFAULT_CSV,
    CompetentCourt,
    CompetentCourts,
    Court,
    CourtDirectory,
    Domicile,
    Unresolved,
    competent_courts,
    division_of_resident_id,
    is_competent,
)

SAMPLE = Path("/work/shared/data/basic_courts_sample.csv")
DIRECTORY = CourtDirectory.default()
HEADER = ",".join(COLUMNS)

# Valid resident ID numbers (check digit computed) registered in the named divisions.
BEIJING_CHAOYANG_ID = "11010519850612123X"  # demo case 刘强
SHANGHAI_XUHUI_ID = "310104199003054560"  # demo case 赵丽
BEIJING_HAIDIAN_ID = "110108198801015551"  # demo case 吴涛
XUANWU_ID = "11010419800101001X"  # 宣武区, merged into 西城区 in 2010
UNKNOWN_DIVISION_ID = "22099919900101001X"
HK_PERMIT_ID = "810000199001010019"


def test_the_shipped_directory_holds_every_row_of_the_shared_sample() -> None:
    sample = CourtDirectory.from_csv(SAMPLE)  # the six columns, no intermediate_court
    assert set(sample.courts) <= {replace(c, intermediate="") for c in DIRECTORY.courts}
    assert DEFAULT_CSV.name == "courts.csv"


@pytest.mark.parametrize(
    ("city", "districts"),
    [
        ("北京市", "东城区 西城区 朝阳区 丰台区 石景山区 海淀区"),
        ("上海市", "黄浦区 徐汇区 长宁区 静安区 普陀区 虹口区 杨浦区 浦东新区"),
        ("深圳市", "福田区 罗湖区 南山区"),
        ("广州市", "天河区 越秀区"),
        ("杭州市", "西湖区 上城区"),
        ("长春市", "朝阳区"),
    ],
)
def test_every_district_the_demo_and_the_tests_use_resolves(city: str, districts: str) -> None:
    for district in districts.split():
        court = DIRECTORY.find_by_address(f"{city}{district}某某路 1 号")
        assert court is not None, district
        assert court.name == f"{city}{district}人民法院"
        assert court.level == "basic"
        assert DIRECTORY.by_division(court.division_code) == court


@pytest.mark.parametrize(
    ("id_number", "division"),
    [
        (BEIJING_CHAOYANG_ID, "110105"),
        (BEIJING_CHAOYANG_ID.lower(), "110105"),
        (f" {SHANGHAI_XUHUI_ID}\n", "310104"),
        (UNKNOWN_DIVISION_ID, "220999"),
        (HK_PERMIT_ID, None),  # 港澳居民居住证: 18 digits, but no mainland domicile
        ("91110000600037341L", None),  # unified social credit code
        ("E12345678", None),  # passport
        ("11010519850612123", None),  # 17 characters
        ("110105198506121231", None),  # wrong check digit
        ("11010519851332123X", None),  # no such birth date
    ],
)
def test_the_division_comes_from_a_valid_mainland_resident_id_only(
    id_number: str, division: str | None
) -> None:
    assert division_of_resident_id(id_number) == division


@pytest.mark.parametrize(
    ("id_number", "court_name"),
    [  # the resident IDs of app/services/demo_cases.py
        ("11010519850612123X", "北京市朝阳区人民法院"),
        ("310104199003054560", "上海市徐汇区人民法院"),
        ("440304197811207896", "深圳市福田区人民法院"),
        ("330106199207152345", "杭州市西湖区人民法院"),
        ("110108198801015551", "北京市海淀区人民法院"),
    ],
)
def test_every_demo_debtor_id_names_a_court(id_number: str, court_name: str) -> None:
    division = division_of_resident_id(id_number)
    court = DIRECTORY.by_division(division) if division else None
    assert court is not None
    assert court.name == court_name


@pytest.mark.parametrize(
    ("code", "court_name"),
    [
        ("110105", "北京市朝阳区人民法院"),
        ("310104", "上海市徐汇区人民法院"),
        ("110108", "北京市海淀区人民法院"),
        ("440304", "深圳市福田区人民法院"),
        ("330106", "杭州市西湖区人民法院"),
        ("220104", "长春市朝阳区人民法院"),
        ("110104", "北京市西城区人民法院"),
        ("310108", "上海市静安区人民法院"),
        ("220999", None),
        ("999999", None),
    ],
)
def test_a_division_code_names_its_basic_level_court(code: str, court_name: str | None) -> None:
    court = DIRECTORY.by_division(code)
    assert (court.name if court else None) == court_name


@pytest.mark.parametrize(
    ("address", "court_name"),
    [
        ("北京市朝阳区建国路 1 号", "北京市朝阳区人民法院"),
        ("北京朝阳区建国路88号", "北京市朝阳区人民法院"),
        ("吉林省长春市朝阳区人民大街 1 号", "长春市朝阳区人民法院"),
        ("长春朝阳区前进大街", "长春市朝阳区人民法院"),
        ("广东省深圳市福田区深南大道 1 号", "深圳市福田区人民法院"),
        ("上海市浦东新区世纪大道 100 号", "上海市浦东新区人民法院"),
        ("上海市　浦东新区　世纪大道", "上海市浦东新区人民法院"),
        ("北京市宣武区菜市口", "北京市西城区人民法院"),
        ("北京市西城区金融街", "北京市西城区人民法院"),
        ("杭州市下城区", "杭州市拱墅区人民法院"),
        ("浦东新区世纪大道 100 号", "上海市浦东新区人民法院"),
        # A bare district name shared by two cities: ambiguous, never guessed.
        ("朝阳区建国路 1 号", None),
        # Two districts of different cities in one address: ambiguous.
        ("上海市徐汇区漕溪路（户籍：北京市海淀区）", None),
        # A city the directory lacks, with a district name it holds elsewhere.
        ("南昌西湖区", None),
        ("中国浦东新区", None),
        ("江西省南昌市西湖区", None),
        ("北京市通州区新华大街", None),
        ("", None),
    ],
)
def test_an_address_names_a_court_only_when_unambiguous(
    address: str, court_name: str | None
) -> None:
    court = DIRECTORY.find_by_address(address)
    assert (court.name if court else None) == court_name


@pytest.mark.parametrize(
    ("address", "court_name"),
    [
        ("西城区金融街", "北京市西城区人民法院"),  # 城区 inside 西城区 is not a second match
        ("城区北大街", "阳泉市城区人民法院"),
        ("山西省阳泉市城区北大街", "阳泉市城区人民法院"),
        ("北京市西城区金融街", "北京市西城区人民法院"),
    ],
)
def test_the_longest_district_name_wins_over_one_it_contains(address: str, court_name: str) -> None:
    yangquan = Court("140302", "山西省", "阳泉市", "城区", "阳泉市城区人民法院", "basic")
    directory = CourtDirectory([*DIRECTORY.courts, yangquan])
    court = directory.find_by_address(address)
    assert court is not None
    assert court.name == court_name


def test_beijing_debtor_shanghai_creditor_and_a_beijing_organisation() -> None:
    result = competent_courts(
        party_domiciles=[
            Domicile("debtor", BEIJING_CHAOYANG_ID, "北京市海淀区中关村大街 1 号"),
            Domicile("creditor", "91310000MA1FL0000X", "上海市浦东新区世纪大道 100 号"),
        ],
        subject_matter_address=None,
        organisation_address="北京市朝阳区建国路 88 号 6 层",
        inviting_court=None,
        directory=DIRECTORY,
    )
    assert [(c.court.name, c.grounds) for c in result] == [
        ("北京市朝阳区人民法院", ("debtor_domicile", "organisation")),
        ("北京市海淀区人民法院", ("debtor_domicile",)),
        ("上海市浦东新区人民法院", ("creditor_domicile",)),
    ]
    assert result.unresolved == ()


def test_the_same_court_from_id_and_address_is_listed_once() -> None:
    result = competent_courts(
        party_domiciles=[
            Domicile("creditor", None, "上海市徐汇区漕溪路"),
            Domicile("debtor", SHANGHAI_XUHUI_ID, "上海市徐汇区漕溪路"),
            Domicile("debtor", XUANWU_ID, None),
        ],
        subject_matter_address="上海市徐汇区漕溪路",
        organisation_address=None,
        inviting_court=None,
        directory=DIRECTORY,
    )
    assert list(result) == [
        CompetentCourt(
            DIRECTORY.by_name("上海市徐汇区人民法院"),  # type: ignore[arg-type]
            ("debtor_domicile", "creditor_domicile", "subject_matter"),
        ),
        CompetentCourt(
            DIRECTORY.by_name("北京市西城区人民法院"),  # type: ignore[arg-type]
            ("debtor_domicile",),
        ),
    ]
    assert result.courts[1].court.district == "西城区"


def test_inputs_without_a_court_are_reported_not_dropped_silently() -> None:
    result = competent_courts(
        party_domiciles=[
            Domicile("debtor", UNKNOWN_DIVISION_ID, "朝阳区建国路 1 号"),
            Domicile("creditor", HK_PERMIT_ID, "深圳市南山区科技园"),
        ],
        subject_matter_address="北京市通州区新华大街",
        organisation_address=None,
        inviting_court=None,
        directory=DIRECTORY,
    )
    assert [c.court.name for c in result] == ["深圳市南山区人民法院"]
    assert result.unresolved == (
        Unresolved("debtor_domicile", "division", "220999"),
        Unresolved("debtor_domicile", "address", "朝阳区建国路 1 号"),
        Unresolved("subject_matter", "address", "北京市通州区新华大街"),
    )


def test_an_inviting_court_is_the_only_court_whatever_its_level() -> None:
    directory = CourtDirectory.from_csv(
        f"{HEADER}\n"
        "110105,北京市,北京市,朝阳区,北京市朝阳区人民法院,basic\n"
        "110105,北京市,北京市,朝阳区,北京市第三中级人民法院,intermediate\n"
    )
    kwargs = {
        "party_domiciles": [Domicile("debtor", BEIJING_CHAOYANG_ID, None)],
        "subject_matter_address": None,
        "organisation_address": None,
        "directory": directory,
    }
    invited = competent_courts(inviting_court="北京市第三中级人民法院", **kwargs)
    assert [(c.court.name, c.grounds) for c in invited] == [
        ("北京市第三中级人民法院", ("inviting_court",))
    ]
    missing = competent_courts(inviting_court="北京市第九人民法院", **kwargs)
    assert missing == CompetentCourts(
        (), (Unresolved("inviting_court", "court_name", "北京市第九人民法院"),)
    )


def test_a_court_that_is_not_basic_level_is_never_listed_from_a_domicile() -> None:
    directory = CourtDirectory.from_csv(
        f"{HEADER}\n110105,北京市,北京市,朝阳区,北京市第三中级人民法院,intermediate\n"
    )
    result = competent_courts(
        party_domiciles=[Domicile("debtor", BEIJING_CHAOYANG_ID, "北京市朝阳区建国路")],
        subject_matter_address=None,
        organisation_address=None,
        inviting_court=None,
        directory=directory,
    )
    assert result.courts == ()
    assert directory.by_division("110105") is None
    assert directory.find_by_address("北京市朝阳区建国路") is None
    assert directory.by_name("北京市第三中级人民法院") is not None


@pytest.mark.parametrize(
    ("court_name", "competent"),
    [
        ("北京市朝阳区人民法院", True),
        (" 北京市朝阳区人民法院 ", True),
        ("上海市浦东新区人民法院", True),
        ("北京市海淀区人民法院", False),
        ("北京市朝阳区法院", False),
        ("长春市朝阳区人民法院", False),
        ("", False),
    ],
)
def test_a_court_outside_the_competent_list_is_refused(court_name: str, competent: bool) -> None:
    result = competent_courts(
        party_domiciles=[
            Domicile("debtor", BEIJING_CHAOYANG_ID, None),
            Domicile("creditor", None, "上海市浦东新区世纪大道 100 号"),
        ],
        subject_matter_address=None,
        organisation_address=None,
        inviting_court=None,
        directory=DIRECTORY,
    )
    assert is_competent(court_name, result) is competent
    assert is_competent(court_name, result.courts) is competent


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("division_code,province,city,district,court_name\n", "columns"),
        (f"{HEADER}\n11010,北京市,北京市,东城区,北京市东城区人民法院,basic\n", "line 2"),
        (f"{HEADER}\n110101,北京市,北京市,东城区,北京市东城区人民法院,Basic\n", "court_level"),
        (f"{HEADER}\n110101,北京市,北京市,,北京市东城区人民法院,basic\n", "every column"),
        (
            f"{HEADER}\n110101,北京市,北京市,东城区,A法院,basic\n"
            "110101,北京市,北京市,东城区,B法院,basic\n",
            "two basic-level courts",
        ),
    ],
)
def test_a_malformed_court_csv_is_refused_with_the_reason(csv_text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CourtDirectory.from_csv(csv_text)


def test_a_csv_file_saved_by_a_spreadsheet_with_a_bom_loads(tmp_path: Path) -> None:
    path = tmp_path / "courts.csv"
    path.write_text(
        f"{HEADER}\n220104,吉林省,长春市,朝阳区,长春市朝阳区人民法院,basic\n", encoding="utf-8-sig"
    )
    directory = CourtDirectory.from_csv(path)
    assert directory.courts == (
        Court("220104", "吉林省", "长春市", "朝阳区", "长春市朝阳区人民法院", "basic"),
    )
    assert CourtDirectory.from_csv(str(path)).courts == directory.courts


def test_an_unknown_party_role_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="role"):
        competent_courts(
            party_domiciles=[Domicile("guarantor", None, "北京市朝阳区")],
            subject_matter_address=None,
            organisation_address=None,
            inviting_court=None,
            directory=DIRECTORY,
        )
