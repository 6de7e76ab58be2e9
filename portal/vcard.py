"""An agency as a vCard 3.0 card — the version every phone's contacts app imports (RFC 2426)."""
from __future__ import annotations

from agencies.models import Agency, Contact


def escape_value(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    )


def fold(line: str, limit: int = 75) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 2425 §5.8.1)."""
    chunks, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            chunks.append(current)
            current, size = " ", 1
        current += char
        size += width
    chunks.append(current)
    return "\r\n".join(chunks)


def agency_vcard(agency: Agency, profile_url: str) -> str:
    """Needs the contacts prefetched (`with_profile()`); phone numbers go out in E.164."""
    name = agency.name or agency.name_zh
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        "N:;;;;",
        f"FN:{escape_value(name)}",
        f"ORG:{escape_value(name)}",
        # Apple's contacts app files the card under the organization rather than a person.
        "X-ABShowAs:COMPANY",
    ]
    if agency.name_zh and agency.name_zh != name:
        lines.append(f"NICKNAME:{escape_value(agency.name_zh)}")
    labels_by_number: dict[str, list[str]] = {}
    kinds_by_number: dict[str, str] = {}
    for contact in agency.contacts.all():
        if contact.is_phone and contact.e164:
            labels_by_number.setdefault(contact.e164, []).append(contact.label)
            kinds_by_number.setdefault(contact.e164, contact.kind)
    for item, (number, labels) in enumerate(labels_by_number.items(), start=1):
        kind = "WORK,FAX" if kinds_by_number[number] == Contact.Kind.FAX else "WORK,VOICE"
        label = " / ".join(dict.fromkeys(labels))
        lines.append(f"item{item}.TEL;TYPE={kind}:{number}")
        lines.append(f"item{item}.X-ABLabel:{escape_value(label)}")
    for contact in agency.contacts.all():
        if contact.kind == Contact.Kind.EMAIL:
            lines.append(f"EMAIL;TYPE=INTERNET,WORK:{escape_value(contact.value.strip())}")
    website = agency.website or next(
        (c.value for c in agency.contacts.all() if c.kind == Contact.Kind.WEBSITE), ""
    )
    if website:
        lines.append(f"URL;TYPE=WORK:{escape_value(website)}")
    if agency.address or agency.postcode:
        lines.append(f"ADR;TYPE=WORK:;;{escape_value(agency.address)};;;{escape_value(agency.postcode)};China")
    lines.append(f"NOTE:{escape_value(profile_url)}")
    lines.append("END:VCARD")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
