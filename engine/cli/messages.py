"""How the command line words an error: for the people who run the service, not for the people using it."""
from __future__ import annotations

from engine.errors import DataDamaged, EngineError, OutOfSpace


def explain(error: EngineError) -> str:
    """The error in an operator's words. Damaged data names the file, the fault and what to do (the user
    message of a page says to ask the service team, who are the ones reading this); a full disk says what
    to free."""
    if isinstance(error, DataDamaged):
        return error.report()
    if isinstance(error, OutOfSpace):
        where = f" writing {error.path}" if error.path else ""
        return (f"the disk (or its quota) is full{where}; nothing was written. Free some space and run the "
                "command again.")
    return str(error)
