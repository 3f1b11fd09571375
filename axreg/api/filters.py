"""Query parameters the API's lists share, so every list answers a bad filter alike.

- `status`: one of the allowed values, else 400 naming the field and the values
  ("Must be one of: open, acknowledged, resolved, all.").
- `audience`: a slug; one that names no audience of the caller's organisation (or another
  organisation's) gives an empty list, as a filter that matches nothing does.
- people (`assignee`, `owner`): by the e-mail the answers show.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from axreg.api.base import SLUG_RE

ALL = "all"
SLUG_MESSAGE = _("Must be a slug: letters, digits, hyphens and underscores.")


def status_message(allowed: Sequence[str]) -> str:
    return gettext("Must be one of: %(values)s.") % {"values": ", ".join(allowed)}


def choice_param(request: Request, name: str, allowed: Sequence[str]) -> str | None:
    """The parameter's value (None when absent), or 400 on `name` listing `allowed`."""
    value = request.query_params.get(name)
    if value is not None and value not in allowed:
        raise ValidationError({name: status_message(allowed)}, code="invalid_choice")
    return value


def slug_param(request: Request, name: str = "audience") -> str | None:
    value = request.query_params.get(name)
    if value is not None and not SLUG_RE.match(value):
        raise ValidationError({name: str(SLUG_MESSAGE)}, code="invalid")
    return value


def email_param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    if value is not None:
        try:
            validate_email(value)  # also keeps a NUL byte away from PostgreSQL
        except DjangoValidationError as exc:
            raise ValidationError(
                {name: gettext("Must be an e-mail address.")}, code="invalid"
            ) from exc
    return value
