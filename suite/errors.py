"""Errors the user can act on. Each message is one line naming the problem and the fix."""


class NetArenaError(Exception):
    """Base class: the CLI prints ``error: <message>`` and exits with status 2."""


class UnknownNameError(NetArenaError, KeyError):
    """A task, method or suite name that is not registered."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class DatasetMissingError(NetArenaError):
    """Raw files of a dataset are neither in the cache nor in the mirror, and could not be downloaded."""


class SplitMismatchError(NetArenaError):
    """A frozen split no longer hashes to the value in its task spec."""


class ConfigError(NetArenaError):
    """A hyperparameter override or configuration that does not fit the method."""


class SchemaError(NetArenaError):
    """A results part whose columns do not match the results schema."""


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; the run is recorded as failed."""
