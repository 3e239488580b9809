"""The fixed content both pages show: about 1,000 words in 9 sections, 6 images, 6 questions,
2 patient stories, 2 booking buttons and a comparison of 6 treatments.

Plain data only; ``pages.py`` turns it into each page's StreamField.
"""

import re
from dataclasses import dataclass
from html import unescape


@dataclass(frozen=True)
class Text:
    html: str


@dataclass(frozen=True)
class Figure:
    image: int  # index into the page's images
    alt: str
    caption: str


@dataclass(frozen=True)
class CTA:
    heading: str
    text: str
    label: str = "Book an assessment"


@dataclass(frozen=True)
class Comparison:
    caption: str


@dataclass(frozen=True)
class Stories:
    heading: str


@dataclass(frozen=True)
class Section:
    aspect: str
    heading: str
    parts: tuple


TITLE = "Facet joint back pain"
SLUG = "facet-joint-back-pain"
QUICK_ANSWER = (
    "Keeping active and doing exercises chosen with a physiotherapist is usually the best "
    "treatment. Most people improve within 2 to 6 weeks. Scans, injections and surgery are "
    "rarely needed."
)
CLINIC_NAME = "Harbourside Physiotherapy"
SECOND_CLINIC_NAME = "Riverside Spine Clinic"
BOOKING_URL = "https://book.harbourside-physio.example/"
# A clinic page drawing on shared content adds its clinic's own words, in any country's.
CLINIC_INTRODUCTION = (
    "Our team sees people with back pain every week. Most feel better within a few visits."
)

