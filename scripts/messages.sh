#!/usr/bin/env bash
# Regenerate and compile the Simplified Chinese catalog after adding or changing translatable strings.
#
#   scripts/messages.sh            makemessages + compilemessages, then report untranslated/fuzzy entries
#   scripts/messages.sh --check    the same, but exit 1 while any entry is untranslated or fuzzy
#
# Then translate the new entries in locale/zh_Hans/LC_MESSAGES/django.po (remove any "#, fuzzy" flag after
# checking the suggestion), run this script again to compile, and commit locale/ (.po and .mo).
# tests/test_i18n.py fails while the catalog is incomplete, stale or not compiled.
set -euo pipefail

cd "$(dirname "$0")/.."

LOCALE=zh_Hans
DIR="locale/$LOCALE/LC_MESSAGES"
IGNORES=(--ignore=.venv --ignore=venv --ignore=var --ignore=node_modules)

if [ -n "${PYTHON:-}" ]; then
    PY="$PYTHON"
elif [ -x .venv/bin/python ]; then
    PY=.venv/bin/python
else
    PY=python3
fi
export DEBUG="${DEBUG:-1}"

for tool in xgettext msgmerge msguniq msgfmt; do
    command -v "$tool" >/dev/null || { echo "GNU gettext is needed ($tool not found): apt-get install gettext" >&2; exit 2; }
done

"$PY" manage.py makemessages -l "$LOCALE" --no-location --no-obsolete "${IGNORES[@]}"
# JavaScript strings (gettext() in our own .js files) go to djangojs.po; makemessages writes it only if there are any.
"$PY" manage.py makemessages -d djangojs -l "$LOCALE" --no-location --no-obsolete "${IGNORES[@]}"
"$PY" manage.py compilemessages -l "$LOCALE" "${IGNORES[@]}"

total_open=0
for po in "$DIR"/django.po "$DIR"/djangojs.po; do
    [ -f "$po" ] || continue
    stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$po" 2>&1)
    translated=$(sed -n 's/^\([0-9]\+\) translated.*/\1/p' <<<"$stats")
    fuzzy=$(grep -o '[0-9]\+ fuzzy' <<<"$stats" | grep -o '[0-9]\+' || true)
    untranslated=$(grep -o '[0-9]\+ untranslated' <<<"$stats" | grep -o '[0-9]\+' || true)
    fuzzy=${fuzzy:-0}
    untranslated=${untranslated:-0}
    echo "$po: ${translated:-0} translated, $untranslated untranslated, $fuzzy fuzzy"
    if [ $((untranslated + fuzzy)) -gt 0 ]; then
        echo "  to translate (untranslated or fuzzy):"
        msgattrib --untranslated --no-wrap "$po" | sed -n 's/^msgid "\(..*\)"$/    \1/p'
        msgattrib --only-fuzzy --no-wrap "$po" | sed -n 's/^msgid "\(..*\)"$/    \1 (fuzzy)/p'
    fi
    total_open=$((total_open + untranslated + fuzzy))
done

echo "untranslated or fuzzy entries: $total_open"
if [ "${1:-}" = "--check" ] && [ "$total_open" -gt 0 ]; then
    exit 1
fi
