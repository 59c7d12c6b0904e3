"""RunStore: a folder of finished runs, so an interrupted sweep resumes where it stopped."""

from __future__ import annotations

import functools
import hashlib
import os
import time
import uuid
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from ..engine.scenario import Scenario
from ..version import __version__
from .spec import ModelSpec, as_spec

__all__ = ["RunStore", "StoreError", "StoreWarning", "code_digest", "source_digest",
           "frame_digest"]

_PACKAGE = Path(__file__).resolve().parent.parent
# What turns a (scenario, region, seed) into a result: the engine, the shipped data it reads
# (all of data/, so a file the engine starts reading is never missed) and the two modules
# here that build a model and shape its output.
_RESULT_SOURCES = ("engine/**/*.py", "data/*", "experiments/simulate.py",
                   "experiments/spec.py")
_DIGEST = "fazhi_sim_sha256"
"""Key in a stored frame's attrs of the digest of its values, checked on every read."""


class StoreError(ValueError):
    """A store folder that cannot be used; the message is one line."""

    def __reduce__(self):  # picklable with its message, across process pools
        return (type(self), self.args)


class StoreWarning(UserWarning):
    """A store's file that is not read back: corrupt (moved aside), or made by other code."""


def source_digest(package: str | os.PathLike = _PACKAGE, version: str = __version__) -> str:
    """Digest of the package version and the source and data that make a run's result.

    Parameters
    ----------
    package
        The ``fazhi_sim`` folder (default: the one imported).
    version
        The package version.
    """
    root = Path(package)
    h = hashlib.sha256(f"fazhi-sim {version}\n".encode())
    files = sorted({f for pattern in _RESULT_SOURCES for f in root.glob(pattern) if f.is_file()})
    for f in files:
        # The path too, so moving code between files is a change.
        h.update(f.relative_to(root).as_posix().encode() + b"\0")
        h.update(f.read_bytes() + b"\0")
    return h.hexdigest()[:12]


@functools.cache
def code_digest() -> str:
    """:func:`source_digest` of the imported package, computed once per process."""
    return source_digest()


def frame_digest(df: pd.DataFrame) -> str:
    """Digest of a frame's columns, dtypes and values (not its index or attrs)."""
    h = hashlib.sha256(repr([(str(c), str(t)) for c, t in df.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()


class RunStore:
    """A folder of finished runs, one Parquet file per (scenario content, region, seed, code).

    Files are named ``<content hash>_<region>_<seed>_code-<digest>.parquet``. The code digest
    (:func:`code_digest`) covers the package version and the source of everything that makes
    a result (the engine, its shipped data, model building), so runs made by other code are
    never read back: they stay in the folder, and :meth:`foreign` counts them. Runs of any
    model other than the shipped one are keyed by the model too (``_model-<digest>`` of
    :attr:`ModelSpec.label <fazhi_sim.ModelSpec.label>`; the label, not the source of a
    researcher's classes, so keep a separate folder while editing them).

    Files are written to a temporary name and renamed into place, so a run killed half-way
    leaves no file that could be read as finished. Each file carries a digest of its values;
    a file that cannot be read or does not match it (a full disk, a bad copy) is renamed to
    ``<name>.corrupt-<time>``, named in a :class:`StoreWarning`, and run again.

    Parameters
    ----------
    path
        The folder (created if missing).
    model
        The model whose runs this store holds: anything :func:`~fazhi_sim.as_spec` accepts;
        the shipped model if None.
    code
        The code digest to key runs by; :func:`code_digest` if None.

    Raises
    ------
    StoreError
        If ``path`` is a file, or the folder cannot be created.
    """

    def __init__(self, path: str | os.PathLike, model: Any = None, code: str | None = None):
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{self.path}: store: is a file; give a folder (created if "
                             "missing)")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"{self.path}: store: cannot create the folder "
                             f"({err.strerror or err}); give a folder you may write to") from None
        self.spec: ModelSpec = as_spec(model)
        self.code = code or code_digest()

    def file(self, scenario: Scenario, region_id: str, seed: int) -> Path:
        """Where this run's result lives.

        Parameters
        ----------
        scenario : Scenario
            The scenario run (keyed by its content, :meth:`Scenario.content_hash`).
        region_id : str
            The region's id, e.g. ``"town"``.
        seed : int
            The run's seed.

        Returns
        -------
        pathlib.Path
            The Parquet file (which may not exist yet).
        """
        stem = f"{scenario.content_hash()}_{region_id}_{seed}_code-{self.code}"
        if not self.spec.default:
            # A label holds ':' and '<locals>', which not every file system takes.
            digest = hashlib.sha256(self.spec.label.encode()).hexdigest()[:16]
            stem = f"{stem}_model-{digest}"
        return self.path / f"{stem}.parquet"

    def load(self, scenario: Scenario, region_id: str, seed: int) -> pd.DataFrame | None:
        """The stored result, or None if the run has not finished or its file was corrupt.

        Parameters
        ----------
        scenario, region_id, seed
            As for :meth:`file`.

        Returns
        -------
        pandas.DataFrame or None
            The run's tidy result as :func:`~fazhi_sim.simulate` returned it; a corrupt file is
            set aside with a :class:`StoreWarning` and None returned.
        """
        f = self.file(scenario, region_id, seed)
        why = "its values do not match the digest written with them"
        try:
            df = pd.read_parquet(f)
            ok = df.attrs.pop(_DIGEST, None) == frame_digest(df)
        except FileNotFoundError:
            return None
        except PermissionError:
            raise  # the folder's fault, not the file's: moving it aside would not help
        except Exception as err:  # bad bytes fail in any of pyarrow's and pandas' types
            ok, why = False, f"{type(err).__name__}: {str(err).replace(f' {str(f)!r}', '')}"
        if not ok:
            self._set_aside(f, why)
            return None
        return df

    def save(self, scenario: Scenario, region_id: str, seed: int, df: pd.DataFrame) -> None:
        """Write one finished run (atomically: a temporary file renamed into place).

        Parameters
        ----------
        scenario, region_id, seed
            As for :meth:`file`.
        df : pandas.DataFrame
            The run's tidy result.
        """
        target = self.file(scenario, region_id, seed)
        tmp = target.with_name(f".tmp-{uuid.uuid4().hex}-{target.name}")
        out = df.copy(deep=False)
        out.attrs = {**df.attrs, _DIGEST: frame_digest(df)}
        try:
            out.to_parquet(tmp, index=False)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)  # interrupted or failed: leave no stray temporary file
            raise

    def foreign(self) -> int:
        """Stored runs this store does not read: made by another version of the code.

        Returns
        -------
        int
            How many such files the folder holds.
        """
        tag = f"_code-{self.code}"
        # pathlib's glob also matches the hidden temporary files of runs being written.
        return sum(1 for f in self.path.glob("*.parquet")
                   if not f.name.startswith(".") and tag not in f.stem)

    def _set_aside(self, f: Path, why: str) -> None:
        aside = f.with_name(f"{f.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}-"
                            f"{uuid.uuid4().hex[:6]}")
        try:
            os.replace(f, aside)
        except FileNotFoundError:
            return  # another process sharing the folder moved it first
        why = " ".join(why.split())
        why = why if len(why) <= 160 else why[:157] + "..."
        warnings.warn(f"{f}: stored run cannot be read ({why}); moved to {aside.name} and "
                      "run again", StoreWarning, stacklevel=3)
