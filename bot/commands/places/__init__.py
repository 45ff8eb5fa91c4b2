"""Places people name for their timezone, and zones named in plain words: pure, no I/O.

`finding` reads what `/timezone` was given (an abbreviation, a country, an IANA name, a city);
`abbreviations` and `ranking` are data (what `CST` means; which zones most people want);
`countries` and `naming` read CLDR through Babel (countries and their zones; "Eastern Time —
New York" for America/New_York).
"""

__all__ = ["abbreviations", "countries", "finding", "naming", "ranking"]
