"""Explainable sentiment and topics of customer feedback, Indonesian and English.

Indonesian: a small hand-written lexicon of review words (below), with negation
("tidak bagus" counts as negative) and the words that matched shown in the result, so a
CS member can see why a comment was read as it was. English: vaderSentiment's lexicon
(bundled in the package, nothing downloaded); its matched words are reported too.
The star rating is a separate signal and is not mixed into the text score.

Measured on the PRDECT-ID reviews (data/prdect-id-reviews): see
tests/unit/crm/test_crm_sentiment.py for the accuracy and the floor it keeps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

POSITIVE_ID = {
    "bagus": 2, "baik": 1, "mantap": 2, "mantab": 2, "mantul": 2, "keren": 2, "puas": 2,
    "memuaskan": 2, "suka": 1, "senang": 2, "recommended": 2, "rekomen": 2,
    "rekomended": 2, "recomended": 2, "recommend": 2, "cepat": 1, "cepet": 1, "aman": 1,
    "rapi": 1, "rapih": 1, "sesuai": 1, "original": 1, "ori": 1, "murah": 1, "ramah": 1,
    "amanah": 2, "terima": 0, "kasih": 1, "makasih": 1, "thanks": 1, "thx": 1,
    "berfungsi": 1, "awet": 1, "nyaman": 1, "halus": 1, "lancar": 1, "top": 2, "oke": 1,
    "ok": 1, "okey": 1, "good": 1, "nice": 1, "best": 2, "lengkap": 1, "cakep": 2,
    "cantik": 1, "worth": 1, "sukses": 1, "jos": 2, "joss": 2, "mulus": 1, "wangi": 1,
    "enak": 1, "responsif": 1, "fast": 1, "mantep": 2, "terbaik": 2, "sempurna": 2,
    "alhamdulillah": 1, "tebal": 1, "kokoh": 1, "terpercaya": 2, "langganan": 1,
    "berkualitas": 2, "jernih": 1, "pas": 1, "love": 2, "puass": 2, "bagusss": 2,
    "bgs": 2, "mntp": 2, "trims": 1, "trimakasih": 1, "terimakasih": 1, "lumayan": 1,
}

NEGATIVE_ID = {
    "rusak": -2, "kecewa": -3, "mengecewakan": -3, "jelek": -2, "buruk": -2, "lambat": -2,
    "lama": -1, "lemot": -2, "cacat": -2, "pecah": -2, "retak": -2, "sobek": -2,
    "penyok": -2, "palsu": -3, "kw": -1, "tipis": -1, "kasar": -1, "bau": -1, "kotor": -1,
    "mati": -2, "error": -2, "eror": -2, "macet": -2, "hilang": -2, "kurang": -2,
    "salah": -2, "beda": -1, "berbeda": -1, "tidak": 0, "zonk": -3, "nyesel": -3,
    "menyesal": -3, "parah": -2, "bohong": -3, "tipu": -3, "penipu": -3, "mahal": -1,
    "lecet": -2, "patah": -2, "bocor": -2, "luntur": -2, "mengecewakan.": -3, "ancur": -2,
    "hancur": -2, "gagal": -2, "susah": -1, "ribet": -1, "sayang": -1, "sayangnya": -1,
    "kapok": -3, "lelet": -2, "kecil": -1, "longgar": -1, "sempit": -1, "panas": -1,
    "bad": -2, "broken": -2, "jelek.": -2, "cuma": -1, "hanya": -1, "padahal": -2,
    "ngga": 0, "kecewaa": -3, "busuk": -2, "berantakan": -2, "goyang": -1, "bunyi": -1,
    "berisik": -1, "ga": 0, "gak": 0, "nggak": 0, "engga": 0, "enggak": 0, "gk": 0,
    "tdk": 0, "bukan": 0, "belum": 0, "blm": 0, "jangan": -1, "males": -2, "malas": -2,
    "gabisa": -2, "ngecewain": -3, "pudar": -1, "kurangg": -2,
}

NEGATORS = {"tidak", "tdk", "ga", "gak", "gk", "nggak", "ngga", "engga", "enggak", "bukan",
            "belum", "blm", "kurang", "tak", "g", "kagak"}

TOPICS: dict[str, set[str]] = {
    "delivery": {"pengiriman", "kirim", "dikirim", "kurir", "sampai", "sampe", "cepat",
                 "lambat", "lama", "ekspedisi", "ongkir", "delivery", "shipping", "arrived"},
    "packaging": {"packing", "packaging", "paking", "bungkus", "dus", "kardus",
                  "bubble", "wrap", "penyok", "package"},
    "quality": {"kualitas", "bahan", "rusak", "bagus", "jelek", "awet", "cacat", "ori",
                "original", "kw", "quality", "broken", "berfungsi", "pecah"},
    "price": {"harga", "murah", "mahal", "worth", "price", "cheap", "expensive", "diskon"},
    "seller": {"seller", "penjual", "respon", "ramah", "admin", "fast", "responsif",
               "amanah", "toko", "service"},
    "accuracy": {"sesuai", "beda", "berbeda", "salah", "gambar", "foto", "deskripsi",
                 "ukuran", "warna", "size", "description"},
}

_WORD = re.compile(r"[a-zA-Z]+")


@dataclass(frozen=True)
class Sentiment:
    label: str  # positive, negative or neutral
    score: float  # -1 .. 1
    matched: list[str] = field(default_factory=list)  # "bagus(+2)", "tidak bagus(-2)"
    topics: list[str] = field(default_factory=list)
    method: str = "lexicon-id"


def _words(text: str) -> list[str]:
    words = [w.lower() for w in _WORD.findall(text)]
    # Indonesian reviews stretch words ("bagusss", "mantappp"): squeeze repeats to two,
    # then try one.
    return [re.sub(r"(.)\1{2,}", r"\1", w) for w in words]


def topics_of(text: str) -> list[str]:
    words = set(_words(text))
    return sorted(name for name, keys in TOPICS.items() if words & keys)


def indonesian(text: str) -> Sentiment:
    """Sum of lexicon weights; a negator flips the next word with a weight."""
    total = 0
    matched: list[str] = []
    words = _words(text)
    negate_left = 0
    negator = ""
    for word in words:
        if word in NEGATORS:
            negate_left, negator = 2, word
            if word == "kurang":  # "kurang" alone is a complaint ("masih kurang")
                total -= 1
                matched.append("kurang(-1)")
            continue
        weight = POSITIVE_ID.get(word, 0) or NEGATIVE_ID.get(word, 0)
        if weight and negate_left:
            weight = -weight if weight > 0 else 1
            matched.append(f"{negator} {word}({weight:+d})")
            negate_left = 0
        elif weight:
            matched.append(f"{word}({weight:+d})")
        negate_left = max(0, negate_left - 1)
        total += weight
    score = max(-1.0, min(1.0, total / 4))
    label = "positive" if total > 0 else "negative" if total < 0 else "neutral"
    return Sentiment(label=label, score=round(score, 3), matched=matched,
                     topics=topics_of(text), method="lexicon-id")


@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def english(text: str) -> Sentiment:
    """vaderSentiment's compound score; matched words are those in its lexicon."""
    analyser = _vader()
    compound = float(analyser.polarity_scores(text)["compound"])
    lexicon: dict[str, float] = analyser.lexicon
    matched = [f"{w}({lexicon[w]:+.1f})" for w in _words(text) if w in lexicon]
    label = "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"
    return Sentiment(label=label, score=round(compound, 3), matched=matched,
                     topics=topics_of(text), method="vader-en")


def analyse(text: str, language: str) -> Sentiment:
    if language == "en":
        return english(text)
    if language == "id":
        return indonesian(text)
    raise NotImplementedError(f"sentiment for language {language!r} not supported yet")
