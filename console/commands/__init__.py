"""The command language: one grammar for the : line, the palette, drills and exec."""
