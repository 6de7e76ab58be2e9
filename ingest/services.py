"""Ingest writes: read a page into proposals, apply staff's decisions in one transaction, undo it.

Nothing here publishes: a new bureau becomes a draft, an existing one gets only what staff accept.
Every write of an accept carries the change reason `ingest #<page>` in history, so it can be
reviewed and undone as a whole (`page_apply_undo`)."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from agencies.models import Agency, AgencyName, Contact, OfficeHours, Region, Source
from agencies.permissions import agency_ids_for, may_edit_agency
from duties.models import Duty, DutyCategory
from ingest.compare import propose, record_from_agency
from ingest.models import IngestedPage, ProposedChange
from ingest.reading import read_page
from ingest.rules import Extraction, extract

BUMP = 10_000  # positions are moved out of the way while a list of duties is renumbered


def agency_match(extraction: Extraction) -> Agency | None:
    """The known bureau a page is about: same English or Chinese name, or one of its other names."""
    names = [fact.value for fact in (extraction.name, extraction.name_zh) if fact]
    if not names:
        return None
    query = Q()
    for name in names:
        query |= Q(name__iexact=name) | Q(name_zh=name) | Q(other_names__name__iexact=name)
    return Agency.objects.filter(query).distinct().order_by("pk").first()


def check_scope(*, by, agency: Agency | None) -> None:
    """Staff ingest only for bureaus they may edit; only unrestricted editors start a new bureau."""
    if by is None:
        return  # a management command run by whoever runs the server
    if not (by.is_superuser or by.has_perm("ingest.add_ingestedpage")):
        raise PermissionDenied("You may not ingest pages.")
    if agency is None:
        if agency_ids_for(by) is not None or not by.has_perm("agencies.add_agency"):
            raise PermissionDenied("This page is about a bureau not in the portal; only editors may add one.")
    elif not may_edit_agency(by, agency.pk):
        raise PermissionDenied(f"You may not edit {agency}.")


def page_ingest(*, data: bytes | str, by=None, file_name: str = "", encoding: str | None = None, url: str = "",
                agency: Agency | None = None, is_html: bool | None = None) -> IngestedPage:
    """Read a page and store what it would change: a draft for a new bureau, a proposed change for
    a known one (nothing at all if the page matches the record)."""
    page_text = read_page(data, encoding=encoding, is_html=is_html)
    extraction = extract(page_text.text)
    agency = agency or agency_match(extraction)
    check_scope(by=by, agency=agency)
    proposals = propose(extraction, record_from_agency(agency) if agency else None)
    with transaction.atomic():
        page = IngestedPage.objects.create(
            agency=agency, text=page_text.text, file_name=file_name[:255], url=url, encoding=page_text.encoding,
            is_html=page_text.is_html, sha256=hashlib.sha256(page_text.text.encode("utf-8")).hexdigest(),
            extraction=extraction.to_json(), created_by=by,
            status=IngestedPage.Status.PENDING if proposals else IngestedPage.Status.NO_CHANGES,
        )
        keys = unique_keys([p.key for p in proposals])
        ProposedChange.objects.bulk_create([
            ProposedChange(page=page, position=position, kind=p.kind, key=key, action=p.action,
                           current=p.current, proposed=p.proposed, start=p.start, end=p.end, flag=p.flag[:300])
            for position, (p, key) in enumerate(zip(proposals, keys, strict=True), start=1)
        ])
    return page


def unique_keys(keys: list[str], limit: int = 200) -> list[str]:
    """A page may say the same thing twice (a label repeated, a name given twice): number repeats."""
    seen: dict[str, int] = {}
    result = []
    for key in keys:
        key = key[:limit]
        count = seen.get(key, 0) + 1
        seen[key] = count
        result.append(key if count == 1 else f"{key[:limit - 6]} #{count}")
    return result


# --- applying staff's decisions ---------------------------------------------------------------------


@dataclass
class Decision:
    decision: str  # "accepted" or "rejected"
    value: object = None  # staff's edit of the proposed value, or None to take the page's


@dataclass
class NewAgency:
    """What a page cannot say about a new bureau and staff must: where it is and what it is."""

    region: Region
    level: str
    slug: str = ""
    name: str = ""  # the English name, when the page (a Chinese one) gives none


def _stamp(instance, *, by, page: IngestedPage):
    instance._history_user = by
    instance._change_reason = page.change_reason
    return instance


def _save(instance, *, by, page, key: str) -> None:
    """Validate like a form would, naming the change that failed, then save with history."""
    try:
        instance.full_clean()
    except ValidationError as error:
        raise ValidationError(f"{key}: {'; '.join(error.messages)}") from None
    _stamp(instance, by=by, page=page).save()


def _delete(instance, *, by, page) -> None:
    if isinstance(instance, Duty):
        for child in instance.children.all():  # each with its own history entry, so undo restores it
            _stamp(child, by=by, page=page).delete()
    _stamp(instance, by=by, page=page).delete()


@transaction.atomic
def page_review_apply(*, page: IngestedPage, decisions: dict[int, Decision], by,
                      new_agency: NewAgency | None = None, on: dt.date | None = None) -> IngestedPage:
    """Apply staff's per-field and per-duty decisions as one transaction. Every change must be decided;
    accepting anything (or confirming an unchanged page) marks the bureau verified today."""
    page = IngestedPage.objects.select_for_update().get(pk=page.pk)
    if page.status not in {IngestedPage.Status.PENDING, IngestedPage.Status.NO_CHANGES}:
        raise ValidationError(f"This page was already {page.get_status_display().lower()}.")
    check_scope(by=by, agency=page.agency)
    changes = list(page.changes.all())
    undecided = [change.key for change in changes if change.pk not in decisions]
    if undecided:
        raise ValidationError(f"Decide every change first: {', '.join(undecided[:5])}.")
    now = timezone.now()
    for change in changes:
        decision = decisions[change.pk]
        if decision.decision not in {"accepted", "rejected"}:
            raise ValidationError(f"{change.key}: unknown decision '{decision.decision}'.")
        change.decision = decision.decision
        change.edited = decision.value if decision.decision == "accepted" else None
        change.decided_by, change.decided_at = by, now
    accepted = [change for change in changes if change.decision == ProposedChange.Decision.ACCEPTED]
    if changes and not accepted:
        page.status = IngestedPage.Status.REJECTED
    else:
        agency = page.agency or _agency_create(page=page, accepted=accepted, new_agency=new_agency, by=by)
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        _apply(agency=agency, page=page, accepted=accepted, by=by)
        agency.refresh_from_db()
        agency.last_verified = on or timezone.localdate()
        agency.version += 1
        _stamp(agency, by=by, page=page).save()
        page.agency = agency
        page.status = IngestedPage.Status.APPLIED
    ProposedChange.objects.bulk_update(changes, ["decision", "edited", "decided_by", "decided_at", "applied_pk"])
    page.reviewed_by, page.reviewed_at = by, now
    page.save(update_fields=["agency", "status", "reviewed_by", "reviewed_at"])
    return page


def _agency_create(*, page, accepted, new_agency: NewAgency | None, by) -> Agency:
    if new_agency is None:
        raise ValidationError("A new bureau needs its region and level: the page does not say them.")
    check_scope(by=by, agency=None)
    fields = {change.key: change.value for change in accepted if change.kind == ProposedChange.Kind.FIELD}
    name = fields.get("name") or new_agency.name.strip()
    if not name:
        raise ValidationError("Accept or type the bureau's English name: a new bureau needs one.")
    slug = new_agency.slug or slugify(name)[:100]
    if not slug:
        raise ValidationError("Give the new bureau a slug (letters, digits and hyphens).")
    agency = Agency(name=name, slug=slug, level=new_agency.level, region=new_agency.region,
                    status=Agency.Status.DRAFT)
    _save(agency, by=by, page=page, key="new bureau")
    return agency


def _apply(*, agency: Agency, page: IngestedPage, accepted: list[ProposedChange], by) -> None:
    duties = []
    for change in accepted:
        value, key = change.value, change.key
        if change.kind == ProposedChange.Kind.FIELD:
            setattr(agency, change.key, value)
        elif change.kind == ProposedChange.Kind.OTHER_NAME:
            _apply_other_name(agency=agency, change=change, by=by, page=page)
        elif change.kind == ProposedChange.Kind.CONTACT:
            _apply_contact(agency=agency, change=change, by=by, page=page)
        elif change.kind == ProposedChange.Kind.HOURS:
            _apply_hours(agency=agency, change=change, by=by, page=page)
        elif change.kind == ProposedChange.Kind.SOURCE:
            source = Source(agency=agency, title=value["title"] or agency.name, origin=value["origin"],
                            page_date=value["page_date"] or None, translator=value["translator"],
                            retrieved_at=timezone.localdate(),
                            reference=f"ingested page #{page.pk} {page.file_name}".strip()[:255])
            _save(source, by=by, page=page, key=key)
            change.applied_pk = source.pk
        elif change.kind == ProposedChange.Kind.DUTY:
            duties.append(change)
    if any(change.kind == ProposedChange.Kind.FIELD for change in accepted):
        try:
            agency.full_clean()
        except ValidationError as error:
            raise ValidationError(f"bureau fields: {'; '.join(error.messages)}") from None
        _stamp(agency, by=by, page=page).save()
    if duties:
        _apply_duties(agency=agency, page=page, accepted=duties, by=by)


def _apply_other_name(*, agency, change, by, page) -> None:
    if change.action == ProposedChange.Action.REMOVE:
        for other in agency.other_names.filter(name=change.current["name"]):
            _delete(other, by=by, page=page)
        return
    position = (agency.other_names.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    other = AgencyName(agency=agency, name=change.value["name"], name_zh=change.value["name_zh"], position=position)
    _save(other, by=by, page=page, key=change.key)
    change.applied_pk = other.pk


def _apply_contact(*, agency, change, by, page) -> None:
    current = change.current
    if current:
        for contact in agency.contacts.filter(label=current["label"], value=current["value"]):
            _delete(contact, by=by, page=page)
    if change.action == ProposedChange.Action.REMOVE:
        return
    value = change.value
    contact = Contact(agency=agency, kind=value["kind"], label=value["label"], value=value["value"],
                      position=change.position)
    _save(contact, by=by, page=page, key=change.key)
    change.applied_pk = contact.pk


def _apply_hours(*, agency, change, by, page) -> None:
    if change.action == ProposedChange.Action.REMOVE:
        row = change.current
        for hours in agency.office_hours.filter(weekdays=row["weekdays"], opens=row["opens"], closes=row["closes"],
                                                valid_from=row["valid_from"], valid_through=row["valid_through"]):
            _delete(hours, by=by, page=page)
        return
    value = change.value
    if not value.get("weekdays"):
        raise ValidationError(f"{change.key}: the page names no days for these hours; choose them before accepting.")
    hours = OfficeHours(agency=agency, **{name: value[name] for name in (
        "weekdays", "opens", "closes", "season_name", "season_name_zh", "valid_from", "valid_through")})
    _save(hours, by=by, page=page, key=change.key)
    change.applied_pk = hours.pk


def _categories(value: dict, *, parent: Duty | None, key: str) -> list[DutyCategory]:
    """Categories are the portal's vocabulary, not the page's: staff may choose some for a new item
    (none is fine: "not categorised"); a new sub-item with none takes its item's."""
    slugs = value.get("categories") or ([value["category"]] if value.get("category") else [])
    categories = list(DutyCategory.objects.filter(slug__in=slugs))
    if missing := sorted(set(slugs) - {category.slug for category in categories}):
        raise ValidationError(f"{key}: no duty category '{missing[0]}'.")
    if not categories and parent is not None:
        categories = list(parent.categories.all())
    return categories


