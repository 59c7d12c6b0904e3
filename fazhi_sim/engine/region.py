"""Shaoxing's counties, towns and villages, and the regions a run can be asked for.

County populations are sourced (Shaoxing statistics 2023, as reprinted); the city's totals of
103 towns/streets and 2,148 villages/communities are sourced; how villages are spread over
counties and towns, and each village's size, are synthetic: drawn once from a fixed seed, so
every run and every machine sees the same map. ``data/counties.csv`` carries the sources.

Shaoxing is read from a region file, ``data/regions/shaoxing.csv``, in the format any city's
planners can write for their own (:func:`load_region`, ``docs/regions.md``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from .region_file import (
    CountyRow,
    RegionError,
    RegionFileError,
    RegionRows,
    read_region_file,
    read_region_text,
)

__all__ = ["Region", "RegionError", "RegionFileError", "get_region", "region_names",
           "region_hint", "load_region", "TOWN_POPULATION"]

TOWN_POPULATION = 50_000
"""Residents of the synthetic town-sized region used for fast interactive runs (assumed)."""

_LAYOUT_SEED = 20231231  # fixes the synthetic villages; not a run seed
_VILLAGE_SIZE_SIGMA = 0.6  # assumed spread of village sizes (lognormal)


@dataclass(frozen=True, eq=False)
class Region:
    """A simulated area: one or more counties, each with towns and villages.

    Built by :func:`get_region` or :func:`~fazhi_sim.load_region`, rarely by hand.

    Parameters
    ----------
    id, name_zh, name_en : str
        The region's id (as passed to ``get_region``) and display names.
    county_ids, county_names_zh : tuple of str
        One entry per county in the region (a town-sized region has one pseudo-county).
    town_county : numpy.ndarray
        County index of each town, shape (towns,).
    village_town, village_county : numpy.ndarray
        Town and county index of each village, shape (villages,).
    village_population : numpy.ndarray
        Residents per village, shape (villages,); residents are simulated one agent per
        person.
    """

    id: str
    name_zh: str
    name_en: str
    county_ids: tuple[str, ...]
    county_names_zh: tuple[str, ...]
    town_county: np.ndarray
    village_town: np.ndarray
    village_county: np.ndarray
    village_population: np.ndarray

    @property
    def population(self) -> int:
        """Total residents."""
        return int(self.village_population.sum())

    @property
    def n_counties(self) -> int:
        """Number of counties."""
        return len(self.county_ids)

    @property
    def n_towns(self) -> int:
        """Number of towns and streets (镇街)."""
        return len(self.town_county)

    @property
    def n_villages(self) -> int:
        """Number of villages and communities (村社)."""
        return len(self.village_population)

    def county_population(self) -> np.ndarray:
        """Residents per county.

        Returns
        -------
        numpy.ndarray
            int64, shape (counties,), in the order of ``county_ids``.
        """
        return np.bincount(
            self.village_county, weights=self.village_population, minlength=self.n_counties
        ).astype(np.int64)

    def stacked(self, copies: int) -> Region:
        """``copies`` disjoint copies of this region side by side, as a batch simulates them.

        Copy ``r`` holds villages ``r * n_villages`` to ``(r + 1) * n_villages - 1`` and
        likewise its towns and counties, so every array over units keeps its meaning.

        Parameters
        ----------
        copies : int
            Number of copies (1 returns this region).

        Returns
        -------
        Region
            The stacked region, with ``copies`` times the units.
        """
        if copies == 1:
            return self
        shift = np.arange(copies)[:, None]
        return Region(
            self.id, self.name_zh, self.name_en, self.county_ids * copies,
            self.county_names_zh * copies,
            (self.town_county[None, :] + shift * self.n_counties).ravel().astype(
                self.town_county.dtype),
            (self.village_town[None, :] + shift * self.n_towns).ravel().astype(
                self.village_town.dtype),
            (self.village_county[None, :] + shift * self.n_counties).ravel().astype(
                self.village_county.dtype),
            np.tile(self.village_population, copies))


@cache
def _shaoxing_rows() -> RegionRows:
    text = resources.files("fazhi_sim").joinpath("data/regions/shaoxing.csv").read_text("utf-8")
    return read_region_text(text, "data/regions/shaoxing.csv", "shaoxing")


def _counties() -> tuple[CountyRow, ...]:
    return _shaoxing_rows().counties


def _apportion(total: int, weights: np.ndarray, minimum: int = 1) -> np.ndarray:
    """Split an integer total by weights (largest remainder), each part at least ``minimum``."""
    spare = total - minimum * len(weights)
    exact = spare * weights / weights.sum()
    parts = np.floor(exact).astype(np.int64)
    short = spare - parts.sum()
    parts[np.argsort(parts - exact)[:short]] += 1
    return parts + minimum


def _layout(
    rng: np.random.Generator, populations: list[int], towns: list[int], villages: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    town_county, village_town, village_county, village_pop = [], [], [], []
    town0 = 0
    for c, (pop, n_towns, n_vil) in enumerate(zip(populations, towns, villages, strict=True)):
        per_town = _apportion(n_vil, rng.dirichlet(np.full(n_towns, 4.0)))
        vt = np.repeat(np.arange(town0, town0 + n_towns), per_town)
        weights = rng.lognormal(0.0, _VILLAGE_SIZE_SIGMA, n_vil)
        village_pop.append(_apportion(pop, weights, minimum=50))
        town_county.append(np.full(n_towns, c))
        village_town.append(vt)
        village_county.append(np.full(n_vil, c))
        town0 += n_towns
    return (
        np.concatenate(town_county).astype(np.int32),
        np.concatenate(village_town).astype(np.int32),
        np.concatenate(village_county).astype(np.int32),
        np.concatenate(village_pop).astype(np.int64),
    )


def _from_rows(rows: RegionRows) -> Region:
    # One fixed layout seed for every region file: the same file gives the same map.
    counties = rows.counties
    layout = _layout(
        np.random.default_rng(_LAYOUT_SEED),
        [c.population for c in counties],
        [c.towns for c in counties],
        [c.villages for c in counties],
    )
    return Region(rows.id, rows.name_zh, rows.name_en, tuple(c.id for c in counties),
                  tuple(c.name_zh for c in counties), *layout)


@cache
def _shaoxing() -> Region:
    return _from_rows(_shaoxing_rows())


def load_region(path: str | Path) -> Region:
    """Read a region from a CSV file: one row per county with residents, towns and villages.

    Parameters
    ----------
    path
        The file; its format is in ``docs/regions.md`` (the shipped Shaoxing file,
        ``fazhi_sim/data/regions/shaoxing.csv``, is an example). Towns and villages are laid
        out as Shaoxing's are: villages spread over towns and sized from a fixed seed, so a
        file always gives the same region.

    Returns
    -------
    Region
        Its id is the file's ``region`` column, else the file name without extension; pass
        it as ``region=`` to :func:`fazhi_sim.simulate` or :func:`fazhi_sim.run_ensemble`.

    Raises
    ------
    RegionFileError
        One line naming the file, line and column, and what is allowed (a
        :class:`RegionError`).
    """
    rows = read_region_file(path)
    region = _from_rows(rows)
    shipped = _shipped_by_id(rows.id)
    # Results, stored runs and labels name a region by its id: another region under a
    # shipped name would be mistaken for it.
    if shipped is not None and not _same_layout(region, shipped):
        raise RegionFileError(f"{path}:2: region: {rows.id!r} is the name of a shipped region; "
                          "give your region another id in the region column, e.g. mycity")
    return region


def _shipped_by_id(rid: str) -> Region | None:
    try:
        return get_region(rid)
    except RegionError:
        return None


def _same_layout(a: Region, b: Region) -> bool:
    return (a.county_ids == b.county_ids
            and all(np.array_equal(getattr(a, f), getattr(b, f)) for f in
                    ("town_county", "village_town", "village_county", "village_population")))


def _subregion(city: Region, county: int) -> Region:
    keep_towns = np.flatnonzero(city.town_county == county)
    keep_vil = np.flatnonzero(city.village_county == county)
    return Region(
        city.county_ids[county], city.county_names_zh[county], city.county_ids[county].title(),
        (city.county_ids[county],), (city.county_names_zh[county],),
        np.zeros(len(keep_towns), np.int32),
        (city.village_town[keep_vil] - keep_towns[0]).astype(np.int32),
        np.zeros(len(keep_vil), np.int32),
        city.village_population[keep_vil].copy(),
    )


@cache
def _town() -> Region:
    # A synthetic town the size of a large Zhuji town: one town, villages sized as the city's.
    city = _shaoxing()
    n_vil = round(city.n_villages * TOWN_POPULATION / city.population)
    rng = np.random.default_rng(_LAYOUT_SEED + 1)
    pop = _apportion(TOWN_POPULATION, rng.lognormal(0.0, _VILLAGE_SIZE_SIGMA, n_vil), minimum=50)
    zeros = np.zeros(n_vil, np.int32)
    return Region(
        "town", "示范镇", "Model town", ("town",), ("示范镇",),
        np.zeros(1, np.int32), zeros, zeros.copy(), pop,
    )


def _aliases() -> dict[str, tuple[str, int | None]]:
    names: dict[str, tuple[str, int | None]] = {
        "shaoxing": ("shaoxing", None), "绍兴": ("shaoxing", None), "绍兴市": ("shaoxing", None),
        "town": ("town", None), "示范镇": ("town", None),
    }
    for i, c in enumerate(_counties()):
        for alias in (c.id, c.name_zh, c.name_zh[:-1]):
            names[alias] = ("county", i)
    return names


def region_hint(name: str) -> str:
    """``"did you mean zhuji? "`` for a name close to a region's (pinyin or Chinese), else ""."""
    if len(name) > 64:
        return ""
    near = difflib.get_close_matches(name.strip().lower(), list(_aliases()), n=1, cutoff=0.6)
    return f"did you mean {near[0]}? " if near else ""


