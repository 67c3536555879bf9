"""Account numbers and postcodes as readers type them, made comparable with the fulfilment
house's: case, spaces and dashes, leading zeros, ZIP+4, UK postcode spacing."""

import re

SEPARATORS = re.compile(r"[\s\-_./]+")
LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")
US_ZIP = re.compile(r"^([0-9]{5})(?:[0-9]{4})?$")
UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def account_number(text):
    """ "ha-0100 234" → "HA100234": no separators, upper case, no zeros leading a number."""
    return LEADING_ZEROS.sub("", SEPARATORS.sub("", text or "").upper())


def postcode(text):
    """ "05753-1234" → "05753"; "sw1a1aa" → "SW1A 1AA"; anything else upper case, unspaced."""
    compact = SEPARATORS.sub("", text or "").upper()
    if match := US_ZIP.match(compact):
        return match[1]
    if match := UK_POSTCODE.match(compact):
        return f"{match[1]} {match[2]}"
    return compact
