"""CSV import of responses: upload → preview with per-row errors → confirm (lead or owner)."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from audiences.access import audience_for_edit, member_required
from measurements.ingest import RESPONSES, IngestForbidden, IngestRejected, ingest
from measurements.ingest.csv_file import (
    COLUMNS,
    MAX_BYTES,
    CsvImportError,
    csv_preview,
    scored_metrics,
    template_csv,
    touchpoint_slugs,
)

# The checked rows wait in the session between preview and confirm, so the confirmation
# stores exactly what was previewed (and the file is not uploaded twice).
SESSION_KEY = "csv_import"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=format_lazy(
            _("UTF-8, comma-, semicolon- or tab-separated, at most {size} MB. Columns: {columns}."),
            size=MAX_BYTES // (1024 * 1024),
            # Machine names: in <code>, as on the page (help texts are rendered as HTML).
            columns=", ".join(f"<code>{name}</code>" for name in COLUMNS),
        ),
    )


@member_required
def import_upload(request: HttpRequest, slug: str) -> HttpResponse:
    audience = audience_for_edit(request, slug)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_BYTES:
                raise CsvImportError(
                    gettext("The file is larger than %(size)s MB.")
                    % {"size": MAX_BYTES // (1024 * 1024)}
                )
            preview = csv_preview(audience=audience, data=upload.read())
        except CsvImportError as exc:
            form.add_error("file", str(exc))
        else:
            token = secrets.token_urlsafe(16)
            if not preview.error_count:
                request.session[SESSION_KEY] = {
                    "token": token,
                    "audience": audience.pk,
                    "items": preview.items,
                }
            context = {"audience": audience, "preview": preview, "token": token}
            return render(request, "measurements/import_preview.html", context)
    context = {
        "audience": audience,
        "form": form,
        "columns": COLUMNS,
        "metrics": scored_metrics(audience),
        "touchpoints": touchpoint_slugs(audience),
        "timezone": audience.organisation.timezone or "UTC",
    }
    return render(request, "measurements/import_upload.html", context)


@member_required
@require_GET
def import_template(request: HttpRequest, slug: str) -> HttpResponse:
    """A CSV with the header row and one example row for this audience, to fill in."""
    audience = audience_for_edit(request, slug)
    response = HttpResponse(template_csv(audience), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{audience.slug}-responses.csv"'
    return response


@member_required
@require_POST
def import_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    audience = audience_for_edit(request, slug)
    stash = request.session.get(SESSION_KEY) or {}
    if stash.get("token") != request.POST.get("token") or stash.get("audience") != audience.pk:
        messages.error(request, gettext("That preview has expired; upload the file again."))
        return redirect("measurements:import", slug=audience.slug)
    try:
        result = ingest(
            kind=RESPONSES,
            organisation=audience.organisation,
            payload=stash["items"],
            actor_user=request.user,
            may_write=request.access.can_edit_audience,
        )
    except (IngestRejected, IngestForbidden):
        messages.error(
            request, gettext("The data changed since the preview; upload the file again.")
        )
        return redirect("measurements:import", slug=audience.slug)
    del request.session[SESSION_KEY]
    messages.success(request, _imported_message(created=result.created, skipped=result.duplicates))
    return redirect("measurements:plan", slug=audience.slug)


def _imported_message(*, created: int, skipped: int) -> str:
    if not skipped:
        return ngettext(
            "Imported %(count)s response.", "Imported %(count)s responses.", created
        ) % {"count": created}
    # Two counts: the clause about the skipped rows is inflected by its own number, then put
    # into the sentence inflected by the imported one.
    stored = ngettext(
        "%(count)s was already stored.", "%(count)s were already stored.", skipped
    ) % {"count": skipped}
    return ngettext(
        "Imported %(count)s response; %(stored)s",
        "Imported %(count)s responses; %(stored)s",
        created,
    ) % {"count": created, "stored": stored}
