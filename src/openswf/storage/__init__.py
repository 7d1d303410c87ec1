"""Storage backends behind one ``Store`` interface: bytes and rows in, bytes and rows out."""
