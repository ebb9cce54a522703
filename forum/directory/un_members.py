"""The 193 Member States of the United Nations, as ISO 3166-1 alpha-2 codes.

Kept as data rather than derived from pycountry, which lists every ISO country and
territory; tests/directory/test_states.py checks each code against pycountry.
"""

from __future__ import annotations

UN_MEMBER_STATES = (
    "AF AL DZ AD AO AG AR AM AU AT AZ BS BH BD BB BY BE BZ BJ BT BO BA BW BR BN BG BF BI CV KH "
    "CM CA CF TD CL CN CO KM CG CR CI HR CU CY CZ KP CD DK DJ DM DO EC EG SV GQ ER EE SZ ET FJ "
    "FI FR GA GM GE DE GH GR GD GT GN GW GY HT HN HU IS IN ID IR IQ IE IL IT JM JP JO KZ KE KI "
    "KW KG LA LV LB LS LR LY LI LT LU MG MW MY MV ML MT MH MR MU MX FM MC MN ME MA MZ MM NA NR "
    "NP NL NZ NI NE NG MK NO OM PK PW PA PG PY PE PH PL PT QA KR MD RO RU RW KN LC VC WS SM ST "
    "SA SN RS SC SL SG SK SI SB SO ZA SS ES LK SD SR SE CH SY TJ TH TL TG TO TT TN TR TM TV UG "
    "UA AE GB TZ US UY UZ VU VE VN YE ZM ZW"
).split()


# pycountry's short names read as index entries for these two; the UN's usage reads better.
_NAME_OVERRIDES = {"CD": "Democratic Republic of the Congo", "FM": "Micronesia"}


def state_rows() -> list[dict]:
    """One row per Member State: code, alpha-3 and the English short name from pycountry."""
    import pycountry

    rows = []
    for code in UN_MEMBER_STATES:
        country = pycountry.countries.get(alpha_2=code)
        name = _NAME_OVERRIDES.get(code) or getattr(country, "common_name", None) or country.name
        rows.append({"code": code, "alpha3": country.alpha_3, "name": name})
    return rows
