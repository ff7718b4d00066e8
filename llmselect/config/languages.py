"""Language codes in profiles, model cards and ``models --language``: ISO 639-1 or ISO 639-3.

WHY validate: an unknown code ('english', 'xx', 'fra-FR') matches no model card, so a
required language would exclude every model and a preferred one would score nothing, with no
sign of why. The standard's own list comes from ``pycountry`` (the iso-codes database); the
184 two-letter codes are also kept here as a literal so the common case costs nothing at
start-up (reading pycountry's 7,900-entry table takes a noticeable fraction of a second), and
``tests/config/test_languages.py`` checks the literal against pycountry so it cannot drift.
Three-letter codes (languages without a two-letter one: 'yue', 'gsw', 'fil') go to pycountry.
"""

from __future__ import annotations

import functools

from llmselect.errors import did_you_mean

#: ISO 639-1 (every ``alpha_2`` of pycountry.languages).
ISO_639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de
dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia
id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo
lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl
ps pt qu rm rn ro ru rw sa sc sd se sg sh si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti
tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())

#: Not a language: a model card's way of saying "many more than listed" (DOMAIN.md).
MULTI = "multi"


@functools.cache
def _iso_639_3() -> frozenset[str]:
    import pycountry

    return frozenset(lang.alpha_3 for lang in pycountry.languages)


def is_language_code(code: str) -> bool:
    """True for an ISO 639-1 code, or an ISO 639-3 code."""
    return code in ISO_639_1 or (len(code) == 3 and code.isalpha() and code in _iso_639_3())


def check_language(code: object, *, allow_multi: bool = False) -> str:
    """The code, lower-cased; ValueError (pydantic turns it into a field error) otherwise."""
    if not isinstance(code, str):
        raise ValueError(f"language code {code!r} is not text; use ISO 639-1 codes such as 'en'")
    low = code.strip().lower()
    if low == MULTI:
        if allow_multi:
            return low
        raise ValueError("'multi' is not a language; name the languages needed by their "
                         "ISO 639-1 codes (en, fr, de...)")
    if is_language_code(low):
        return low
    hint = did_you_mean(low, ISO_639_1) or _by_name(low)
    raise ValueError(f"unknown language code {code!r}{hint}; use ISO 639-1 codes (en, fr, de, "
                     "zh...) or ISO 639-3 for the others")


def _by_name(name: str) -> str:
    """' (did you mean 'fr'?)' for 'french': the error path may afford pycountry's table."""
    import pycountry

    try:
        lang = pycountry.languages.lookup(name)
    except LookupError:
        return ""
    return f" (did you mean {getattr(lang, 'alpha_2', lang.alpha_3)!r}?)"


def check_languages(codes: list, *, allow_multi: bool = False) -> list[str]:
    return [check_language(c, allow_multi=allow_multi) for c in codes]
