"""The version of mgbrain, written here once.

pyproject.toml reads it (``[tool.setuptools.dynamic]``) and ``mgbrain.__version__`` re-exports it.
A literal in the package rather than ``importlib.metadata.version("mgbrain")``: it is right in a
source checkout that is not installed, or that shadows another installed copy (``PYTHONPATH=src``),
and reading it costs nothing at start-up.
"""

__version__ = "0.1.0"
