"""UN M49 country groups: the data file and its reader, checked on known codes."""

from __future__ import annotations

import pycountry
import pytest

from confapp import country_groups as cg
from confapp.i18n import force_language


def test_known_codes():
    np_ = cg.lookup("NP")
    assert np_.ldc and np_.lldc and not np_.sids and not np_.developed
    assert np_.region == "142" and np_.sub_region == "034"  # Asia, Southern Asia
    mu = cg.lookup("mu")  # case-insensitive
    assert mu.sids and not mu.ldc and mu.region == "002" and mu.intermediate_region == "014"
    br = cg.lookup("BR")
    assert not br.ldc and not br.lldc and not br.sids and br.region == "019"
    assert br.sub_region == "419" and br.intermediate_region == "005"
    assert cg.in_group("BT", cg.LLDC) and not cg.in_group("BT", cg.LDC)  # graduated 2023
    assert not cg.in_group("ST", cg.LDC) and cg.in_group("ST", cg.SIDS)  # graduated 2024
    assert cg.groups_of("ET") == {"002", "202", "014", "LDC", "LLDC", "DEVELOPING"}
    assert cg.lookup("SG").sids and not cg.lookup("SG").developed
    assert cg.lookup("JP").developed and cg.lookup("DE").developed and cg.lookup("AU").developed
    assert not cg.lookup("IN").developed and not cg.lookup("CN").developed


def test_list_sizes():
    assert len(cg.members("LDC")) == 44
    assert len(cg.members("lldc")) == 32
    assert len(cg.members("SIDS")) == 56
    everyone = set(cg.members("DEVELOPED")) | cg.members("DEVELOPING")
    assert not cg.members("DEVELOPED") & cg.members("DEVELOPING")
    assert everyone == {entry for region in cg.REGIONS for entry in cg.members(region)}
    # Every LDC is in a developing region; M49 keeps Europe whole, so the two European
    # landlocked developing countries sit in a developed region.
    assert cg.members("LDC") <= cg.members("DEVELOPING")
    assert cg.members("LLDC") & cg.members("DEVELOPED") == {"MD", "MK"}


def test_every_iso_code_is_classified_but_those_m49_leaves_out():
    iso = {c.alpha_2 for c in pycountry.countries}
    listed = {code for code in iso if cg.lookup(code)}
    assert iso - listed == {"AQ", "TW"}
    for code in listed:
        entry = cg.lookup(code)
        assert entry.region in cg.REGIONS
        assert entry.sub_region in cg.AREA_NAMES
        assert entry.intermediate_region in (None, *cg.AREA_NAMES)


def test_unknown_codes_and_groups():
    assert cg.lookup(None) is None and cg.lookup("XX") is None and cg.lookup("") is None
    assert cg.groups_of("AQ") == frozenset() and cg.region_of("ZZ") is None
    assert cg.members("nonsense") == frozenset()
    assert cg.is_group("ldc") and cg.is_group("002") and not cg.is_group("999")


@pytest.mark.parametrize(
    ("lang", "name"),
    [("en", "Least developed countries (LDC)"), ("fr", "Pays les moins avancés (PMA)")],
)
def test_names_follow_the_language(app_ctx, lang, name):
    with force_language(lang):
        assert cg.group_name("LDC") == name
        assert cg.group_name("999") == "999"
        assert dict(cg.group_choices())["002"] in ("Africa", "Afrique")
