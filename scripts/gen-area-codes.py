#!/usr/bin/env python3
# Regenerates Sources/HeraldCore/AreaCodeTable.swift from libphonenumber's metadata.
#
#   pip install phonenumbers==9.0.43
#   python3 scripts/gen-area-codes.py
#
# This script installs nothing: pin the version above so the committed table can be
# reproduced byte for byte, and bump it deliberately (new overlays appear every year).
# It walks every exchange of every NPA because phonenumbers keys time zones by
# 1+NPA+NXX: sampling fewer exchanges would drop the minority zone of split area codes
# (850's Central panhandle, 812's Central corner of Indiana, 208's Pacific north Idaho).

import collections
import os
import sys

import phonenumbers
from phonenumbers import PhoneNumberType, geocoder, timezone
from phonenumbers.tzdata import TIMEZONE_DATA

PINNED = "9.0.43"  # keep equal to the pip line above
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "HeraldCore", "AreaCodeTable.swift")

STATES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA",
    "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS",
    "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD", "Massachusetts": "MA",
    "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS", "Missouri": "MO", "Montana": "MT",
    "Nebraska": "NE", "Nevada": "NV", "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM",
    "New York": "NY", "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK",
    "Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC",
    "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT",
    "Virginia": "VA", "Washington State": "WA", "Washington": "WA", "West Virginia": "WV",
    "Wisconsin": "WI", "Wyoming": "WY", "Washington D.C.": "DC",
}
PROVINCES = {
    "Alberta": "AB", "British Columbia": "BC", "British Colombia": "BC", "Manitoba": "MB",
    "New Brunswick": "NB", "Newfoundland and Labrador": "NL", "Nova Scotia": "NS", "Ontario": "ON",
    "Prince Edward Island": "PE", "Quebec": "QC", "Saskatchewan": "SK", "Northwest Territories": "NT",
    "Nunavut": "NU", "Yukon": "YT",
}
SUBDIVISION_CODES = set(STATES.values()) | set(PROVINCES.values())

# Regions a US product must not treat as "US": they are US territories with their own
# rules and carriers' pricing, and the product promise is the 50 states, DC and Canada.
US_TERRITORIES = {"PR", "VI", "GU", "MP", "AS"}

# Display names for the other NANP members, fixed for use inside a sentence
# ("a number in the Bahamas"); phonenumbers' own names are title-cased labels.
NANP_NAMES = {
    "AG": "Antigua and Barbuda", "AI": "Anguilla", "AS": "American Samoa", "BB": "Barbados",
    "BM": "Bermuda", "BS": "the Bahamas", "DM": "Dominica", "DO": "the Dominican Republic",
    "GD": "Grenada", "GU": "Guam", "JM": "Jamaica", "KN": "Saint Kitts and Nevis",
    "KY": "the Cayman Islands", "LC": "Saint Lucia", "MP": "the Northern Mariana Islands",
    "MS": "Montserrat", "PR": "Puerto Rico", "SX": "Sint Maarten", "TC": "the Turks and Caicos Islands",
    "TT": "Trinidad and Tobago", "VC": "Saint Vincent and the Grenadines",
    "VG": "the British Virgin Islands", "VI": "the US Virgin Islands",
}

# Upstream zone errors, fixed here rather than shipped. 879 is the overlay of 709
# (Newfoundland and Labrador); phonenumbers gives it Puerto Rico's zone, which keeps
# Atlantic Standard Time all summer, where 709 rightly has America/Halifax.
ZONE_CORRECTIONS = {879: {"America/Puerto_Rico": "America/Halifax"}}

NON_GEOGRAPHIC_KINDS = {
    PhoneNumberType.TOLL_FREE: "tollFree",
    PhoneNumberType.PREMIUM_RATE: "premiumRate",
    PhoneNumberType.PERSONAL_NUMBER: "personal",
    PhoneNumberType.VOIP: "nonGeographicService",
    PhoneNumberType.UAN: "nonGeographicService",
    PhoneNumberType.SHARED_COST: "nonGeographicService",
}

# What phonenumbers answers for a +1 prefix it has no zone for: every zone of the NANP.
COUNTRY_WIDE_ZONES = tuple(TIMEZONE_DATA["1"])
UNKNOWN_ZONES = ("Etc/Unknown",)


def subdivision_of(description):
    """Two-letter state/province for a geocoder description, or None if it names several."""
    if description in STATES:
        return STATES[description]
    if description in PROVINCES:
        return PROVINCES[description]
    if ", " in description:
        suffix = description.rsplit(", ", 1)[1]
        if suffix in SUBDIVISION_CODES:
            return suffix
    return None


def survey(npa):
    regions = collections.Counter()
    types = collections.Counter()
    zones = collections.Counter()
    npa_level = collections.Counter()  # descriptions that name a whole state or province
    city_level = collections.Counter()  # "Jersey City, NJ" style, for NPAs with no state-level entry
    for nxx in range(200, 1000):
        number = phonenumbers.PhoneNumber(country_code=1, national_number=int(f"{npa}{nxx}0100"))
        if not phonenumbers.is_valid_number(number):
            continue
        region = phonenumbers.region_code_for_number(number)
        regions[region] += 1
        if region not in ("US", "CA"):
            continue
        number_type = phonenumbers.number_type(number)
        types[number_type] += 1
        if not geocoder.is_number_type_geographical(number_type, 1):
            continue
        found = timezone.time_zones_for_number(number)
        if found not in (UNKNOWN_ZONES, COUNTRY_WIDE_ZONES):
            for zone in found:
                zones[zone] += 1
        description = geocoder.description_for_number(number, "en")
        if description in STATES or description in PROVINCES or "/" in description:
            npa_level[description] += 1
        elif description:
            city_level[description] += 1
    return regions, types, zones, npa_level, city_level


