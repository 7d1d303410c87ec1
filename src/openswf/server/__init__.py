"""The HTTP edge: thin. Decode, validate, dispatch, encode; faults become JSON only here."""
