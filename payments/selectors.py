"""Reads for payments."""

from django.shortcuts import get_object_or_404

from contributions.models import Contribution


def contribution_payable_for_person(*, person, contribution_id: int) -> Contribution:
    """The person's own contribution that is waiting for payment, or 404."""
    return get_object_or_404(
        Contribution.objects.select_related("sector", "plan"),
        pk=contribution_id,
        person=person,
        status=Contribution.Status.SUBMITTED,
    )
