"""Statistical disclosure control: which counts of one annual report may be printed.

With tens to a few hundred reports a year, a count of one or two can point at a
person, and a hidden count can often be worked out again by subtracting printed
numbers: row and column totals, or the same total printed in another table of the
report. So all tables of a report are protected together:

* primary suppression: counts from 1 to k-1 are hidden; zero is printed;
* secondary suppression: further non-zero counts are hidden so that every sum with a
  hidden count hides at least two (the usual row/column rule, applied across linked
  tables); every hidden count, small or not, is printed as the same "x";
* an exact audit then bounds every small hidden count by integer linear reasoning over
  all that is printed: every table, total and link, and that "x" is at least 1. Each must
  be able to reach k (the τ-Argus protection interval: a reader cannot place it inside
  1..k-1); while one cannot, the printed number whose hiding frees it is hidden too and
  the audit runs again.

Modules: ``model`` (the tables before and after protection), ``protection`` (primary and
secondary suppression, and what else may be printed), ``audit`` (the exact audit, with HiGHS),
``attack`` (the same reasoning over one or several published releases, as an outsider would run it).
Deterministic: the same tables always give the same result.
"""
