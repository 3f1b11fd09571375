"""The registry's `liability` filter (page and API) splits liabilities from measured audiences
through the one rule in `measurements.liability`."""

from audiences.models import Audience
from measurements.filters import RegistryFilter
from measurements.registry_selectors import audience_list
from tests.measurements.test_liability import _measured


def test_the_registry_filter_splits_liabilities_from_measured(org):
    measured = _measured(org)
    unowned = _measured(org, owner_named=True)
    no_plan = _measured(org, plan_recorded=True)
    queryset = Audience.objects.for_org(org)
    assert set(RegistryFilter({"liability": "yes"}, queryset=queryset).qs) == {unowned, no_plan}
    assert list(RegistryFilter({"liability": "no"}, queryset=queryset).qs) == [measured]


def test_it_filters_the_registry_lists_already_annotated_queryset_alike(org):
    measured = _measured(org)
    unowned = _measured(org, owner_named=True)
    queryset = audience_list(organisation=org)
    assert list(RegistryFilter({"liability": "yes"}, queryset=queryset).qs) == [unowned]
    assert list(RegistryFilter({"liability": "no"}, queryset=queryset).qs) == [measured]