def region_names() -> list[str]:
    """Region names accepted by :func:`get_region` (pinyin ids; Chinese names work too).

    Returns
    -------
    list of str
        ``"shaoxing"``, the six county ids, and ``"town"``.
    """
    return ["shaoxing", *(c.id for c in _counties()), "town"]


def get_region(name: str | Region) -> Region:
    """Return a region by name.

    Parameters
    ----------
    name
        ``"shaoxing"`` (the city, 5.39 million residents), a county in pinyin or Chinese
        (``"zhuji"``, ``"诸暨"`` or ``"诸暨市"``), or ``"town"`` (a synthetic 50,000-resident
        town for fast interactive runs). A :class:`Region` passes through unchanged.

    Returns
    -------
    Region
        The region (shipped regions are built once per process and reused).

    Raises
    ------
    RegionError
        If the name is not known; the message lists the allowed names.
    """
    if isinstance(name, Region):
        return name
    found = _aliases().get(str(name).strip().lower()) or _aliases().get(str(name).strip())
    if found is None:
        shown = repr(str(name)[:80] + ("…" if len(str(name)) > 80 else ""))
        raise RegionError(
            f"unknown region {shown}; {region_hint(str(name))}allowed: "
            f"{', '.join(region_names())} (or a county's Chinese name, e.g. 诸暨)"
        )
    kind, index = found
    if kind == "shaoxing":
        return _shaoxing()
    if kind == "town":
        return _town()
    assert index is not None
    return _county(index)


@cache
def _county(index: int) -> Region:
    # Once per process, as the city and the town: an ensemble groups a seed's scenarios by
    # their region, and a county built anew for each scenario would group none of them.
    return _subregion(_shaoxing(), index)
