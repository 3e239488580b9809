"""Patient-facing demo content for the example clinics' condition pages."""

from html import escape

from ..terminology import Terminology

# Recovery durations, in weeks. The timeline block and every sentence that mentions
# how long recovery takes are built from these numbers, so they can never disagree.
SETTLING_END = 2
IMPROVEMENT_BY = 6
COURSE_END = 12


def _cap(text: str) -> str:
    """Uppercase the first letter only ("NHS 111" stays "NHS 111")."""
    return text[:1].upper() + text[1:]


def _p(*sentences: str) -> str:
    return f"<p>{escape(' '.join(sentences), quote=False)}</p>"


def _h3(text: str) -> str:
    return f"<h3>{escape(text, quote=False)}</h3>"


def _ul(*items: str) -> str:
    return "<ul>" + "".join(f"<li>{escape(item, quote=False)}</li>" for item in items) + "</ul>"


def _html(*parts: str) -> dict:
    return {"type": "paragraph", "value": "".join(parts)}


def _section(aspect: str, heading: str, *content: dict) -> dict:
    return {
        "type": "section",
        "value": {"aspect": aspect, "heading": heading, "content": list(content)},
    }


def _figure(image_id: int, alt_text: str, caption: str = "") -> dict:
    return {
        "type": "figure",
        "value": {
            "image": {"image": image_id, "decorative": False, "alt_text": alt_text},
            "caption": caption,
        },
    }


def _care_card(level: str, *items: str) -> dict:
    return {
        "type": "care_card",
        "value": {"level": level, "heading": "", "body": _ul(*items), "more_page": None},
    }


def _booking_cta(heading: str, text: str) -> dict:
    return {
        "type": "booking_cta",
        "value": {
            "heading": heading,
            "text": text,
            "label": "Book an assessment",
            "link": "",
            "show_phone": True,
            "open_in_new_tab": False,
        },
    }


def _words(terms: Terminology) -> dict[str, str]:
    """The terms as plain strings, ready for f-strings."""
    return {
        "therapy": str(terms.therapy),
        "therapist": str(terms.therapist),
        "doctor": str(terms.family_doctor),
        "urgent_care": str(terms.urgent_care),
        "emergency_number": str(terms.emergency_number),
        "emergency_department": str(terms.emergency_department),
    }


def _improvement_sentence() -> str:
    return f"Most people notice improvement within {SETTLING_END} to {IMPROVEMENT_BY} weeks."


def _course_sentence(therapy: str) -> str:
    return f"A full course of {therapy} usually takes {IMPROVEMENT_BY} to {COURSE_END} weeks."


def _overview(w: dict[str, str], images: dict[str, int]) -> dict:
    return _section(
        "overview",
        "What is facet joint back pain?",
        _html(
            _p(
                "Facet joint back pain comes from the small joints at the back of your spine. "
                "It is a common cause of low back pain, and it usually gets better."
            ),
            _h3("What are facet joints?"),
            _p(
                "Your spine is a stack of bones called vertebrae. Each one is linked to the "
                "next by a pair of small joints at the back: the facet joints. They help your "
                "back bend and turn, and stop it moving too far."
            ),
            _p(
                "Like your knee joints, they have a smooth, slippery surface and a thin outer "
                "layer with nerve endings in it. That is why they can hurt."
            ),
        ),
        _figure(
            images["facet-joints"],
            "Side view of the lower spine: five vertebrae stacked on top of each other, with "
            "the small facet joints at the back of the spine highlighted.",
            "The facet joints sit in pairs at the back of your spine.",
        ),
        _html(
            _p(
                "This pain can be worrying, but it is rarely a sign of serious damage. Our "
                f"{w['therapist']}s help you understand your pain and build a plan that fits "
                "your life."
            ),
        ),
    )


