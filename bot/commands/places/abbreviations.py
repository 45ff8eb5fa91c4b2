"""Time-zone abbreviations as people type them (`EST`, `CET`, `IST`), and the places they mean.

Data, not rules: each abbreviation names the zones of the places that use it, the most likely
first, each marked with whether that place keeps daylight saving (`DST`) or not (`NO_DST`).
An abbreviation of a place with daylight saving names the zone of a real city that keeps it,
never a fixed offset: tzdata reads `EST` as America/Panama (UTC-5 all year), which would send a
New Yorker's tip an hour late all summer. One zone: it is chosen; several (`CST`, `IST`, `BST`,
`MST`): the subscriber is asked, with buttons.
"""

from __future__ import annotations

__all__ = ["ABBREVIATIONS", "DST", "NO_DST", "abbreviation_zones"]

DST, NO_DST = True, False

# abbreviation (upper case) -> ((zone, keeps daylight saving), ...), most likely first
ABBREVIATIONS: dict[str, tuple[tuple[str, bool], ...]] = {
    "UTC": (("UTC", NO_DST),),
    "GMT": (("UTC", NO_DST),),
    # North America
    "EST": (("America/New_York", DST),),
    "EDT": (("America/New_York", DST),),
    "ET": (("America/New_York", DST),),
    "CST": (("America/Chicago", DST), ("Asia/Shanghai", NO_DST), ("America/Havana", DST)),
    "CDT": (("America/Chicago", DST), ("America/Havana", DST)),
    "CT": (("America/Chicago", DST),),
    "MST": (("America/Denver", DST), ("America/Phoenix", NO_DST)),
    "MDT": (("America/Denver", DST),),
    "MT": (("America/Denver", DST),),
    "PST": (("America/Los_Angeles", DST),),
    "PDT": (("America/Los_Angeles", DST),),
    "PT": (("America/Los_Angeles", DST),),
    "AKST": (("America/Anchorage", DST),),
    "AKDT": (("America/Anchorage", DST),),
    "HST": (("Pacific/Honolulu", NO_DST),),
    "AST": (("America/Halifax", DST), ("Asia/Riyadh", NO_DST)),
    "ADT": (("America/Halifax", DST),),
    "NST": (("America/St_Johns", DST),),
    "NDT": (("America/St_Johns", DST),),
    # South America
    "BRT": (("America/Sao_Paulo", NO_DST),),
    "ART": (("America/Argentina/Buenos_Aires", NO_DST),),
    # Europe
    "BST": (("Europe/London", DST), ("Asia/Dhaka", NO_DST)),
    "IST": (("Asia/Kolkata", NO_DST), ("Europe/Dublin", DST), ("Asia/Jerusalem", DST)),
    "WET": (("Europe/Lisbon", DST),),
    "WEST": (("Europe/Lisbon", DST),),
    "CET": (("Europe/Paris", DST),),
    "CEST": (("Europe/Paris", DST),),
    "MET": (("Europe/Paris", DST),),
    "MEST": (("Europe/Paris", DST),),
    "EET": (("Europe/Athens", DST),),
    "EEST": (("Europe/Athens", DST),),
    "MSK": (("Europe/Moscow", NO_DST),),
    # Africa
    "WAT": (("Africa/Lagos", NO_DST),),
    "CAT": (("Africa/Maputo", NO_DST),),
    "EAT": (("Africa/Nairobi", NO_DST),),
    "SAST": (("Africa/Johannesburg", NO_DST),),
    # Asia
    "PKT": (("Asia/Karachi", NO_DST),),
    "NPT": (("Asia/Kathmandu", NO_DST),),
    "ICT": (("Asia/Bangkok", NO_DST),),
    "WIB": (("Asia/Jakarta", NO_DST),),
    "SGT": (("Asia/Singapore", NO_DST),),
    "HKT": (("Asia/Hong_Kong", NO_DST),),
    "KST": (("Asia/Seoul", NO_DST),),
    "JST": (("Asia/Tokyo", NO_DST),),
    # Australia and the Pacific
    "AWST": (("Australia/Perth", NO_DST),),
    "ACST": (("Australia/Adelaide", DST),),
    "ACDT": (("Australia/Adelaide", DST),),
    "AEST": (("Australia/Sydney", DST),),
    "AEDT": (("Australia/Sydney", DST),),
    "NZST": (("Pacific/Auckland", DST),),
    "NZDT": (("Pacific/Auckland", DST),),
}


def abbreviation_zones(text: str) -> tuple[str, ...]:
    """The zones an abbreviation in any letter case means, most likely first; () if none."""
    return tuple(zone for zone, _ in ABBREVIATIONS.get(text.strip().upper(), ()))
