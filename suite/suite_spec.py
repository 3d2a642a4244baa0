"""Suites: named sweeps (tasks x methods x seeds) that the CLI runs with ``--suite``."""

from __future__ import annotations

from dataclasses import dataclass, field

from suite.registry import SUITES


@dataclass(frozen=True)
class SuiteSpec:
    """``tasks`` and ``methods`` may be names or ``"*"`` (every registered one of the suite's ``tracks``).

    A method runs on the tasks of the tracks it supports only.

    ``method_overrides`` changes a method's paper defaults inside this suite
    only (e.g. a shallower GCNII for a CPU-sized sweep); rows carry the full
    config, so such runs never pass for the paper's setting. ``protocol``
    overrides the tasks' protocol (e.g. a smaller epoch budget); rows carry the
    protocol in force and the leaderboard never ranks across protocols.
    """

    name: str
    description: str
    tracks: tuple[str, ...]
    tasks: tuple[str, ...]
    methods: tuple[str, ...]
    seeds: int
    method_overrides: dict = field(default_factory=dict)
    protocol: dict = field(default_factory=dict)
    skip_missing_data: bool = True
    # More sweeps run as part of this suite, each with its own tasks, methods, seeds, overrides and protocol
    # (e.g. one small cell per track in the quick suite); their names are ignored.
    parts: tuple["SuiteSpec", ...] = ()

    def sweeps(self) -> list["SuiteSpec"]:
        """This suite's own sweep followed by its parts'."""
        return [self, *self.parts]


def register_suite(spec: SuiteSpec) -> SuiteSpec:
    return SUITES.register(spec.name, spec)
