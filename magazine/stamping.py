"""Stamped copies of digital editions: every page of a reader's copy says whom it was licensed to.

A copy is made on the reader's first request and kept beside the editions, so that it is made
once and a front server (nginx, Apache) can send it like the edition itself. Copies are kept as
`stamped/<edition key>/<the file's fingerprint>/<reader id>-<the reader's fingerprint>.pdf`: a
replaced edition file or a changed email address gives a new copy, and the copy it replaces is
removed when the new one is made; an account's copies go with the account. The date a copy
bears is the day it was first made.
"""

import functools
import hashlib
import os
import secrets
import shutil
import uuid
from io import BytesIO
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.signals import post_delete
from django.utils import dateformat, timezone
from pypdf import PdfReader, PdfWriter, Transformation
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from magazine.models import editions_storage

FONT, FONT_SIZE = "Helvetica", 7
# From the bottom of the finished page to the line's baseline, and the least room on either side.
BASELINE, SIDE_MARGIN = 10, 12


class Unstampable(Exception):
    """The edition's PDF cannot be stamped: it is encrypted, or cannot be read."""


def stamped_copy(issue, user, now):
    """The storage name of `user`'s stamped copy of `issue`'s edition, made if missing.

    Raises `FileNotFoundError` when the edition's file is missing, and `Unstampable` when it
    cannot be opened (encrypted with a password, or damaged): then no copy is made, and the
    caller must not send the unstamped edition instead (a publisher who stamps wants no copy to
    leave without a name)."""
    storage = issue.edition.storage
    name = copy_name(issue, user, os.stat(issue.edition.path))
    if not storage.exists(name):
        keep(storage, name, stamped(issue.edition.path, licence(user, now)))
        forget_replaced(storage, name, user)
    return name


def fingerprint(*facts):
    return hashlib.sha256("\n".join(map(str, facts)).encode()).hexdigest()[:32]


def copy_name(issue, user, source):
    """Named for the edition's file as it is now and the reader as they are now."""
    edition = fingerprint(issue.edition.name, source.st_size, source.st_mtime_ns)
    reader = fingerprint(user.pk, user.email)
    return f"stamped/{issue.edition_key}/{edition}/{user.pk}-{reader}.pdf"


def forget_replaced(storage, name, user):
    """Remove the copies `name` replaces: those of an earlier file of the edition (anyone's),
    and this reader's under an earlier address."""
    folder = Path(storage.path(name)).parent
    for earlier in folder.parent.iterdir():
        if earlier != folder:
            shutil.rmtree(earlier, ignore_errors=True)
    for earlier in folder.glob(f"{user.pk}-*.pdf"):
        if earlier.name != Path(name).name:
            earlier.unlink(missing_ok=True)


def account_deleted(sender, instance, **kwargs):
    """Remove every stamped copy made for a deleted account, once its deletion is committed:
    they carry its address."""
    root, user_id = Path(editions_storage().path("stamped")), instance.pk

    def forget():
        for copy in root.glob(f"*/*/{user_id}-*.pdf"):
            copy.unlink(missing_ok=True)

    transaction.on_commit(forget)


def issue_changed(sender, instance, **kwargs):
    """Remove every stamped copy of an issue whose edition is gone (cleared, or the issue
    deleted) — and a deleted issue's edition itself — once that is committed."""
    deleted = kwargs.get("signal") is post_delete
    if deleted or not instance.edition:
        forget_copies(instance, also=instance.edition.name if deleted else "")


def forget_copies(issue, *, also=""):
    """Once the transaction commits, remove every stamped copy of `issue`'s edition (and the
    edition's file `also`, if named): its file is gone or replaced."""
    storage, folder = editions_storage(), f"stamped/{issue.edition_key}"

    def forget():
        shutil.rmtree(storage.path(folder), ignore_errors=True)
        if also:
            storage.delete(also)

    transaction.on_commit(forget)


def licence(user, now):
    day = timezone.localdate(now)
    return f"Licensed to {ascii_domain(user.email)} on {dateformat.format(day, 'j F Y')}"


def ascii_domain(email):
    """The address with an international domain in its ASCII form (xn--…): the same address,
    in letters the stamp's font has. Local parts are ASCII already (Django's EmailValidator)."""
    local, _, domain = email.rpartition("@")
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return email


