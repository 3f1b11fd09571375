"""The pushed-item serializers (GET lists, schema) are made from the ingest's field table, so a
field added to `measurements.ingest.fields.SPECS` is documented and rendered without a second
edit."""

import pytest

from measurements.api import serializers as item_serializers
from measurements.ingest import fields
from measurements.ingest.fields import CASES, MEMBERS, RESPONSES, REVENUE, SPECS, FieldSpec

SERIALIZERS = {
    RESPONSES: item_serializers.ResponseItemSerializer,
    CASES: item_serializers.CaseItemSerializer,
    REVENUE: item_serializers.RevenueEventItemSerializer,
    MEMBERS: item_serializers.MemberItemSerializer,
}


@pytest.mark.parametrize("kind", list(SERIALIZERS))
def test_each_item_serializer_holds_the_tables_fields(kind):
    declared = SERIALIZERS[kind]().fields
    assert list(declared) == [spec.name for spec in SPECS[kind]]
    for spec in SPECS[kind]:
        field = declared[spec.name]
        assert field.required is spec.required, spec.name
        assert field.allow_null is spec.nullable, spec.name
        assert (field.help_text or None) == spec.help, spec.name
        if spec.check in ("id", "str"):
            assert field.max_length == spec.max_length, spec.name


def test_a_field_added_to_the_table_reaches_the_serializer(monkeypatch):
    extra = FieldSpec("note", "str", required=False, nullable=True, help_text="A new field.")
    monkeypatch.setitem(fields.SPECS, MEMBERS, (*SPECS[MEMBERS], extra))
    made = item_serializers.item_serializer(MEMBERS, "MemberItemSerializer")
    assert list(made().fields)[-1] == "note"
    assert made().fields["note"].help_text == "A new field."
