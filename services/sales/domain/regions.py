"""The Indonesian region table (Kemendagri codes): provinsi -> kabupaten/kota ->
kecamatan, with the postal codes (kode pos) of each kecamatan's villages.

Customers write regencies loosely ("Kab. Sleman", "Sleman", "Jakarta Barat"); a name
without its Kabupaten/Kota prefix is accepted when it names one regency of the province,
or one regency holding the given kecamatan.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from contracts.sales import Destination
from services.sales.domain import UnknownAddressError

_PREFIXES = ("kabupaten administrasi ", "kota administrasi ", "kabupaten ", "kota ")
_ABBREVIATIONS = {"kab. ": "kabupaten ", "kab ": "kabupaten ", "kot. ": "kota ",
                  "kota adm. ": "kota administrasi ", "kab. adm. ": "kabupaten administrasi "}
_PROVINCE_ALIASES = {"dki jakarta": "31", "jakarta": "31", "diy": "34", "yogyakarta": "34",
                     "di yogyakarta": "34", "jogja": "34", "ntb": "52", "ntt": "53"}


def _norm(text: str) -> str:
    text = re.sub(r"\s+", " ", (text or "").strip().casefold())
    for short, long in _ABBREVIATIONS.items():
        if text.startswith(short):
            text = long + text[len(short):]
    return text


def _bare(name: str) -> str:
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


@dataclass(frozen=True)
class Regency:
    code: str
    province_code: str
    name: str


class RegionTable:
    """Lookup of the official areas; loaded once from the CSV files."""

    def __init__(self, directory: Path) -> None:
        with (directory / "provinces.csv").open(encoding="utf-8", newline="") as f:
            self.provinces = {r["kode"]: r["nama"].strip() for r in csv.DictReader(f)}
        self.regencies: dict[str, Regency] = {}
        with (directory / "regencies.csv").open(encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                self.regencies[r["kode"]] = Regency(r["kode"], r["kode_provinsi"],
                                                    r["nama"].strip())
        self.districts: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
        with (directory / "districts.csv").open(encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                self.districts[r["kode_kabkota"]][_norm(r["nama"])] = (r["kode"],
                                                                      r["nama"].strip())
        self.postal_codes: dict[str, set[str]] = defaultdict(set)
        with (directory / "villages.csv").open(encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                self.postal_codes[r["kode_kecamatan"]].add(r["kodepos"])

    def check(self, *, province: str, city: str, district: str,
              postal_code: str) -> Destination:
        """The official names of a customer's address, or a 422 naming the bad part."""
        province_code = self._province(province)
        candidates = self._regencies(province_code, city)
        found: list[tuple[Regency, str, str]] = []
        for regency in candidates:
            hit = self.districts[regency.code].get(_norm(district))
            if hit is not None:
                found.append((regency, *hit))
        if not found:
            raise UnknownAddressError(
                f"no kecamatan {district.strip()!r} in {candidates[0].name}"
                if len(candidates) == 1 else
                f"no kecamatan {district.strip()!r} in the matching regencies",
                field="address.district",
            )
        if len(found) > 1:
            raise UnknownAddressError(
                "city is ambiguous: write Kabupaten or Kota", field="address.city")
        regency, district_code, district_name = found[0]
        code = (postal_code or "").strip()
        if code not in self.postal_codes.get(district_code, set()):
            raise UnknownAddressError(
                f"postal code does not belong to kecamatan {district_name}",
                field="address.postal_code",
            )
        return Destination(province_code=province_code,
                           province=self.provinces[province_code], city=regency.name,
                           district=district_name, postal_code=code)

    def _province(self, text: str) -> str:
        wanted = _norm(text)
        if wanted.startswith("provinsi "):
            wanted = wanted[len("provinsi "):]
        if wanted in self.provinces:
            return wanted
        if wanted in _PROVINCE_ALIASES:
            return _PROVINCE_ALIASES[wanted]
        for code, name in self.provinces.items():
            if _norm(name) == wanted:
                return code
        raise UnknownAddressError(f"unknown province {text.strip()!r}",
                                  field="address.province")

    def _regencies(self, province_code: str, text: str) -> list[Regency]:
        wanted = _norm(text)
        in_province = [r for r in self.regencies.values() if r.province_code == province_code]
        exact = [r for r in in_province if _norm(r.name) == wanted]
        if exact:
            return exact
        bare = [r for r in in_province if _bare(_norm(r.name)) == _bare(wanted)]
        if bare:
            return bare
        raise UnknownAddressError(
            f"no kabupaten/kota {text.strip()!r} in {self.provinces[province_code]}",
            field="address.city",
        )


def default_regions_dir() -> Path:
    """``data/wilayah-indonesia`` at the repository root."""
    return Path(__file__).resolve().parents[3] / "data" / "wilayah-indonesia"