SECTIONS = (
    Section(
        "overview",
        "What is facet joint back pain?",
        (
            Text(
                "<p>Facet joint back pain comes from the small joints at the back of your "
                "spine. It is one of the most common causes of low back pain, and it usually "
                "gets better with time, movement and the right advice.</p>"
                "<p>Each bone in your spine is linked to the next by a pair of facet joints. "
                "They guide how your back bends and turns, and stop it moving too far.</p>"
            ),
            Figure(
                0,
                "Side view of the lower spine with the small facet joints at the back of "
                "each vertebra highlighted.",
                "The facet joints sit in pairs at the back of your spine.",
            ),
            Text(
                "<p>The pain can be worrying, but it is rarely a sign of serious damage. Our "
                "physiotherapists help you understand your pain and build a plan that fits "
                "your life.</p>"
            ),
        ),
    ),
    Section(
        "causes",
        "Why facet joints become painful",
        (
            Text(
                "<p>There is often no single cause. Things that can make facet joints sore "
                "include:</p><ul><li>sitting or standing in one position for a long time</li>"
                "<li>a sudden twist, lift or awkward movement</li><li>doing much more than "
                "you are used to, like a weekend of gardening</li><li>normal changes in the "
                "joints as you get older</li></ul>"
            ),
            Figure(
                1,
                "A person lifting a heavy box from the floor while twisting to one side.",
                "Lifting while twisting can irritate a facet joint.",
            ),
        ),
    ),
    Section(
        "symptoms",
        "Symptoms of facet joint pain",
        (
            Text(
                "<p>You may notice an ache on one or both sides of your lower back, stiffness "
                "after waking or sitting still that eases once you get moving, and pain when "
                "you lean back, twist or stand for a long time.</p><p>The pain can spread to "
                "your buttock or the top of your leg, but rarely past the knee. Tingling, "
                "numbness or a shooting pain down the leg point to something else, such as an "
                "irritated nerve.</p>"
            ),
            Figure(
                2,
                "A person standing and pressing a hand against one side of their lower back.",
                "Pain is often felt to one side of the spine.",
            ),
        ),
    ),
    Section(
        "when_to_get_help",
        "When to get help",
        (
            Text(
                "<p>Most back pain is not serious, but a few symptoms need checking straight "
                "away. Call 999 or go to A&amp;E if you have numbness around your genitals or "
                "buttocks, cannot pee, have lost control of your bladder or bowels, or both "
                "legs feel weak or heavy.</p><p>Get advice from NHS 111 or your GP the same day "
                "if you also have a high temperature, have had cancer in the past, or the pain "
                "is getting worse even when you rest.</p>"
            ),
        ),
    ),
    Section(
        "treatment",
        "How physiotherapy and other treatments can help",
        (
            Text(
                "<p>Physiotherapy aims to ease your pain, help you move with confidence and "
                "teach you to manage on your own. Exercise comes first. The table shows what "
                "each treatment involves and what the national guideline says about it.</p>"
            ),
            Comparison("Treatments for facet joint back pain, by guideline recommendation"),
            Text(
                "<p>Anti-inflammatory medicines such as ibuprofen can help for a short time, "
                "at the lowest dose that works. Ask a pharmacist first if you have stomach, "
                "kidney or heart problems.</p>"
            ),
        ),
    ),
    Section(
        "what_to_expect",
        "What happens at your first visit",
        (
            Text(
                "<p>Your first appointment lasts up to an hour. Your physiotherapist will ask "
                "about your pain and what you want to get back to, check for warning signs, "
                "watch how you move and explain what is likely causing your pain, in plain "
                "words.</p><p>Most people do not need an X-ray or scan first. Wear clothes "
                "you can move in, and feel free to bring someone with you.</p>"
            ),
            Figure(
                3,
                "A physiotherapist talking with a patient who sits on a treatment couch.",
                "Your first visit starts with a conversation.",
            ),
            CTA(
                "Book your first assessment",
                "Appointments are available on weekdays and Saturday mornings.",
            ),
        ),
    ),
    Section(
        "exercises",
        "Exercises that can help",
        (
            Text(
                "<p>Exercise is one of the most useful things you can do, and it does not "
                "need to be hard. Your physiotherapist will choose exercises with you, such as "
                "gentle knee rolls while lying on your back, strengthening for your trunk and "
                "hips, and activity like walking, swimming or cycling.</p>"
            ),
            Figure(
                4,
                "A person lying on their back on a mat, rolling bent knees to one side.",
                "Knee rolls ease stiffness in the lower back.",
            ),
            Text(
                "<p>Some discomfort is normal and safe. It should stay mild and settle within "
                "an hour or so. If your pain is much worse the next day, do a bit less next "
                "time.</p>"
            ),
        ),
    ),
    Section(
        "self_care",
        "Looking after your back day to day",
        (
            Text(
                "<p>Walking is one of the best things you can do. Start with short walks on "
                "flat ground and add a few minutes every few days. Get up and move every half "
                "hour or so when sitting, and do your exercises little and often.</p><p>There "
                "is no single right posture: the best position is usually your next one. A "
                "warm bath or heat pack can ease stiffness, and good sleep helps too.</p>"
            ),
            Figure(
                5,
                "A person walking along a flat riverside path on a sunny morning.",
                "Short, regular walks help most people.",
            ),
        ),
    ),
    Section(
        "success_stories",
        "Patient stories",
        (
            Text("<p>These patients agreed to share their own words about their recovery.</p>"),
            Stories("In their own words"),
        ),
    ),
)

FAQ_HEADING = "Common questions about facet joint pain"
FAQ = (
    (
        "How long will it take for my back to get better?",
        "<p>Most people notice improvement within 2 to 6 weeks. A full course of physiotherapy "
        "usually takes 6 to 12 weeks.</p>",
    ),
    (
        "Will I need an injection or surgery?",
        "<p>Very rarely. Most people get better with exercise, activity and time. Injections "
        "into the back are not recommended, because research has not shown lasting benefit.</p>",
    ),
    (
        "Is it OK to walk with facet joint pain?",
        "<p>Yes. Regular short walks often loosen a stiff back. If a long walk makes your pain "
        "worse, take short breaks and then carry on.</p>",
    ),
    (
        "Do I need an X-ray or MRI scan?",
        "<p>Usually not. Your physiotherapist or GP can normally tell what is wrong by talking "
        "with you and examining you. Scans rarely change the treatment.</p>",
    ),
    (
        "What should I avoid?",
        "<p>Try not to stay still for long. You do not need to avoid bending or lifting, but "
        "build up heavy tasks slowly.</p>",
    ),
    (
        "Can I keep working?",
        "<p>Usually, yes. Staying at work tends to help recovery. You may need more breaks or "
        "lighter tasks for a while.</p>",
    ),
)

CLOSING_CTA = CTA(
    "Book a back pain assessment in Portsea Quay",
    "Your first visit includes a careful health check and a clear plan you can follow at "
    "home. Not ready to book yet? Call us with any question, with no pressure to book.",
)


