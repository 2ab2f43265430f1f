"""Masking personal data in free text, on adversarial strings."""

from __future__ import annotations

import pandas as pd
import pytest

from cvmkit.privacy import EMAIL_RE, PHONE_RE, find_pii, mask_pii

ADVERSARIAL = [
    ("mail me: Jo.Bloggs+cvm@Example.CO.uk!", "mail me: [email]!"),
    ("jo (at) example (dot) com", "[email]"),
    ("jo at example dot com please", "[email] please"),
    ("ring +44 (0)20 7946 0958 today", "ring [phone] today"),
    ("07700-900-123", "[phone]"),
    ("call 0044.7700.900123.", "call [phone]."),
    ("(555) 123 4567", "[phone]"),
    ("write to JO_BLOGGS@mail-server.example.org", "write to [email]"),
    # "at" as a word before a real address: the address is masked whole, domain included
    ("email me at jo.bloggs@example.com", "email me at [email]"),
]


@pytest.mark.parametrize(("text", "expected"), ADVERSARIAL)
def test_masks_emails_and_phones(text, expected):
    masked = mask_pii(text)
    assert masked == expected
    assert not EMAIL_RE.search(masked) and not PHONE_RE.search(masked)


def test_prices_years_and_scores_are_kept():
    for text in ("Paid £3.50 in 2024, rated it 9/10, queue of 12 people",
                 "I arrived at 10 dot 30", "opens at 7.30 daily"):
        assert mask_pii(text) == text


def test_declared_names_masked_whole_words_only():
    out = mask_pii(pd.Series(["Thanks, Alice Smith", "alice was great", "Alicent said hi", None]),
                   names=["Alice Smith"])
    assert out.tolist()[:3] == ["Thanks, [name]", "[name] was great", "Alicent said hi"]
    assert pd.isna(out.iloc[3])


def test_find_pii_lists_what_it_found():
    found = find_pii("x jo@example.com y 07700 900123 z Bob Jones", names=["Bob Jones"])
    assert "jo@example.com" in found and "Bob Jones" in found and len(found) == 3


def test_declared_names_are_looked_up_word_by_word():
    """Full names and their parts of 3+ characters, whatever their punctuation or case; a
    name is found as whole words only, longest first, among many declared names."""
    from cvmkit.privacy import find_pii

    names = ["Mary-Jane O'Brien", "Jo Bloggs", *[f"Person{i} Surname{i}" for i in range(2000)]]
    text = "mary-jane o'brien and JO BLOGGS met bloggsy, Jo and obrien; surname1999 too"
    assert mask_pii(text, names) == ("[name] and [name] met bloggsy, Jo and obrien; "
                                     "[name] too")
    assert find_pii("Ask Bloggs", names) == ["Bloggs"]
    assert mask_pii("O'Brien", names) == "[name]"


def test_a_series_is_masked_as_each_of_its_texts_alone():
    texts = ["Call 0770 0900 123 (evenings)", "No complaints.", None, "No complaints.",
             "mail jo at example dot com", "great at 10 dot 30", "Jo Bloggs was kind",
             "ring +44 20 7946 0958 — Sam", "order 123456 ok", float("nan"), "<a> x (at) y.org"]
    names = ["Jo Bloggs", "Jo Bloggs", "Sam Novak"]
    series = pd.Series(texts, dtype=object)
    masked = mask_pii(series, names)
    for got, text in zip(masked, texts):
        if isinstance(text, str):
            assert got == mask_pii(text, names)
        else:
            assert pd.isna(got)


def test_the_quick_checks_skip_only_texts_the_patterns_cannot_match(monkeypatch):
    import re

    import cvmkit.privacy as privacy

    texts = pd.Series(["jo@example.com", "jo (at) example (dot) com", "x [at] y [dot] org",
                       "jo AT example DOT com", "me {a} host.com", "123-4567", "1 2 3 4 5 6 7",
                       "+44 (0)20 7946 0958", "12345 6", "at 10 dot 30", "plain words",
                       "ｊｏ＠ｅｘａｍｐｌｅ．ｃｏｍ", "٠١٢٣٤٥٦٧", "Regards, Sam Novak"])
    fast = mask_pii(texts, ["Sam Novak"])
    monkeypatch.setattr(privacy, "_MAY_EMAIL", re.compile(""))
    monkeypatch.setattr(privacy, "_SEVEN_DIGITS", re.compile(""))
    pd.testing.assert_series_equal(fast, mask_pii(texts, ["Sam Novak"]))
