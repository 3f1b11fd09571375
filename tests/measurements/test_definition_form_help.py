"""The definition form's scale help is written from the kinds table, in the words it had."""

from measurements.forms import DefinitionForm, scale_help


def test_the_scale_help_reads_the_kinds_table_in_the_words_it_had():
    assert scale_help() == (
        "CSAT: default 1–5; CES: default 1–7; NPS is always 0–10; time to resolution, "
        "retention, churn and CLV have no scale."
    )
    assert DefinitionForm._meta.help_texts["scale_min"] == scale_help()