@dataclass(frozen=True)
class Story:
    patient_name: str
    shown_name: str  # as the page names the patient: first name and initial
    occupation: str
    quote: str


STORIES = (
    Story(
        "Margaret Wells",
        "Margaret W.",
        "Retired teacher",
        "My back was stiff every morning and I had almost given up on the garden. Six weeks "
        "of simple exercises at home changed that, and I now know what to do when it grumbles.",
    ),
    Story(
        "Dev Patel",
        "Dev P.",
        "Warehouse supervisor",
        "I was sure I would need an injection. My physiotherapist explained what was going on "
        "and fitted the plan around my shifts. I felt listened to from day one.",
    ),
)

GUIDELINE = "NICE NG59"
GUIDELINE_SOURCE = "https://www.nice.org.uk/guidance/ng59/chapter/Recommendations"


@dataclass(frozen=True)
class Treatment:
    name: str
    category: str
    summary: str
    typical_course: str
    time_to_benefit: str
    recommendations: tuple  # (number, strength, caveats)


TREATMENTS = (
    Treatment(
        "Exercise programme",
        "exercise",
        "Exercises chosen with you, such as strengthening, stretching, walking or Pilates.",
        "6 to 12 weeks",
        "2 to 6 weeks",
        (("1.2.2", "consider", "A group programme, with exercise chosen to suit you."),),
    ),
    Treatment(
        "Manual therapy alongside exercise",
        "manual_therapy",
        "Hands-on treatment: joint mobilisation, manipulation or massage.",
        "a few sessions within an exercise plan",
        "Days to a few weeks",
        (("1.2.7", "consider_with_exercise", "Not on its own: only with exercise."),),
    ),
    Treatment(
        "Psychological support for pain",
        "psychological",
        "Help with the worry and poor sleep that long-lasting pain can bring.",
        "6 to 8 sessions",
        "4 to 12 weeks",
        (
            ("1.2.13", "consider_with_exercise", "Only as part of a plan that includes exercise."),
            ("1.2.14", "consider", "When other treatments have not worked."),
        ),
    ),
    Treatment(
        "Radiofrequency denervation",
        "radiofrequency",
        "A specialist uses heat to quieten the small nerves of the facet joints.",
        "one procedure, sometimes repeated",
        "2 to 4 weeks",
        (("1.3.2", "consider", "Only after a numbing test has eased the pain."),),
    ),
    Treatment(
        "Facet joint injections",
        "injections",
        "Steroid or anaesthetic injected into or around the facet joints.",
        "",
        "",
        (("1.3.1", "do_not_offer", "Spinal injections are not recommended for back pain."),),
    ),
    Treatment(
        "Spinal surgery",
        "surgery",
        "Operations such as spinal fusion or disc replacement.",
        "",
        "",
        (
            ("1.3.5", "do_not_offer", "Disc replacement is not recommended."),
            ("1.3.6", "do_not_offer", "Spinal fusion only within a research trial."),
        ),
    ),
)


def visible_texts(alt_text: bool = True, stories: bool = True) -> list[str]:
    """Every piece of editorial text once: plain strings, and rich text as HTML.

    ``stories``: with the patients' own words and names (never adapted to a clinic's words).
    """
    texts = []
    for section in SECTIONS:
        texts.append(section.heading)
        for part in section.parts:
            if isinstance(part, Text):
                texts.append(part.html)
            elif isinstance(part, Figure):
                texts += [part.alt, part.caption] if alt_text else [part.caption]
            elif isinstance(part, CTA):
                texts += [part.heading, part.text, part.label]
            elif isinstance(part, Comparison):
                texts.append(part.caption)
            elif isinstance(part, Stories):
                texts.append(part.heading)
    texts.append(FAQ_HEADING)
    for question, answer in FAQ:
        texts += [question, answer]
    texts += [CLOSING_CTA.heading, CLOSING_CTA.text, CLOSING_CTA.label]
    if stories:
        for story in STORIES:
            texts += [story.quote, story.shown_name]
    return texts


def word_count() -> int:
    """Words a reader sees, without alt text and the treatments' own descriptions."""
    text = unescape(re.sub(r"<[^>]+>", " ", " ".join(visible_texts(alt_text=False))))
    return len(re.findall(r"[\w’'&-]+", text))