def main():
    if phonenumbers.__version__ != PINNED:
        print(f"note: phonenumbers {phonenumbers.__version__} installed, {PINNED} pinned; "
              "update both pins if the new table is meant to be committed", file=sys.stderr)
    geographic, non_geographic, foreign = [], [], []
    problems = []
    for npa in range(200, 1000):
        regions, types, zones, npa_level, city_level = survey(npa)
        if not regions:
            continue
        if len(regions) > 1:
            problems.append(f"{npa}: several regions {dict(regions)}")
            continue
        region = next(iter(regions))
        if region not in ("US", "CA"):
            foreign.append((npa, region))
            continue
        geo = sum(n for t, n in types.items() if geocoder.is_number_type_geographical(t, 1))
        if geo == 0:
            kinds = {NON_GEOGRAPHIC_KINDS[t] for t in types}
            if len(kinds) != 1:
                problems.append(f"{npa}: mixed non-geographic types {dict(types)}")
                continue
            non_geographic.append((npa, region, kinds.pop()))
            continue
        if not zones:
            problems.append(f"{npa}: geographic but no time zone")
            continue
        for wrong, right in ZONE_CORRECTIONS.get(npa, {}).items():
            if wrong not in zones:
                print(f"note: {npa} no longer lists {wrong}; drop its correction", file=sys.stderr)
                continue
            zones[right] += zones.pop(wrong)
        # Most-used zone first: callers that need one zone (display, defaults) take [0].
        ordered = sorted(zones, key=lambda z: (-zones[z], z))
        if npa_level:
            names = set(npa_level)
            subs = {subdivision_of(n) for n in names}
        else:
            subs = {subdivision_of(n) for n in city_level}
            subs.discard(None)
        subdivision = subs.pop() if len(subs) == 1 else None
        if region == "US" and subdivision is None:
            problems.append(f"{npa}: US area code without a single state ({dict(npa_level)}, {dict(city_level)})")
        geographic.append((npa, region, subdivision, ordered))

    if problems:
        sys.exit("refusing to write the table:\n" + "\n".join(problems))
    unnamed = {r for _, r in foreign} - set(NANP_NAMES)
    if unnamed:
        sys.exit(f"name these NANP regions in NANP_NAMES: {sorted(unnamed)}")

    calling_codes = []
    for code in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE):
        if code == 1:
            continue
        main_region = phonenumbers.region_code_for_country_code(code)
        example = phonenumbers.example_number(main_region) if main_region != "001" else None
        name = geocoder.country_name_for_number(example, "en") if example else ""
        calling_codes.append((code, name or "international service"))

    write(geographic, non_geographic, foreign, calling_codes)
    multi = sum(1 for g in geographic if len(g[3]) > 1)
    us = sum(1 for g in geographic if g[1] == "US")
    print(f"phonenumbers {phonenumbers.__version__}: {len(geographic)} geographic area codes "
          f"({us} US, {len(geographic) - us} CA), {multi} with several zones, "
          f"{len(non_geographic)} non-geographic, {len(foreign)} other NANP, {len(calling_codes)} calling codes")


def swift_string(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' if value is not None else "nil"


def write(geographic, non_geographic, foreign, calling_codes):
    lines = [
        f"// Generated by scripts/gen-area-codes.py from phonenumbers {phonenumbers.__version__}; do not edit.",
        f"// Regenerate: pip install phonenumbers=={phonenumbers.__version__} && python3 scripts/gen-area-codes.py",
        "",
        "enum AreaCodeTable {",
        f"    static let phonenumbersVersion = {swift_string(phonenumbers.__version__)}",
        "",
        "    /// US and Canadian geographic area codes, one per row: NPA, region, state or province",
        "    /// (\"-\" when the code covers several), then its IANA zones, the most used first.",
        "    /// Plain strings because a 400-row literal of structs takes the type checker a second.",
        "    static let geographicRows: [String] = [",
    ]
    for npa, region, subdivision, zones in geographic:
        lines.append(f"        {swift_string(' '.join([str(npa), region, subdivision or '-', *zones]))},")
    lines += [
        "    ]",
        "",
        "    /// US and Canadian area codes with no location (toll-free, premium, personal, service).",
        "    static let nonGeographic: [(npa: Int, kind: NonGeographicKind)] = [",
    ]
    for npa, _, kind in non_geographic:
        lines.append(f"        ({npa}, .{kind}),")
    lines += [
        "    ]",
        "",
        "    /// Area codes of the other NANP members, so a rejection can name the place.",
        "    static let otherNANP: [(npa: Int, regionCode: String, name: String, usTerritory: Bool)] = [",
    ]
    for npa, region in foreign:
        lines.append(f"        ({npa}, {swift_string(region)}, {swift_string(NANP_NAMES[region])}, {str(region in US_TERRITORIES).lower()}),")
    lines += [
        "    ]",
        "",
        "    /// Country calling codes other than +1, for naming the country of an international number.",
        "    static let callingCodes: [Int: String] = [",
    ]
    for code, name in calling_codes:
        lines.append(f"        {code}: {swift_string(name)},")
    lines += ["    ]", "}", ""]
    with open(OUT, "w", encoding="utf-8") as out:
        out.write("\n".join(lines))


if __name__ == "__main__":
    main()