def _apply_duties(*, agency: Agency, page: IngestedPage, accepted: list[ProposedChange], by) -> None:
    """Rewords, removals and additions, then the published order (as on the page; items whose removal
    was rejected stay after the item they followed)."""
    top = {duty.label: duty for duty in agency.duties.filter(parent__isnull=True)}
    children = {(duty.parent.label, duty.label): duty for duty in agency.duties.filter(parent__isnull=False)
                .select_related("parent")}
    additions = []
    for change in accepted:
        value = change.value if change.action != ProposedChange.Action.REMOVE else change.current
        parent_label = value.get("parent")
        existing = children.get((parent_label, value["label"])) if parent_label else top.get(value["label"])
        if change.action == ProposedChange.Action.REMOVE:
            if existing is not None:
                _delete(existing, by=by, page=page)
                (children.pop((parent_label, value["label"])) if parent_label else top.pop(value["label"]))
        elif change.action == ProposedChange.Action.CHANGE and existing is not None:
            existing.text = value["text"]
            _stamp(existing, by=by, page=page).save()
            change.applied_pk = existing.pk
        else:
            additions.append(change)
    labels = [(change.value.get("parent"), change.value["label"]) for change in additions]
    if repeated := sorted({label for label in labels if labels.count(label) > 1}, key=str):
        parent, label = repeated[0]
        raise ValidationError(f"The page gives {label} twice{f' under {parent}' if parent else ''}: "
                              "accept only one of them.")
    page_order = [duty["value"]["label"] for duty in page.extraction.get("duties", [])]
    child_order = {duty["value"]["label"]: [child["value"]["label"] for child in duty.get("children", [])]
                   for duty in page.extraction.get("duties", [])}
    _renumber(list(top.values()), page_order, [c for c in additions if not c.value.get("parent")],
              parent=None, agency=agency, page=page, by=by, top=top)
    by_parent: dict[str, list] = {}
    for change in additions:
        if change.value.get("parent"):
            by_parent.setdefault(change.value["parent"], [])
            by_parent[change.value["parent"]].append(change)
    for parent_label in set(by_parent) | {label for label, _ in children}:
        parent = top.get(parent_label)
        if parent is None:
            raise ValidationError(f"duty {parent_label}: accept the item before its sub-items.")
        siblings = [duty for (label, _), duty in children.items() if label == parent_label]
        _renumber(siblings, child_order.get(parent_label, []), by_parent.get(parent_label, []), parent=parent,
                  agency=agency, page=page, by=by, top=top)