def _causes() -> dict:
    return _section(
        "causes",
        "Why facet joints become painful",
        _html(
            _p("There is often no single cause. Things that can make facet joints sore include:"),
            _ul(
                "sitting or standing in one position for a long time",
                "a sudden twist, lift or awkward movement",
                "doing much more than you are used to, like a day of heavy lifting",
                "being less active than usual, which can leave your back stiff",
                "normal changes in the joints as you get older, including arthritis",
                "poor sleep and stress, which can make pain feel stronger",
            ),
            _p(
                "Many people who have never had back pain show facet joint changes on a scan. "
                "So a report that mentions arthritis does not mean your back is damaged or will "
                "keep getting worse. Irritated joints can settle, and your back is strong."
            ),
        ),
    )


def _symptoms(w: dict[str, str]) -> dict:
    return _section(
        "symptoms",
        "Symptoms of facet joint pain",
        _html(
            _p("You may notice:"),
            _ul(
                "an ache on one or both sides of your lower back",
                "stiffness after waking or sitting still, which eases once you get moving",
                "pain when you lean back, twist, or stand for a long time",
                "pain that travels to your buttock or the top of your leg, but rarely past the "
                "knee",
            ),
            _p(
                "Tingling, numbness, weakness or a shooting pain down the leg point to "
                "something else, such as an irritated nerve (sciatica). Your "
                f"{w['therapist']} can check this."
            ),
            _p(
                "The pain can come and go. A flare-up can be very sore for a few days, but "
                "strong pain does not mean you are harming your back."
            ),
        ),
    )


def _when_to_get_help(w: dict[str, str]) -> dict:
    return _section(
        "when_to_get_help",
        "When to get help",
        _html(_p("Most back pain is not serious, but a few symptoms need checking quickly.")),
        _care_card(
            "emergency",
            "you have numbness or tingling around your genitals or buttocks, or between your legs",
            "you cannot pee, or you have lost control of your bladder or bowels",
            "both your legs feel weak, numb or heavy",
            "you have very bad back pain after a serious fall or accident",
            "you have chest pain as well as back pain",
        ),
        _care_card(
            "urgent",
            "you have a high temperature or feel hot and shivery",
            "you have had cancer in the past and now have new back pain",
            "you are losing weight without trying",
            "your pain keeps getting worse, even when you rest",
            "your pain is very bad at night and stops you sleeping",
            "you have weak bones (osteoporosis) or take steroids, and the pain came on suddenly",
        ),
        _care_card(
            "non_urgent",
            "your pain is not getting better after a few weeks of keeping active",
            "you have pins and needles, numbness or pain going down one leg",
            "the pain stops you doing your usual activities or work",
            "you are worried or finding it hard to cope",
        ),
        _html(
            _p(
                f"Not sure how urgent it is? Get advice from your {w['doctor']}, or call us "
                "and we will help you decide."
            )
        ),
    )


def _treatment(w: dict[str, str], treatments=()) -> dict:
    therapy, therapist = w["therapy"], w["therapist"]
    options = [
        _html(
            _h3(f"How {therapy} helps"),
            _p(
                f"{_cap(therapy)} aims to ease your pain, help you move with confidence and "
                f"teach you to manage on your own. Your {therapist} will explain what is safe, "
                "give you exercises that suit you, and help you return to work, sport and "
                "hobbies step by step."
            ),
            _h3("Your treatment options"),
            _p(
                "Exercise comes first. The table shows what each treatment involves and what "
                "the guideline for low back pain that we follow says about it."
            ),
        )
    ]
    if treatments:
        options.append(
            {
                "type": "comparison",
                "value": {
                    "caption": "Treatments for facet joint back pain, by guideline recommendation",
                    "intro": "",
                    "treatments": list(treatments),
                },
            }
        )
    options.append(
        _html(
            _h3("Medicines"),
            _p(
                "Anti-inflammatory pain medicines (NSAIDs) such as ibuprofen can help for a "
                "short time, at the lowest dose that works. Check with a pharmacist or your "
                f"{w['doctor']} first if you have stomach, kidney or heart problems, or asthma. "
                "Strong opioid pain medicines are not recommended for long-lasting back pain."
            ),
            _h3("Why injections and surgery are rarely needed"),
            _p(
                "Injections into the back are not recommended, because research has not shown "
                "lasting benefit. Surgery is not a usual treatment for facet joint pain. Back "
                "belts, shoe inserts, traction and TENS machines are not recommended either."
            ),
        )
    )
    return _section("treatment", f"How {therapy} and other treatments can help", *options)


