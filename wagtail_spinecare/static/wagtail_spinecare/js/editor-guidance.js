/*
 * Live guidance in the page editor: a word count and a reading-age estimate under each
 * section's heading, and a length counter on the quick answer. Nothing here blocks or
 * changes what is saved; the content checks on save and publish remain the rule.
 *
 * The reading-age arithmetic mirrors wagtail_spinecare.checks.reading_grade (Flesch-Kincaid
 * grade plus five years); a browser test checks that both give the same figures.
 */
(function () {
  'use strict';

  // Django's JavaScript catalogue (Wagtail's and this package's) gives these in the admin.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, count) { return count === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return values[name]; });
  };

  var QUICK_ANSWER_MAX = 320;
  var MIN_WORDS = 40;
  var MIN_SENTENCES = 3;

  function words(text) {
    return text.match(/[A-Za-z]+(?:'[a-z]+)?/g) || [];
  }

  function sentences(text) {
    return text.split(/[.!?:;]+\s|\n+/).filter(function (s) { return /[A-Za-z]/.test(s); });
  }

  function syllables(word) {
    word = word.toLowerCase();
    var count = (word.match(/[aeiouy]+/g) || []).length;
    if (/e$/.test(word) && count > 1 && !/(le|ee)$/.test(word)) {
      count -= 1;
    }
    return Math.max(1, count);
  }

  function readingGrade(text) {
    var w = words(text);
    var s = sentences(text);
    if (!w.length || !s.length) {
      return 0;
    }
    var total = w.reduce(function (sum, word) { return sum + syllables(word); }, 0);
    return 0.39 * w.length / s.length + 11.8 * total / w.length - 15.59;
  }

  function describe(text) {
    var count = words(text).length;
    var label = interpolate(
      ngettext('%(count)s word', '%(count)s words', count), { count: count }, true
    );
    if (count >= MIN_WORDS && sentences(text).length >= MIN_SENTENCES) {
      label += ' · ' + interpolate(
        gettext('reading age about %(age)s'), { age: Math.round(readingGrade(text) + 5) }, true
      );
    }
    return label;
  }

  // The words a section shows: its text fields and rich text, not its editor notes.
  function sectionText(section) {
    var content = section.querySelector('[data-contentpath="content"]');
    if (!content) {
      return '';
    }
    var parts = [];
    content.querySelectorAll('[contenteditable="true"]').forEach(function (el) {
      parts.push(el.innerText);
    });
    content.querySelectorAll('input[type="text"], textarea').forEach(function (el) {
      if (el.value) {
        parts.push(el.value);
      }
    });
    return parts.join('\n');
  }

  function statusFor(anchor, className) {
    var next = anchor.nextElementSibling;
    if (next && next.classList.contains(className)) {
      return next;
    }
    var status = document.createElement('p');
    status.className = className + ' help';
    status.setAttribute('aria-live', 'polite');
    anchor.insertAdjacentElement('afterend', status);
    return status;
  }

  function updateSections() {
    document.querySelectorAll('select[name$="-value-aspect"]').forEach(function (aspect) {
      var section = aspect.closest('[data-contentpath="aspect"]');
      section = section && section.parentElement;
      var heading = section && section.querySelector('input[name$="-value-heading"]');
      if (!heading) {
        return;
      }
      statusFor(heading, 'sc-guidance').textContent = describe(sectionText(section));
    });
  }

  function updateQuickAnswer() {
    var field = document.getElementById('id_quick_answer');
    if (!field) {
      return;
    }
    var left = QUICK_ANSWER_MAX - field.value.length;
    var status = statusFor(field, 'sc-guidance');
    var values = { count: field.value.length, most: QUICK_ANSWER_MAX, over: -left };
    status.textContent = left < 0
      ? interpolate(gettext('%(count)s of %(most)s characters: %(over)s too many'), values, true)
      : interpolate(gettext('%(count)s of %(most)s characters'), values, true);
    status.classList.toggle('error-message', left < 0);
  }

  var timer = null;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      updateSections();
      updateQuickAnswer();
    }, 250);
  }

  window.spinecareGuidance = { readingGrade: readingGrade, describe: describe };

  document.addEventListener('DOMContentLoaded', function () {
    if (!document.querySelector('select[name$="-value-aspect"], #id_quick_answer')) {
      return;
    }
    schedule();
    document.addEventListener('input', schedule, true);
    document.addEventListener('change', schedule, true);
    document.addEventListener('click', schedule, true);
  });
})();
