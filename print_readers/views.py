"""My account › Print subscription: linking a print subscription to the web account, and
unlinking it to free its seat."""

from http import HTTPStatus

from allauth.core.internal import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from print_readers import linking, normalise
from print_readers.forms import LinkForm

# Per web account, per network, and per print account tried (new web accounts are free to
# make): an account number and a postcode are little to guess from.
ATTEMPTS = "5/15m/user,20/d/ip"
PER_PRINT_ACCOUNT = "10/d/key"
TOO_MANY = (
    "Too many attempts to link a print subscription: try again later, or contact us with the "
    "details from your mailing label."
)


@login_required
def link(request):
    now = timezone.now()
    form = LinkForm(request.POST or None)
    status = HTTPStatus.OK
    if request.method == "POST":
        if not allowed_to_try(request, form):
            form.is_valid()
            form.add_error(None, TOO_MANY)
            status = HTTPStatus.TOO_MANY_REQUESTS
        elif form.is_valid():
            data = form.cleaned_data
            try:
                made = linking.link(
                    request.user, data["publication"], data["account_number"], data["postcode"],
                    now=now,
                )  # fmt: skip
            except linking.LinkRefused as refusal:
                form.add_error(None, str(refusal))
                status = HTTPStatus.BAD_REQUEST
            else:
                messages.success(
                    request,
                    f"Linked: you can read {made.record.publication.name} online until "
                    f"{made.record.expires:%-d %B %Y}.",
                )
                return redirect("print_link")
        else:
            status = HTTPStatus.BAD_REQUEST
    return render(
        request, "print_readers/link.html", {"form": form, "links": links_of(request.user, now)},
        status=status,
    )  # fmt: skip


@require_POST
@login_required
def leave(request, pk):
    """The reader unlinks their own print subscription (a seat for someone else at home)."""
    mine = request.user.print_links.filter(ended_at__isnull=True).select_related(
        "record__publication", "subscription"
    )
    link = get_object_or_404(mine, pk=pk)
    linking.leave(link, timezone.now())
    messages.success(
        request,
        f"Unlinked: {link.record.publication.name} is no longer read online on account "
        f"{link.record.account_number}, and its seat is free.",
    )
    return redirect("print_link")


def allowed_to_try(request, form):
    """Count this attempt against the limits; False when one is used up."""
    if not ratelimit.consume(
        request, action="link_print", config={"link_print": ATTEMPTS}, app="print_readers"
    ):
        return False
    number = normalise.account_number(request.POST.get("account_number", ""))[:40]
    publication = request.POST.get("publication", "")[:60]
    usage = ratelimit.consume(
        request,
        action="link_print_account",
        key=f"{publication}:{number}",
        config={"link_print_account": PER_PRINT_ACCOUNT},
        app="print_readers",
    )
    return bool(usage)


def links_of(user, now):
    today = timezone.localdate(now)
    links = list(
        user.print_links.filter(ended_at__isnull=True).select_related("record__publication")
    )
    for one in links:
        one.current = one.record.is_current(today)
    return links