def _what_to_expect(w: dict[str, str]) -> dict:
    therapist = w["therapist"]
    return _section(
        "what_to_expect",
        "What happens at your first visits",
        _html(
            _p(f"Your first appointment lasts up to an hour. Your {therapist} will:"),
            _ul(
                "ask about your pain, your health and what you want to get back to",
                "check for warning signs that need a doctor",
                "watch how you move and test your strength, feeling and reflexes",
                "explain what is likely causing your pain, in plain words",
                "make a plan with you and show you your first exercises",
            ),
            _p(
                "Most people do not need an X-ray or scan first. Wear clothes you can move in, "
                "and feel free to bring someone with you."
            ),
            _p(
                f"Follow-up visits are shorter. Your {therapist} checks your progress and moves "
                "your exercises on. Many people come weekly at first, then less often."
            ),
        ),
    )


def _exercises(w: dict[str, str], images: dict[str, int]) -> dict:
    return _section(
        "exercises",
        "Exercises that can help",
        _html(
            _p(
                "Exercise is one of the most useful things you can do, and it does not need to "
                f"be hard. Your {w['therapist']} will choose exercises with you, such as:"
            ),
            _ul(
                "gentle movements to ease stiffness, like rolling your bent knees from side to "
                "side while lying on your back",
                "strengthening for the muscles around your trunk, hips and buttocks",
                "activity that raises your heart rate, such as walking, swimming or cycling",
                "yoga, Pilates or tai chi, if you enjoy them",
                "practice of tasks that bother you, like bending or lifting, built up slowly",
            ),
        ),
        _figure(
            images["gentle-movement"],
            "A simple drawing of a person standing up straight and doing a gentle back stretch.",
            "Stretches should feel comfortable.",
        ),
        _html(
            _h3("How much should it hurt?"),
            _p(
                "Some discomfort is normal and safe. It should stay mild and settle within an "
                "hour or so. If your pain is much worse the next day, do a bit less next time. "
                "Stop and ask for advice if an exercise causes pins and needles or pain down "
                "your leg."
            ),
        ),
    )


def _recovery_timeline(w: dict[str, str]) -> dict:
    therapy, therapist = w["therapy"], w["therapist"]
    return _section(
        "recovery_timeline",
        "How long recovery takes",
        _html(_p(_improvement_sentence(), _course_sentence(therapy))),
        {
            "type": "recovery_timeline",
            "value": {
                "phases": [
                    {
                        "label": "Settling things down",
                        "start_week": 0,
                        "end_week": SETTLING_END,
                        "description": (
                            "Keep moving gently and carry on with daily life as much as you "
                            f"can. Your {therapist} checks for anything serious and starts you "
                            "on simple exercises. Bad days are normal."
                        ),
                    },
                    {
                        "label": "Moving more easily",
                        "start_week": SETTLING_END,
                        "end_week": IMPROVEMENT_BY,
                        "description": (
                            "Your exercises build up and you do more of your usual activities. "
                            "Most people notice clear improvement during this phase."
                        ),
                    },
                    {
                        "label": "Getting stronger",
                        "start_week": IMPROVEMENT_BY,
                        "end_week": COURSE_END,
                        "description": (
                            "You build strength and fitness for the things that matter to you. "
                            "Visits become less frequent, and most people finish their course "
                            f"of {therapy} in this phase."
                        ),
                    },
                    {
                        "label": "Staying well",
                        "start_week": COURSE_END,
                        "end_week": None,
                        "description": (
                            "Keep exercising on your own. Flare-ups can happen, but they usually "
                            "settle faster now that you know what to do. If you are not "
                            f"improving, your {therapist} or {w['doctor']} will review your "
                            "plan with you."
                        ),
                    },
                ],
                "note": (
                    "Everyone recovers at their own pace. Pain that lasted a long time before "
                    "treatment may take longer to improve."
                ),
            },
        },
    )


