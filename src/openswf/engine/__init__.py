"""The execution state machine, pure: (state, command, now, ids) -> (events, effects, state).

No I/O, no clock, no asyncio, no randomness: everything the engine needs arrives as
arguments, so the same inputs always give the same history.
"""