def _final_order(existing_labels: list[str], page_order: list[str], added: set[str]) -> list[str]:
    present = set(existing_labels) | added
    final = list(dict.fromkeys(label for label in page_order if label in present))
    for index, label in enumerate(existing_labels):
        if label in final:
            continue
        before = next((existing_labels[i] for i in range(index - 1, -1, -1) if existing_labels[i] in final), None)
        final.insert(final.index(before) + 1 if before else 0, label)
    return final


def _renumber(existing: list[Duty], page_order: list[str], additions: list[ProposedChange], *, parent, agency, page,
              by, top) -> None:
    existing = sorted(existing, key=lambda duty: duty.position)
    added = {change.value["label"]: change for change in additions}
    final = _final_order([duty.label for duty in existing], page_order, set(added))
    wanted = {label: position for position, label in enumerate(final, start=1)}
    moving = [duty for duty in existing if duty.position != wanted[duty.label]]
    if moving:
        Duty.objects.filter(pk__in=[duty.pk for duty in moving]).update(position=F("position") + BUMP)
    for duty in moving:
        duty.position = wanted[duty.label]
        _stamp(duty, by=by, page=page).save()
    for label, change in added.items():
        duty = Duty(agency=agency, parent=parent, position=wanted[label], label=label, text=change.value["text"])
        categories = _categories(change.value, parent=parent, key=change.key)
        _save(duty, by=by, page=page, key=change.key)
        if categories:
            duty.categories.set(categories)
        change.applied_pk = duty.pk
        if parent is None:
            top[label] = duty


