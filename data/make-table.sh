#!/bin/sh
# make-table.sh — a small table with planted co-occurrence, one row a line
# of `column=value` tokens, for the README's `--context line` example:
#
#   sh data/make-table.sh ROWS SEED > data/table.txt
#
# Each row picks a country; its city is one of the country's three, and its
# currency and language follow from the country (four countries share the
# euro, two share French and two Spanish, so a value can co-occur with
# several countries). The `day` column is noise: drawn on its own, it
# co-occurs with everything alike. The columns come in a random order on
# each line (a row is a set: --context line ignores the order anyway).
# The same arguments give the same file with the same awk (mawk and gawk
# differ); data/table.txt is `sh data/make-table.sh 400 7` with mawk.
set -eu
if [ $# -ne 2 ]; then
    echo "usage: sh data/make-table.sh ROWS SEED" >&2
    exit 2
fi
awk -v rows="$1" -v seed="$2" 'BEGIN {
    # country currency language city city city
    n = split("france eur french paris lyon marseille;" \
              "germany eur german berlin munich hamburg;" \
              "spain eur spanish madrid barcelona seville;" \
              "italy eur italian rome milan naples;" \
              "japan jpy japanese tokyo osaka kyoto;" \
              "mexico mxn spanish mexico_city guadalajara monterrey;" \
              "switzerland chf french geneva lausanne fribourg;" \
              "usa usd english new_york chicago boston", c, ";")
    split("mon tue wed thu fri sat sun", day, " ")
    srand(seed)
    for (r = 0; r < rows; r++) {
        split(c[1 + int(rand() * n)], f, " ")
        t[1] = "country=" f[1]
        t[2] = "currency=" f[2]
        t[3] = "language=" f[3]
        t[4] = "city=" f[4 + int(rand() * 3)]
        t[5] = "day=" day[1 + int(rand() * 7)]
        for (i = 5; i > 1; i--) { j = 1 + int(rand() * i); x = t[i]; t[i] = t[j]; t[j] = x }
        print t[1], t[2], t[3], t[4], t[5]
    }
}'
