"""Bulk badge order: by the name as staff search for it, across scripts, or family name."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from confapp.badges.order import family_name
from confapp.badges.order import search_key
from confapp.badges.order import sort_registrations


@dataclass
class Reg:
    id: int
    full_name: str
    name_latin: str = ""
    organisation: str = ""
    country: str = "KE"


def names(regs) -> list[str]:
    return [r.full_name for r in regs]


def test_search_key_is_latin_without_accents_or_case():
    assert search_key("Zoë Ñúñez") == "zoe nunez"
    assert search_key("Łukasz Żółć") == "lukasz zolc"
    assert search_key("张磊") == "zhanglei"
    assert search_key("राजेश कुमार") == "rajes kumar"
    assert search_key("محمد") == "mhmd"
    assert search_key("  O'Brien-Smith ") == "o brien smith"


def test_names_of_every_script_are_interleaved_not_appended():
    regs = [
        Reg(1, "Zoë Abara"),
        Reg(2, "张磊", "Zhang Lei"),
        Reg(3, "Ana Silva"),
        Reg(4, "محمد الهاشمي", "Muhammad al-Hashimi"),
        Reg(5, "राजेश शर्मा"),  # no Latin spelling: transliterated (rajes sarma)
        Reg(6, "Łukasz Nowak"),
        Reg(7, "Émile Durand"),
    ]
    assert names(sort_registrations(regs)) == [
        "Ana Silva",
        "Émile Durand",
        "Łukasz Nowak",
        "محمد الهاشمي",
        "राजेश शर्मा",
        "张磊",
        "Zoë Abara",
    ]


@pytest.mark.parametrize(
    ("full_name", "name_latin", "family"),
    [
        ("Ana Maria Silva", "", "Silva"),
        ("DIALLO Aïssatou", "", "DIALLO"),
        ("张磊", "", "张"),
        ("张磊", "Zhang Lei", "Zhang"),
        ("张磊", "Lei ZHANG", "ZHANG"),
        ("محمد عبد الله الهاشمي", "", "الهاشمي"),
        ("Nguyễn Văn An", "NGUYỄN Văn An", "NGUYỄN"),
        ("Madonna", "", "Madonna"),
    ],
)
def test_family_name(full_name, name_latin, family):
    assert family_name(full_name, name_latin) == family


def test_family_name_order_and_ties():
    regs = [
        Reg(1, "Zoë Abara"),
        Reg(2, "张磊", "Zhang Lei"),
        Reg(3, "Bruno Costa"),
        Reg(4, "Ana Costa"),
        Reg(5, "DIALLO Aïssatou"),
        Reg(6, "王芳"),
    ]
    assert names(sort_registrations(regs, "family")) == [
        "Zoë Abara",
        "Ana Costa",
        "Bruno Costa",
        "DIALLO Aïssatou",
        "王芳",  # Wang
        "张磊",  # Zhang
    ]


def test_organisation_and_country_orders():
    regs = [
        Reg(1, "B", organisation="UNIDO", country="AT"),
        Reg(2, "A", organisation="", country="CI"),
        Reg(3, "C", organisation="Ålesund Cluster", country="CZ"),
    ]
    assert names(sort_registrations(regs, "organisation")) == ["C", "B", "A"]
    # Côte d'Ivoire before Czechia, as a reader expects (not by code).
    assert names(sort_registrations(regs, "country")) == ["B", "A", "C"]


def test_unknown_order_is_refused():
    with pytest.raises(ValueError, match="unknown order"):
        sort_registrations([], "age")
