"""Loading the authored Markdown files into the database without losing a staff edit.

Each app keeps its authored documents as ``<app>/pages/<slug>.md``: YAML front matter, then Markdown.
A document that is missing is created and published. One that staff have not touched since it was last
loaded is brought up to date with its file, text and relations (``related``, ``next``, …), and stays
published or unpublished as staff left it; a published one goes live again with the change. One that
staff have edited keeps its text and relations, unless ``force`` is given. A document staff created in
the admin (it has no file checksum) is theirs: a file with the same slug never overwrites it, even with
``force``. Clinical reviews are never read from files: only a clinical reviewer records one. The clinic
profile is created from ``content/clinic.yaml`` when there is none.

Every change goes through content.publishing, as the site itself (``user=None``).
"""

from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction

from content import publishing
from content.models import ClinicProfile
from core.registry import document_models


class ContentFileError(Exception):
    """An authored file that cannot be loaded; the message names the file and the problem."""


@dataclass
class LoadReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    held_back: list = field(default_factory=list)  # saved as drafts: their links lead to unpublished pages

    def __str__(self):
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.kept)} kept because staff edited them"
            + (f", {len(self.held_back)} left as drafts" if self.held_back else "")
        )


def _references_markdown(references):
    return "\n".join(f"- {reference}" for reference in references or [])


def _read(path, model):
    try:
        post = frontmatter.load(path)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ContentFileError(f"{path}: the front matter is not valid YAML ({error}).") from error
    meta = dict(post.metadata)
    missing = [name for name in model.FRONT_MATTER_REQUIRED if not meta.get(name)]
    if missing:
        raise ContentFileError(f"{path}: front matter lacks {', '.join(missing)}.")
    values = {front: meta[front] for front in model.FRONT_MATTER_REQUIRED}
    values = {model.FRONT_MATTER_FIELDS.get(name, name): value for name, value in values.items()}
    values.update(
        body=post.content.strip(),
        references=_references_markdown(meta.get("references")),
    )
    try:
        values["nav_order"] = int(meta.get("nav_order", 100))
    except (TypeError, ValueError) as error:
        raise ContentFileError(f"{path}: nav_order must be a whole number.") from error
    return values, meta


def _link_relations(document, model, meta, path):
    """Set the document's relations as its file names them; True when that changed them."""
    before = document.relation_ids()
    for front, (attribute, target_label) in model.FRONT_MATTER_RELATIONS.items():
        target_model = apps.get_model(target_label)
        wanted = meta.get(front)
        if wanted is None:
            continue
        if isinstance(wanted, list):
            # A file names the file of the page it links to, whatever address staff gave that page.
            found = {slug: _linked(target_model, slug) for slug in wanted}
            unknown = [slug for slug, target in found.items() if target is None]
            if unknown:
                raise ContentFileError(f"{path}: {front} names unknown slugs {sorted(unknown)}.")
            getattr(document, attribute).set(found.values())
        elif wanted == "contact":
            setattr(document, attribute, None)
        else:
            target = _linked(target_model, wanted)
            if target is None:
                raise ContentFileError(f"{path}: {front} names unknown slug {wanted!r}.")
            setattr(document, attribute, target)
    if document.relation_ids() == before:
        return False
    # Saved as a draft (also after a many-to-many change) so the draft state and history see it.
    publishing.save_draft(document=document, user=None, reason="Links loaded from its authored file")
    return True


def _loaded_from(model, name):
    """The document loaded from the file `<name>.md`, wherever staff have moved it since."""
    return model.objects.filter(source_file=name).first()


def _linked(model, name):
    """What a file's link to `name` means: the document loaded from that file, else whatever the
    address `name` leads to (a page staff made)."""
    return _loaded_from(model, name) or model.objects.known_by(name)


def _created_by_staff(document):
    """Made in the admin, not loaded from a file: it has no file checksum. Never overwritten."""
    return not document.source_checksum


def _edited_by_staff(document):
    """Staff changed the document since it was last loaded: its text differs from what was loaded, or
    a person saved its current draft (a change of relations alone shows only that way)."""
    if document.is_edited:
        return True
    saved = document.history.filter(version=document.version).order_by("history_date", "history_id")
    first_save = saved.values_list("history_user_id", flat=True).first()
    return first_save is not None


def pages_directory(model):
    return Path(apps.get_app_config(model._meta.app_label).path) / "pages"


def _load_model(model, force, to_publish):
    report, to_link = LoadReport(), []
    for path in sorted(pages_directory(model).glob("*.md")):
        values, meta = _read(path, model)
        slug = path.stem
        document = _loaded_from(model, slug)
        if document is None:
            taken = model.objects.known_by(slug)
            if taken is not None:  # a page staff made holds this address: theirs, never overwritten
                report.kept.append(slug)
                continue
            document = model(slug=slug, source_file=slug, **values)
            report.created.append(slug)
        elif _created_by_staff(document) or (_edited_by_staff(document) and not force):
            report.kept.append(slug)
            continue
        else:
            for name, value in values.items():
                setattr(document, name, value)
            to_link.append((document, meta, path))  # its relations follow the file too
            if document.authored_checksum() == document.source_checksum and not force:
                report.unchanged.append(slug)
                continue
            report.updated.append(slug)
        document.source_checksum = document.authored_checksum()
        try:
            document.full_clean(exclude=["source_checksum"])
        except ValidationError as error:
            raise ContentFileError(f"{path}: {'; '.join(error.messages)}") from error
        publishing.save_draft(document=document, user=None, reason="Loaded from its authored file")
        if slug in report.created:
            to_link.append((document, meta, path))
        if slug in report.created or document.published:
            to_publish.append(document)  # authored text goes live; a page staff unpublished stays unpublished
    return report, to_link


def _publish_what_can_go_live(documents, reports):
    """Publish the loaded documents together; one whose links lead to a page staff took down stays a
    draft (named in the report) rather than stopping the site from starting."""
    documents = list(documents)
    while documents:
        try:
            publishing.publish_together(documents=documents, user=None)
            return
        except publishing.LinksBroken as error:
            documents.remove(error.document)
            report = reports[error.document._meta.verbose_name_plural]
            report.held_back.append(f"{error.document.slug}: {error}")


def load_clinic_profile():
    """Create the clinic profile from content/clinic.yaml if there is none; never change one."""
    if ClinicProfile.objects.exists():
        return False
    path = Path(apps.get_app_config("content").path) / "clinic.yaml"
    profile = ClinicProfile(**yaml.safe_load(path.read_text()))
    publishing.save_clinic_profile(profile=profile, user=None, reason="Loaded from content/clinic.yaml")
    publishing.publish_clinic_profile(profile=profile, user=None)
    return True


@transaction.atomic
def load_content(*, force=False):
    """Load every app's authored documents; returns {model label: LoadReport}."""
    reports, to_link, to_publish = {}, [], []
    for model in sorted(document_models(), key=lambda m: m.LOAD_ORDER):
        report, linking = _load_model(model, force, to_publish)
        reports[model._meta.verbose_name_plural] = report
        to_link.extend((document, report, meta, path) for document, meta, path in linking)
    # Relations once every document exists: a file may name one that loads after it.
    for document, report, meta, path in to_link:
        if not _link_relations(document, type(document), meta, path):
            continue
        if document.slug in report.unchanged:
            report.unchanged.remove(document.slug)
            report.updated.append(document.slug)
        if document.published and document not in to_publish:
            to_publish.append(document)  # the new links go live, as new text does
    _publish_what_can_go_live(to_publish, reports)
    load_clinic_profile()
    return reports