def _self_care(w: dict[str, str], images: dict[str, int]) -> dict:
    return _section(
        "self_care",
        "Looking after your back day to day",
        _html(
            _p(
                "Walking is one of the best things you can do. Start with short walks on flat "
                "ground and add a few minutes every few days."
            ),
        ),
        _figure(
            images["walking"],
            "A simple drawing of a person walking outdoors along a path.",
        ),
        _html(
            _p(
                "There is no single right posture: the best position is usually your next one. "
                "A warm bath or heat pack can ease stiffness. Sleep and stress affect pain too, "
                "so make time to rest well and do things you enjoy."
            ),
        ),
        {
            "type": "do_dont",
            "value": {
                "do": [
                    "keep moving and carry on with daily activities as much as you can",
                    "get up and move every 30 minutes or so when sitting",
                    "do your exercises little and often",
                    "stay at work, or go back soon, with changes if needed",
                ],
                "dont": [
                    "do not rest in bed for long periods, as it usually makes stiffness worse",
                    "do not avoid moving for fear of damage: gentle movement is safe",
                    "do not push hard through sharp or rising pain",
                    "do not take anti-inflammatory medicines for a long time without checking "
                    f"with a pharmacist or your {w['doctor']}",
                ],
            },
        },
    )


def _stories(count: int = 4) -> dict:
    # The newest testimonials about this condition that may be shown: testimonials without valid
    # consent are left out by the consent rule, without the editor having to notice.
    return _section(
        "success_stories",
        "Testimonials",
        {
            "type": "testimonials",
            "value": {
                "heading": "In their own words",
                "testimonials": [],
                "latest_count": count,
            },
        },
    )


def _faq(w: dict[str, str]) -> dict:
    therapy, therapist, doctor = w["therapy"], w["therapist"], w["doctor"]
    items = [
        (
            "How long will it take for my back to get better?",
            _p(
                _improvement_sentence(),
                _course_sentence(therapy),
                "Some people take longer, especially if they had pain for a long time before "
                "starting.",
            ),
        ),
        (
            "Will I need an injection or surgery?",
            _p(
                "Very rarely. Most people get better with exercise, activity and time. A few "
                "people with strong, long-lasting pain may be offered radiofrequency "
                "denervation by a specialist."
            ),
        ),
        (
            "Is it OK to walk with facet joint pain?",
            _p(
                "Yes. Regular short walks often loosen a stiff back. If a long walk makes your "
                "pain worse, take short breaks and then carry on."
            ),
        ),
        (
            "Do I need an X-ray or MRI scan?",
            _p(
                f"Usually not. Your {therapist} or {doctor} can normally tell what is wrong by "
                "talking with you and examining you. Scans rarely change the treatment. You may "
                "need one if you have warning signs of something serious."
            ),
        ),
        (
            "What should I avoid?",
            _p(
                "Try not to stay still for long. You do not need to avoid bending or lifting, "
                "but build up heavy tasks slowly. If something makes your pain much worse, do "
                "less of it for now rather than stopping completely."
            ),
        ),
        (
            "Can I keep working?",
            _p(
                "Usually, yes. Staying at work tends to help recovery. You may need more breaks "
                f"or lighter tasks for a while. Your {therapist} can help you plan this."
            ),
        ),
    ]
    return {
        "type": "faq",
        "value": {
            "heading": "Common questions about facet joint pain",
            "items": [{"question": question, "answer": answer} for question, answer in items],
        },
    }


