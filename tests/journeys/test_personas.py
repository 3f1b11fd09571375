"""Personas with quotes and their sources, edited in one form (quotes as an inline formset)."""

from django.urls import reverse

from audiences.models import AuditEntry
from journeys.models import Persona, PersonaQuote
from tests.factories import AudienceFactory, PersonaFactory


def _formset(rows, initial=0):
    data = {
        "quotes-TOTAL_FORMS": str(len(rows)),
        "quotes-INITIAL_FORMS": str(initial),
        "quotes-MIN_NUM_FORMS": "0",
        "quotes-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"quotes-{index}-{key}"] = value
    return data


PERSONA = {
    "name": "Working parent Pat",
    "role": "Parent of two",
    "responsibilities": "School runs",
    "goals": "Know how the children are doing",
    "pain_points": "Letters arrive late",
    "triggers": "A report card",
}


def _create(client, audience, rows):
    url = reverse("journeys:persona_create", args=[audience.slug])
    return client.post(url, {**PERSONA, **_formset(rows)})


def test_an_owner_adds_a_persona_with_quotes_and_sources(owner_client, owned_audience):
    response = _create(
        owner_client,
        owned_audience,
        [
            {
                "text": "I hear about trips the day before.",
                "source": "interview",
                "source_detail": "Parent interviews, March",
            },
            {"text": "", "source": "", "source_detail": ""},  # a blank row is ignored
        ],
    )
    assert response.status_code == 302
    persona = Persona.all_orgs.get(audience=owned_audience)
    assert [(q.text, q.source, q.source_detail) for q in persona.quotes.all()] == [
        ("I hear about trips the day before.", "interview", "Parent interviews, March")
    ]
    page = owner_client.get(reverse("journeys:personas", args=[owned_audience.slug]))
    html = page.content.decode()
    assert "Working parent Pat" in html and "Letters arrive late" in html
    assert "Interview, Parent interviews, March" in html


def test_a_quote_needs_its_source(owner_client, owned_audience):
    response = _create(
        owner_client,
        owned_audience,
        [{"text": "Too many emails.", "source": "", "source_detail": ""}],
    )
    assert response.status_code == 200
    assert "source" in response.context["quotes"].forms[0].errors
    assert not Persona.all_orgs.exists()


def test_quotes_are_edited_and_deleted_in_the_same_form(owner_client, owner, owned_audience):
    persona = PersonaFactory(audience=owned_audience, name="Pat")
    keep = PersonaQuote.objects.create(persona=persona, text="Old words", source="review")
    drop = PersonaQuote.objects.create(persona=persona, text="Remove me", source="social")
    url = reverse("journeys:persona_edit", args=[owned_audience.slug, persona.pk])
    rows = [
        {"id": str(keep.pk), "persona": str(persona.pk), "text": "New words", "source": "review"},
        {
            "id": str(drop.pk),
            "persona": str(persona.pk),
            "text": "Remove me",
            "source": "social",
            "DELETE": "on",
        },
        {"text": "Fresh quote", "source": "support_call", "source_detail": "Ticket 42"},
    ]
    response = owner_client.post(url, {**PERSONA, **_formset(rows, initial=2)})
    assert response.status_code == 302
    assert [(q.text, q.source) for q in persona.quotes.all()] == [
        ("New words", "review"),
        ("Fresh quote", "support_call"),
    ]
    actions = list(
        AuditEntry.all_orgs.filter(audience=owned_audience, object_type="personaquote")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["update", "delete", "create"]
    assert AuditEntry.all_orgs.filter(
        object_type="persona", action="update", actor_user=owner
    ).exists()


def test_a_quote_of_another_persona_cannot_be_edited_through_this_one(owner_client, owned_audience):
    mine = PersonaFactory(audience=owned_audience)
    other = PersonaFactory(audience=owned_audience)
    theirs = PersonaQuote.objects.create(persona=other, text="Not yours", source="review")
    url = reverse("journeys:persona_edit", args=[owned_audience.slug, mine.pk])
    rows = [{"id": str(theirs.pk), "persona": str(mine.pk), "text": "Hijacked", "source": "review"}]
    response = owner_client.post(url, {**PERSONA, **_formset(rows, initial=1)})
    assert response.status_code == 200
    theirs.refresh_from_db()
    assert theirs.text == "Not yours" and theirs.persona == other


def test_removing_a_persona_is_audited(owner_client, owned_audience):
    persona = PersonaFactory(audience=owned_audience, name="Pat")
    url = reverse("journeys:persona_delete", args=[owned_audience.slug, persona.pk])
    assert owner_client.post(url).status_code == 302
    assert not Persona.all_orgs.exists()
    entry = AuditEntry.all_orgs.get(action="delete")
    assert entry.object_repr == "Pat" and entry.audience == owned_audience


def test_personas_have_no_photo_field():
    assert not any("photo" in f.name or "image" in f.name for f in Persona._meta.get_fields())


def test_an_owner_cannot_touch_another_audiences_personas(owner_client, unowned_audience):
    persona = PersonaFactory(audience=unowned_audience)
    slug = unowned_audience.slug
    assert owner_client.get(reverse("journeys:persona_create", args=[slug])).status_code == 403
    url = reverse("journeys:persona_delete", args=[slug, persona.pk])
    assert owner_client.post(url).status_code == 403
    assert Persona.all_orgs.filter(pk=persona.pk).exists()


def test_a_viewer_reads_personas_without_edit_controls(viewer_client, owned_audience):
    PersonaFactory(audience=owned_audience, name="Pat")
    page = viewer_client.get(reverse("journeys:personas", args=[owned_audience.slug]))
    html = page.content.decode()
    assert "Pat" in html and "Add a persona" not in html and "Remove persona" not in html
    assert (
        viewer_client.post(
            reverse("journeys:persona_create", args=[owned_audience.slug]), PERSONA
        ).status_code
        == 403
    )


def test_personas_of_another_organisation_or_audience_are_not_found(
    lead_client, org, owned_audience, foreign_audience
):
    foreign = PersonaFactory(audience=foreign_audience)
    sibling = PersonaFactory(audience=AudienceFactory(organisation=org))
    for persona in (foreign, sibling):
        edit = reverse("journeys:persona_edit", args=[owned_audience.slug, persona.pk])
        delete = reverse("journeys:persona_delete", args=[owned_audience.slug, persona.pk])
        assert lead_client.get(edit).status_code == 404
        assert lead_client.post(delete).status_code == 404
    assert Persona.all_orgs.count() == 2
    assert lead_client.get(reverse("journeys:personas", args=["customers"])).status_code == 404
