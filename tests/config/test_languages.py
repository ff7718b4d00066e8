"""ISO 639 codes: the start-up literal equals pycountry's list; three-letter codes, case and
'multi' (cards only)."""

from __future__ import annotations

import pytest

from llmselect.config import languages
from llmselect.config.languages import check_language, check_languages


def test_the_two_letter_literal_is_pycountrys_list():
    import pycountry

    assert languages.ISO_639_1 == {lang.alpha_2 for lang in pycountry.languages
                                   if hasattr(lang, "alpha_2")}


@pytest.mark.parametrize("code, expected", [("en", "en"), ("FR", "fr"), (" de ", "de"),
                                            ("yue", "yue"), ("gsw", "gsw"), ("eng", "eng")])
def test_known_codes_are_accepted_and_lower_cased(code, expected):
    assert check_language(code) == expected


@pytest.mark.parametrize("code, words", [
    ("xx", "unknown language code 'xx'"), ("english", "did you mean 'en'"),
    ("fr-FR", "unknown language code"), ("qqq", "unknown language code"), (3, "not text"),
    ("multi", "'multi' is not a language"),
])
def test_unknown_codes_are_refused(code, words):
    with pytest.raises(ValueError, match=words):
        check_language(code)


def test_multi_only_where_a_card_says_many():
    assert check_languages(["en", "multi"], allow_multi=True) == ["en", "multi"]
    with pytest.raises(ValueError):
        check_languages(["en", "multi"])


def test_every_builtin_card_and_profile_passes():
    from llmselect import resources
    from llmselect.catalog import load_catalog
    from llmselect.config.profile_schema import load_profile

    assert load_catalog().models
    for name in resources.list_named_yaml("profiles"):
        load_profile(name)