def check_stampable(file):
    """Raise `Unstampable` if the PDF in `file` (an upload) could not be stamped."""
    file.seek(0)
    try:
        opened(file)
    finally:
        file.seek(0)


def opened(source):
    """The PDF in `source` (a path or a file), open for reading; `Unstampable` if it cannot
    be. A PDF encrypted with an owner's password alone (no password to open it, as printers
    often send them) opens; one that needs a password to be read does not."""
    try:
        reader = PdfReader(source)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unstampable("The edition's PDF needs a password to be opened.")
        len(reader.pages)  # a damaged file often fails only when its pages are counted
        return reader
    except Unstampable:
        raise
    except Exception as error:  # a damaged PDF fails in pypdf in many ways, none of them ours
        raise Unstampable(f"The edition's PDF cannot be read: {error}") from error


def stamped(path, line):
    """The PDF at `path`, with `line` at the foot of every page, as bytes."""
    reader = opened(path)
    try:
        return with_line(reader, line)
    except Exception as error:  # damage found only while copying the pages
        raise Unstampable(f"The edition's PDF cannot be read: {error}") from error


def with_line(reader, line):
    writer = PdfWriter(clone_from=reader)
    # One overlay for each size of page, however many pages share it.
    overlay_of_size = functools.cache(functools.partial(overlay, line=line))
    for page in writer.pages:
        stamp_page(page, overlay_of_size)
    output = BytesIO()
    writer.write(output)
    if reader.is_encrypted:  # locked against changes: the reader's copy is locked the same way
        return locked_like(reader, output)
    return output.getvalue()


def locked_like(original, stamped):
    """The `stamped` copy, written again with the original's permissions (and a new owner's
    password no one needs). Written again, not encrypted as it is made: pages merged from
    another document are not encrypted whole on the way (the stamp comes out unreadable)."""
    writer = PdfWriter(clone_from=PdfReader(stamped))
    writer.encrypt(
        user_password="",
        owner_password=secrets.token_urlsafe(24),
        permissions_flag=original.user_access_permissions,
        algorithm="AES-256",
    )
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


def stamp_page(page, overlay_of_size):
    """Draws the line upright at the foot of `page` as it is shown, however it is turned: the page's
    own content, boxes and links are left as they are."""
    box, turn = page.trimbox, page.rotation % 360
    width, height = float(box.width), float(box.height)
    if turn in (90, 270):
        width, height = height, width
    # The stamp is drawn upright, then turned back by the page's rotation and moved onto the box.
    placing = Transformation().rotate(turn)
    corners = [placing.apply_on((0, 0)), placing.apply_on((width, height))]
    left, bottom = min(x for x, _ in corners), min(y for _, y in corners)
    placing = placing.translate(float(box.left) - left, float(box.bottom) - bottom)
    page.merge_transformed_page(overlay_of_size(width, height), placing)


def overlay(width, height, line):
    """A transparent page of this size with `line` centred at its foot, on a faint white band
    so that it reads on a dark picture too; smaller on a page too narrow for it."""
    size = min(FONT_SIZE, (width - 2 * SIDE_MARGIN) / stringWidth(line, FONT, 1))
    text_width = stringWidth(line, FONT, size)
    output = BytesIO()
    drawing = canvas.Canvas(output, pagesize=(width, height))
    drawing.setFillColorRGB(1, 1, 1, alpha=0.7)
    band_left, band_bottom = (width - text_width) / 2 - 3, BASELINE - size * 0.35
    drawing.rect(band_left, band_bottom, text_width + 6, size * 1.4, stroke=0, fill=1)
    drawing.setFillColorRGB(0.25, 0.25, 0.25)
    drawing.setFont(FONT, size)
    drawing.drawCentredString(width / 2, BASELINE, line)
    drawing.save()
    return PdfReader(output).pages[0]


def keep(storage, name, content):
    """Saves the copy under a name of its own, then renames it into place: a reader is never
    sent half a file, and two requests making the same copy at once each end with a whole one.
    The storage's own saving gives the file and its folder the permissions the editions have."""
    part = storage.save(f"{name}.{uuid.uuid4().hex}.part", ContentFile(content))
    os.replace(storage.path(part), storage.path(name))
