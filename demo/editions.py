"""A digital edition for each demo issue: a small PDF made here (the issue's cover line and its
contents, a page each), so that linking a print subscription has something to read."""

from django.core.files.base import ContentFile

from magazine.models import Issue


def ensure_demo_editions():
    for issue in Issue.objects.filter(edition="").select_related("publication"):
        pages = [[issue.publication.name, str(issue), f"Cover date {issue.cover_date:%B %Y}"]]
        pages += [[article.title, article.dek] for article in issue.articles.all()[:12]]
        name = f"{issue.publication.slug}-{issue.volume}-{issue.number}.pdf"
        issue.edition.save(name, ContentFile(pdf(pages)), save=True)


def pdf(pages):
    """A PDF with one page per list of lines (Helvetica, A4)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", None, b"<< /Type /Font /Subtype /Type1 "
               b"/BaseFont /Helvetica >>"]  # fmt: skip
    kids = []
    for lines in pages:
        text = "".join(
            f"BT /F1 {22 if n == 0 else 13} Tf 60 {760 - 40 * n} Td ({escape(line)}) Tj ET\n"
            for n, line in enumerate(lines)
        ).encode("latin-1", "replace")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text))
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content
        )
        kids.append(len(objects))
    refs = b" ".join(b"%d 0 R" % kid for kid in kids)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref,
    )  # fmt: skip
    return bytes(out)


def escape(line):
    return (line or "").replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