def facet_joint_page(terms: Terminology, images: dict[str, int], treatments=()) -> dict:
    """The shared facet joint page's fields, in ``terms``' words and no clinic's name:
    title, slug, alternative_names, quick_answer, search_description and body.
    ``treatments`` are treatment ids for the comparison table."""
    w = _words(terms)
    therapy, therapist = w["therapy"], w["therapist"]
    return {
        "title": "Facet joint back pain",
        "slug": "facet-joint-back-pain",
        "alternative_names": (
            "facet joint syndrome, facet joint dysfunction, facet joint arthritis, "
            "facet arthropathy, lumbar facet joint pain"
        ),
        "quick_answer": (
            f"The best treatment is usually to keep active and do exercises guided by a "
            f"{therapist}. {_improvement_sentence()} Scans, injections and surgery are "
            "rarely needed."
        ),
        "search_description": (
            f"Facet joint back pain: symptoms, when to get help, and how exercise and {therapy} "
            "can help."
        ),
        "body": [
            _overview(w, images),
            _causes(),
            _symptoms(w),
            _when_to_get_help(w),
            _treatment(w, treatments),
            _what_to_expect(w),
            _exercises(w, images),
            _recovery_timeline(w),
            _self_care(w, images),
            _stories(),
            _faq(w),
            _booking_cta(
                "Book a back pain assessment",
                "Your first visit includes a careful health check and a clear plan you can "
                "follow at home. Not ready to book yet? That is fine. Call us with any question "
                "and we will be glad to help, with no pressure to book.",
            ),
        ],
    }


def clinic_introduction(terms: Terminology, clinic_name: str, town: str) -> str:
    """What one clinic adds to the shared facet joint page, in its own words."""
    w = _words(terms)
    return (
        f"At {clinic_name} in {town}, our {w['therapist']}s see people with facet joint pain "
        "every week. Most start to feel better within a few visits, and you can usually be "
        "seen within a week."
    )


def condition_index_page(terms: Terminology, clinic_name: str, town: str) -> dict:
    """Returns dict with keys: title, slug, intro, body"""
    w = _words(terms)
    return {
        "title": "Back and neck conditions we treat",
        "slug": "conditions",
        "intro": (
            f"At {clinic_name}, our {w['therapist']}s help people in {town} with back and neck "
            f"pain. Each page below explains a condition in plain words: what it is, what you "
            f"can do yourself, how {w['therapy']} can help, and when to get help fast."
        ),
        "body": [
            _booking_cta(
                "Not sure what is causing your pain?",
                "You do not need to know the name of your condition to book. Your "
                f"{w['therapist']} will find out what is going on and explain it clearly. If "
                "you would rather talk first, call us with your question.",
            )
        ],
    }


def comparison_page(terms: Terminology, treatments) -> dict:
    """The treatment comparison page for facet joint back pain."""
    w = _words(terms)
    return {
        "title": "Facet joint back pain: treatments compared",
        "slug": "facet-joint-back-pain-treatments",
        "intro": (
            "Treatments for facet joint back pain side by side: what each involves, how soon it "
            "may help, and what the guideline we follow recommends. Your "
            f"{w['therapist']} can talk you through which suit you."
        ),
        "search_description": (
            "Exercise, manual therapy, psychological support, radiofrequency denervation, "
            "injections and surgery for facet joint pain, compared."
        ),
        "body": [
            {
                "type": "comparison",
                "value": {
                    "caption": "Treatments for facet joint back pain, by guideline recommendation",
                    "intro": (
                        "Each recommendation is given in the guideline's own words, with a "
                        "link to where the guideline says it."
                    ),
                    "treatments": list(treatments),
                },
            },
            _booking_cta(
                "Talk it through with us",
                "Book an assessment to find out which treatments suit you.",
            ),
        ],
    }


NG59_SOURCE = (
    "Low back pain and sciatica in over 16s: assessment and management (NG59)",
    "NICE",
    2020,
    "https://www.nice.org.uk/guidance/ng59",
)
ACP_SOURCE = (
    "Noninvasive treatments for acute, subacute, and chronic low back pain: a clinical "
    "practice guideline from the American College of Physicians",
    "American College of Physicians",
    2017,
    "https://www.acpjournals.org/doi/10.7326/M16-2367",
)


def sources() -> list[tuple]:
    """(title, publisher, year, url) of the evidence the demo pages draw on: the UK and the
    US guideline, as the pages are shared by a UK and a US clinic."""
    return [NG59_SOURCE, ACP_SOURCE]
