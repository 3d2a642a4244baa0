"""NetArena: a benchmark suite and leaderboard for neural-network methods.

The pipeline is: task and method registries -> runner (one worker process per
run, the one shared training loop) -> Parquet rows under ``results/`` ->
leaderboard rendered from those rows alone.
"""

__version__ = "0.1.0"

import warnings as _warnings

# Sparse CSR input features (see suite.view) are stable for what the suite uses.
_warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta state")
_warnings.filterwarnings("ignore", message="Sparse invariant checks are implicitly disabled")
