"""Recipes: TOML files that list the stages of a pipeline and their parameters.

A recipe looks like this (``[[stages]]`` tables run in file order)::

    time_budget = 5.0        # CPU seconds a stage may spend on one document (0: no limit)

    [[stages]]
    use = "whitespace"

    [[stages]]
    use = "min_length"
    min_cjk = 50
"""

from __future__ import annotations

import copy
import inspect
import tomllib
from importlib import resources
from typing import Any

import corpusclean.stages  # noqa: F401  (the built-in stages register themselves on import)
from corpusclean.pipeline import DEFAULT_TIME_BUDGET, Pipeline
from corpusclean.stage import REGISTRY, Stage

_TOP_LEVEL = {"stages", "time_budget"}


class RecipeError(ValueError):
    """A recipe that cannot be read or built; the message names the file and the bad value."""


def default_recipe() -> dict[str, Any]:
    """The built-in recipe as a dict (a fresh copy, safe to modify)."""
    text = resources.files("corpusclean").joinpath("recipes/default.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def load_recipe(path: str | None) -> dict[str, Any]:
    """Read a recipe file, or the default recipe when ``path`` is None."""
    if path is None:
        return default_recipe()
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise RecipeError(f"{path}: cannot read recipe: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RecipeError(f"{path}: not valid TOML: {exc}") from None


def stage_params(recipe: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The parameter table of stage ``name`` in ``recipe`` (mutable, for command-line overrides)."""
    for table in recipe.get("stages", []):
        if table.get("use") == name:
            return table
    return None


def build_pipeline(recipe: dict[str, Any], *, where: str = "recipe") -> Pipeline:
    """Build the pipeline a recipe describes. Raises :class:`RecipeError` naming any bad key or value.

    >>> build_pipeline({"stages": [{"use": "whitespace"}, {"use": "min_length", "min_cjk": 3}]}).names
    ['whitespace', 'min_length']
    >>> build_pipeline({"stage": []})
    Traceback (most recent call last):
    ...
    corpusclean.recipe.RecipeError: recipe: unknown top-level key 'stage' (known: stages, time_budget)
    """
    unknown = set(recipe) - _TOP_LEVEL
    if unknown:
        known = ", ".join(sorted(_TOP_LEVEL))
        raise RecipeError(f"{where}: unknown top-level key {sorted(unknown)[0]!r} (known: {known})")
    tables = recipe.get("stages")
    if not isinstance(tables, list) or not tables:
        raise RecipeError(f"{where}: 'stages' must be a non-empty list of [[stages]] tables")
    stages = []
    for number, table in enumerate(tables, 1):
        if not isinstance(table, dict) or "use" not in table:
            raise RecipeError(f"{where}: stage #{number} has no 'use' key naming the stage")
        params = copy.deepcopy({k: v for k, v in table.items() if k != "use"})
        try:
            stages.append(build_stage(table["use"], params, where=where))
        except ValueError as exc:
            raise RecipeError(str(exc)) from None
    try:
        return Pipeline(stages, time_budget=recipe.get("time_budget", DEFAULT_TIME_BUDGET))
    except ValueError as exc:
        raise RecipeError(f"{where}: {exc}") from None


def build_stage(name: str, params: dict[str, Any], *, where: str = "recipe") -> Stage:
    """Create a registered stage from recipe parameters, naming any unknown or bad parameter.

    >>> build_stage("min_length", {"min_chars": 5}).min_chars
    5
    >>> build_stage("min_length", {"min_char": 5})
    Traceback (most recent call last):
    ...
    ValueError: recipe: stage 'min_length' has no parameter 'min_char' (known: min_chars, min_cjk)
    """
    cls = REGISTRY.get(name)
    if cls is None:
        known = ", ".join(sorted(REGISTRY))
        raise ValueError(f"{where}: unknown stage {name!r} (known: {known})")
    accepted = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    for key in params:
        if key not in accepted:
            raise ValueError(f"{where}: stage {name!r} has no parameter {key!r} (known: {', '.join(accepted)})")
    try:
        return cls(**params)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: stage {name!r}: {exc}") from None
