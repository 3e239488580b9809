"""UK and US spellings in shared text: the word lists, both ways, and a project's own."""

import pytest
from django.core import checks
from django.test import override_settings

from wagtail_spinecare import spellings
from wagtail_spinecare.spellings import BOTH, SPELLINGS, TO_UK, TO_US
from wagtail_spinecare.system_checks import check_settings
from wagtail_spinecare.terminology import Region, adapt_data, adapt_text, terminology_for

UK, US = terminology_for(Region.UK), terminology_for(Region.US)


def to_us(text: str) -> str:
    return adapt_text(text, UK, US)


def to_uk(text: str) -> str:
    return adapt_text(text, US, UK)


@pytest.mark.parametrize(("uk", "us", "direction"), SPELLINGS, ids=lambda v: str(v))
def test_every_entry_reads_as_listed_in_each_direction_it_goes(uk, us, direction):
    sentence = "Ask about {} today."
    assert to_us(sentence.format(uk)) == sentence.format(us)
    if direction == BOTH:
        assert to_uk(sentence.format(us)) == sentence.format(uk)
    else:
        assert direction == TO_US
        assert to_uk(sentence.format(us)) == sentence.format(us)


def test_the_list_holds_each_word_once_and_only_words():
    words = [uk.lower() for uk, _us, _direction in SPELLINGS]
    assert len(words) == len(set(words))
    reverse = [us.lower() for _uk, us, direction in SPELLINGS if direction == BOTH]
    assert len(reverse) == len(set(reverse))
    assert not [entry for entry in SPELLINGS if spellings.refusal(entry)]
    assert len(SPELLINGS) >= 200


class TestSwapping:
    def test_the_words_a_us_patient_noticed(self):
        text = (
            "Your exercise programme starts with joint mobilisation. A local anaesthetic is "
            "used; an orthopaedic surgeon at the centre explains what changes your behaviour."
        )
        assert to_us(text) == (
            "Your exercise program starts with joint mobilization. A local anesthetic is "
            "used; an orthopedic surgeon at the center explains what changes your behavior."
        )

    def test_capitals_and_plurals_are_kept(self):
        assert to_us("Programmes. PROGRAMME. Behaviours and centres.") == (
            "Programs. PROGRAM. Behaviors and centers."
        )

    def test_verb_forms_and_nouns_of_ise_words(self):
        assert to_us("We mobilise, mobilised, mobilising; mobilisation recognises it.") == (
            "We mobilize, mobilized, mobilizing; mobilization recognizes it."
        )
        assert to_uk("Paralyzed, analyzing and color.") == "Paralysed, analysing and colour."

    def test_words_spelled_alike_in_both_are_left_alone(self):
        text = "Exercise, advise, supervise, a specialist, practice and a licence."
        assert to_us(text) == "Exercise, advise, supervise, a specialist, practice and a license."
        # "practice" and "license" are UK words too: US text keeps them on a UK page.
        assert to_uk("Practice and license.") == "Practice and license."

    def test_names_written_with_capitals_are_left_alone(self):
        assert to_us("Harbourside Spine Centre runs a programme.") == (
            "Harbourside Spine Centre runs a program."
        )
        assert to_us("Ring the Lakeview Centre about the Centre's programme.") == (
            "Ring the Lakeview Centre about the Center's program."
        )
        assert to_us("Harbourside Physiotherapy offers physiotherapy.") == (
            "Harbourside Physiotherapy offers physical therapy."
        )

    def test_tags_and_addresses_never_change(self):
        html = (
            '<a href="https://example.org/programme" title="programme">programme</a> '
            "or www.spine-centre.example/programme, or write to centre@example.org."
        )
        assert to_us(html) == (
            '<a href="https://example.org/programme" title="programme">program</a> '
            "or www.spine-centre.example/programme, or write to centre@example.org."
        )

    def test_text_naming_both_words_keeps_both(self):
        assert to_us("Your postcode or ZIP code, and the programme.") == (
            "Your postcode or ZIP code, and the program."
        )

    def test_words_inside_longer_words_are_left_alone(self):
        assert to_us("programmed, centred, colourful, Harbourside") == (
            "programmed, centred, colourful, Harbourside"
        )

    def test_text_whose_lower_case_is_longer_is_swapped_too(self):
        # "İ" lower-cases to two characters: such text is searched in any case.
        assert to_us("İstanbul programme") == "İstanbul program"

    def test_stream_data_keeps_its_codes(self):
        data = [{"type": "programme", "value": {"text": "A programme.", "url": "/programme/"}}]
        assert adapt_data(data, UK, US) == [
            {"type": "programme", "value": {"text": "A program.", "url": "/programme/"}}
        ]


class TestAProjectsOwnWords:
    def test_its_entries_are_swapped_as_it_says(self):
        with override_settings(
            WAGTAIL_SPINECARE_SPELLINGS=[
                ("plaster", "band-aid"),
                ("cot", "crib", TO_US),
                ("queue", "line", TO_UK),
            ]
        ):
            assert to_us("A plaster by the cot in the queue.") == (
                "A band-aid by the crib in the queue."
            )
            assert to_uk("A band-aid by the crib in line.") == "A plaster by the crib in queue."
        assert to_us("A plaster by the cot.") == "A plaster by the cot."

    def test_its_entry_replaces_the_packages(self):
        with override_settings(WAGTAIL_SPINECARE_SPELLINGS=[("centre", "centre point")]):
            assert to_us("the centre") == "the centre point"

    @pytest.mark.parametrize(
        "entry",
        [
            ("centre", "center/"),
            ("<b>centre", "center"),
            ("centre", 'center" onclick="x'),
            ("www.centre", "www.center"),
            ("centre", "center", "sideways"),
            ("centre",),
            "centre",
            ("centre", "Centre"),
            ("", "center"),
        ],
    )
    def test_an_entry_that_could_change_an_address_or_a_tag_is_refused(self, entry):
        with override_settings(WAGTAIL_SPINECARE_SPELLINGS=[entry, ("plaster", "band-aid")]):
            errors = [e for e in check_settings() if "SPELLINGS" in e.msg]
            assert len(errors) == 1 and errors[0].level == checks.ERROR
            assert errors[0].id == "wagtail_spinecare.E004"
            assert repr(entry) in errors[0].msg or "not a pair" in errors[0].msg
            # Refused, it is not used; the others still are.
            assert to_us('<a href="/centre/">centre plaster</a>') == (
                '<a href="/centre/">center band-aid</a>'
            )

    def test_a_setting_that_is_not_a_list_is_refused(self):
        with override_settings(WAGTAIL_SPINECARE_SPELLINGS="centre=center"):
            errors = [e for e in check_settings() if "SPELLINGS" in e.msg]
            assert len(errors) == 1 and "a list of word pairs" in errors[0].msg
            assert to_us("the centre") == "the center"
