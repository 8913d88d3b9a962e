"""Dates as Chinese pages print them: 2018年10月31日13:58, 2024-01-09 18:54, 2005-3-11.

Returned as naive datetimes in the local time the page prints; no timezone is
guessed. `DateMatch.precision` records how much the page actually said, so a
page that only gives a month is not mistaken for one that gives a day.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import NamedTuple

# Full-width digits and separators are common in older GB2312 pages.
_NARROW = dict(zip("０１２３４５６７８９：－／．　", "0123456789:-/. "))

_TIME = r"(?:\s*(?:日)?\s*T?\s*(?P<hour>[01]?\d|2[0-3])\s*[:：时時]\s*(?P<minute>[0-5]\d)(?:\s*[:：分]\s*(?P<second>[0-5]\d))?)?"
# A year not preceded by a digit or a dot. The check sits after the century,
# looking back past it ((?<![\d.]..)), rather than first: a pattern opening
# with a lookbehind is tried at every position, one opening with 19|20 only
# where re's scan for a 1 or a 2 stops (twice as fast on a line of prose).
_DATE = re.compile(
    r"(?P<year>(?:19|20)(?<![\d.]..)\d{2})\s*"
    r"(?:年\s*(?P<cmonth>\d{1,2})\s*月(?:\s*(?P<cday>\d{1,2})\s*日)?"
    r"|(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?![\d]))" + _TIME
)
# 二〇二四年一月九日: official documents date themselves in Chinese numerals.
_CN_DIGITS = {"〇": 0, "○": 0, "Ｏ": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_DATE = re.compile(r"(?P<year>[〇○Ｏ零一二三四五六七八九]{4})年(?P<month>[一二三四五六七八九十]{1,2})月(?:(?P<day>[一二三四五六七八九十]{1,3})日)?")
# 9/17/2004 5:54:13 AM: US-locale server defaults on old ASP pages.
_US_DATE = re.compile(
    r"(?<![\d/])(?P<month>1[0-2]|0?[1-9])/(?P<day>3[01]|[12]\d|0?[1-9])/(?P<year>(?:19|20)\d{2})"
    r"(?:\s*-?\s+(?P<hour>2[0-3]|[01]?\d):(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?\s*(?P<ampm>[AaPp][Mm])?)?"
)
# Words that introduce a publication stamp: 发布时间, 发表于, 本贴由某某于, posted.
_STAMP_LABEL = re.compile(r"(?:发布|发表|更新|时间|日期|于|张贴\s*@?|@|posted|published|date)\s*[:：]?\s*$", re.I)
_LABEL_REACH = 12

# /2018/1031/, /2018-10/31/, /20181031/ and the like in article URLs.
_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?!\d)")

YEAR, MONTH, DAY, MINUTE, SECOND = "year", "month", "day", "minute", "second"
_EARLIEST_YEAR = 1990


class DateMatch(NamedTuple):
    """A date found in text, its precision and where it was printed (text[start:end]).

    A NamedTuple, not a frozen dataclass: as immutable, and a third of the cost
    to make (find_dates makes one per date on every line it reads).
    """

    value: datetime
    precision: str
    start: int
    end: int
    # For 06/02/2022-style dates that read either way: the day-first reading.
    alternative: datetime | None = None

    def resolved(self, evidence: "DateMatch | None") -> "DateMatch":
        """This date, or its day-first reading when machine-readable evidence names that day."""
        if self.alternative is None or evidence is None:
            return self
        if evidence.value.date() == self.alternative.date():
            return DateMatch(self.alternative, self.precision, self.start, self.end)
        return self


# The characters _NARROW maps. str.translate would look every character of a
# CJK line up in a table (~60 ns each); a regex scan for these few and a
# str.replace per one found (each maps to an ASCII character, which none is
# mapped from, so the order does not matter) is a fraction of that, and most
# lines hold none.
_WIDE_CHARS = re.compile("[" + "".join(_NARROW) + "]")


def widen(text: str) -> str:
    """Full-width digits and separators to ASCII, length-preserving: text.translate(str.maketrans(_NARROW))."""
    for wide in set(_WIDE_CHARS.findall(text)):
        text = text.replace(wide, _NARROW[wide])
    return text


_AHEAD = timedelta(days=2)


def _plausible(value: datetime, now: datetime) -> bool:
    return _EARLIEST_YEAR <= value.year and value <= now + _AHEAD


# Every date form but 二〇二四年 holds a digit (`\d` is any script's) and a
# 19xx/20xx year. Checked first: most lines of a page have neither, and these
# scans are quick where _DATE, opening with a lookbehind, is tried at every position.
_ANY_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"(?:19|20)\d\d")


def find_dates(text: str, now: datetime | None = None) -> list[DateMatch]:
    """Every plausible date in `text`, in order."""
    wide = None
    if "年" not in text:
        if _ANY_DIGIT.search(text) is None:
            return []
        wide = widen(text)
        if _YEAR.search(wide) is None:
            return []
    now = now or datetime.now()
    found = []
    for m in _DATE.finditer(wide if wide is not None else widen(text)):
        year = int(m["year"])
        month = int(m["cmonth"] or m["month"])
        day_text = m["cday"] or m["day"]
        precision = DAY if day_text else MONTH
        day = int(day_text) if day_text else 1
        hour = minute = second = 0
        if day_text and m["hour"] is not None:
            hour, minute = int(m["hour"]), int(m["minute"])
            precision = MINUTE
            if m["second"] is not None:
                second, precision = int(m["second"]), SECOND
        try:
            value = datetime(year, month, day, hour, minute, second)
        except ValueError:
            continue
        if _plausible(value, now):
            found.append(DateMatch(value, precision, m.start(), m.end()))
    if not found:
        found = _us_dates(text, now)
    if not found and "年" in text:
        found = _chinese_numeral_dates(text, now)
    return found


def _cn_number(text: str) -> int:
    """一 .. 三十一 as an int (十 = 10, 二十一 = 21)."""
    if "十" not in text:
        return _CN_DIGITS[text]
    tens, _, units = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def _chinese_numeral_dates(text: str, now: datetime) -> list[DateMatch]:
    found = []
    for m in _CN_DATE.finditer(text):
        try:
            year = int("".join(str(_CN_DIGITS[ch]) for ch in m["year"]))
            value = datetime(year, _cn_number(m["month"]), _cn_number(m["day"]) if m["day"] else 1)
        except (KeyError, ValueError):
            continue
        if _plausible(value, now):
            found.append(DateMatch(value, DAY if m["day"] else MONTH, m.start(), m.end()))
    return found


def _us_dates(text: str, now: datetime) -> list[DateMatch]:
    found = []
    for m in _US_DATE.finditer(text):
        hour = int(m["hour"]) if m["hour"] else 0
        if m["ampm"] and m["ampm"].lower() == "pm" and hour < 12:
            hour += 12
        elif m["ampm"] and m["ampm"].lower() == "am" and hour == 12:
            hour = 0
        try:
            value = datetime(
                int(m["year"]), int(m["month"]), int(m["day"]), hour,
                int(m["minute"] or 0), int(m["second"] or 0),
            )  # fmt: skip
        except ValueError:
            continue
        precision = SECOND if m["second"] else MINUTE if m["minute"] else DAY
        alternative = None
        if int(m["day"]) <= 12 and m["day"] != m["month"]:
            alternative = value.replace(month=int(m["day"]), day=int(m["month"]))
        if _plausible(value, now):
            found.append(DateMatch(value, precision, m.start(), m.end(), alternative))
    return found


def labelled_date(text: str, now: datetime | None = None) -> DateMatch | None:
    """A full date right after a stamp label (发布时间：, 发表于, 于): the page saying when it was posted."""
    return labelled_among(text, find_dates(text, now))


def labelled_among(text: str, dates: list[DateMatch]) -> DateMatch | None:
    """labelled_date for the dates find_dates already found in `text` (a caller needing both scans once)."""
    for match in dates:
        if match.precision in (YEAR, MONTH):
            continue
        if _STAMP_LABEL.search(widen(text[max(0, match.start - _LABEL_REACH) : match.start])):
            return match
    return None


def first_date(text: str, *, min_precision: str = DAY, now: datetime | None = None) -> DateMatch | None:
    ranks = (YEAR, MONTH, DAY, MINUTE, SECOND)
    for match in find_dates(text, now):
        if ranks.index(match.precision) >= ranks.index(min_precision):
            return match
    return None


def url_date(url: str | None, now: datetime | None = None) -> DateMatch | None:
    """A date in the URL path, the last resort: it is when the page was filed, not always published."""
    if not url:
        return None
    now = now or datetime.now()
    for m in _URL_DATE.finditer(url):
        try:
            value = datetime(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
        if _plausible(value, now):
            return DateMatch(value, DAY, m.start(), m.end())
    return None


def parse_meta_date(value: str) -> DateMatch | None:
    """A date from <meta> content (ISO 8601 or a printed form); the offset is dropped, not applied."""
    value = value.strip()
    iso = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?", value)
    if iso:
        parts = [int(p) if p else 0 for p in iso.groups()]
        try:
            stamp = datetime(*parts[:3], parts[3], parts[4], parts[5])
        except ValueError:
            return None
        precision = SECOND if iso[6] else MINUTE if iso[4] else DAY
        return DateMatch(stamp, precision, 0, len(value))
    return first_date(value)