@transaction.atomic
def page_reject(*, page: IngestedPage, by) -> IngestedPage:
    """Reject the whole page: nothing is written to the record."""
    decisions = {change.pk: Decision("rejected") for change in page.changes.all()}
    if not decisions:
        page = IngestedPage.objects.select_for_update().get(pk=page.pk)
        page.status, page.reviewed_by, page.reviewed_at = IngestedPage.Status.REJECTED, by, timezone.now()
        page.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        return page
    return page_review_apply(page=page, decisions=decisions, by=by)


# --- undo ------------------------------------------------------------------------------------------


def _history_models() -> list[type]:
    """Children before parents: the order to undo creations."""
    return [Duty, Contact, OfficeHours, AgencyName, Source, Agency]


@transaction.atomic
def page_apply_undo(*, page: IngestedPage, by) -> int:
    """Undo an applied page: delete what it created, restore what it changed or removed. Refused when
    someone changed those records afterwards. Returns the number of records touched."""
    page = IngestedPage.objects.select_for_update().get(pk=page.pk)
    if page.status != IngestedPage.Status.APPLIED:
        raise ValidationError("Only an applied page can be undone.")
    check_scope(by=by, agency=page.agency)
    reason, undo_reason = page.change_reason, f"undo {page.change_reason}"
    for model in _history_models():
        ids = model.history.filter(history_change_reason=reason).values("id")
        later = model.history.filter(id__in=ids, history_date__gt=page.reviewed_at).exclude(
            history_change_reason=reason)
        if later.exists():
            raise ValidationError(f"{model._meta.verbose_name} '{later.first().instance}' was changed after this page "
                                  "was applied; undo that change first or edit by hand.")
    agency = page.agency
    created_agency = Agency.history.filter(id=agency.pk, history_change_reason=reason, history_type="+").exists()
    if not created_agency:
        Duty.objects.filter(agency=agency).update(position=F("position") + BUMP)
    touched = 0
    for model in _history_models():
        records = list(model.history.filter(history_change_reason=reason).order_by("-history_date", "-history_id"))
        restored_ids = set()
        for record in records:
            if record.id in restored_ids:
                continue
            restored_ids.add(record.id)
            current = model._default_manager.filter(pk=record.id).first()
            if record.history_type == "+":
                if current is not None:
                    _undo_stamp(current, by, undo_reason).delete()
                    touched += 1
                continue
            earliest = min((r for r in records if r.id == record.id), key=lambda r: (r.history_date, r.history_id))
            previous = earliest.prev_record if earliest.history_type == "~" else earliest
            if previous is None:
                raise ValidationError(f"No earlier version of {model._meta.verbose_name} '{record.instance}' is "
                                      "recorded, so this page cannot be undone; edit the record by hand.")
            instance = previous.instance
            if isinstance(instance, Agency) and current is not None:
                instance.version = current.version + 1  # a revert is a new version, not an old one
            _undo_stamp(instance, by, undo_reason).save(force_insert=current is None)
            touched += 1
    if not created_agency:
        Duty.objects.filter(agency=agency, position__gt=BUMP).update(position=F("position") - BUMP)
    page.status = IngestedPage.Status.UNDONE
    page.save(update_fields=["status"])
    return touched


def _undo_stamp(instance, by, reason):
    instance._history_user = by
    instance._change_reason = reason
    return instance
