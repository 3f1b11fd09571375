from django.http import HttpRequest

from audiences.models import Membership


def current_organisation(request: HttpRequest) -> dict:
    access = getattr(request, "access", None)
    user = getattr(request, "user", None)  # absent on a 400 raised before the auth middleware
    if user is None or not user.is_authenticated or not access:
        return {"access": None, "organisation": None, "other_memberships": []}
    others = (
        Membership.objects.for_user(request.user)
        .exclude(organisation_id=access.organisation.pk)
        .select_related("organisation")
    )
    return {"access": access, "organisation": access.organisation, "other_memberships": others}
