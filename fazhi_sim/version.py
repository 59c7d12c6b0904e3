"""The package version, below every layer so that any module may stamp it on its output."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fazhi-sim")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
